import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executorOf, isImagePluginEntry, PLUGIN_PACKAGE } from './plugin-package';

describe('the plugin package', () => {
  it('is named as its package.json says, and names its executors so', () => {
    expect(PLUGIN_PACKAGE).toBe(
      (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { name: string }).name,
    );
    expect(executorOf('image-build')).toBe('@workspace-images/image-plugin:image-build');
  });

  it.each([
    ['@workspace-images/image-plugin', true],
    ['./tools/image-plugin/src/plugin.ts', true],
    ['./tools/image-plugin/dist/plugin.js', true],
    ['./tools/image-plugin', true],
    ['./tools/image-plugin/plugin.js', true],
    ['../shared/image-plugin/src/plugin.ts', true],
    ['@acme/image-plugin-extras', false],
    ['./tools/my-image-plugin/src/plugin.ts', false],
    ['@nx/docker', false],
  ])('%s loads this plugin: %s', (plugin, expected) => {
    expect(isImagePluginEntry(plugin)).toBe(expected);
    expect(isImagePluginEntry({ plugin, options: {} })).toBe(expected);
  });
});
