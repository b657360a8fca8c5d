import type { PluginConfiguration } from '@nx/devkit';

/**
 * The plugin's npm package name: how another workspace names it in nx.json (`plugins`), how inferred
 * targets name its executors, and how `nx g` and `nx add` find its generators. In this repository the
 * npm workspace links it into node_modules, so the same name resolves here too.
 */
export const PLUGIN_PACKAGE = '@workspace-images/image-plugin';

/** `@workspace-images/image-plugin:image-build`: an executor of this package, as a target names it. */
export const executorOf = (executor: string): string => `${PLUGIN_PACKAGE}:${executor}`;

/** A path into the plugin's folder where a workspace has its sources (`./tools/image-plugin/src/plugin.ts`). */
const LOCAL_PLUGIN = /^\.{0,2}\/(?:[^/]+\/)*image-plugin(?:\/(?:(?:src|dist)\/)?plugin(?:\.[cm]?[jt]s)?)?$/;

/** Whether an nx.json `plugins` entry loads this plugin: by package name, or by a path to its folder. */
export function isImagePluginEntry(entry: PluginConfiguration): boolean {
  const name = typeof entry === 'string' ? entry : entry.plugin;
  return name === PLUGIN_PACKAGE || LOCAL_PLUGIN.test(name);
}
