import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { staleBuild } from '../src/build-check';

/**
 * vitest globalSetup: the tests that run Nx or the `images` bin use the plugin's build (dist/), and the
 * built plugin refuses to run older than src/. Build it once before the tests when it is missing or stale.
 */
export default function setup(): void {
  const pluginRoot = resolve(__dirname, '..');
  if (existsSync(join(pluginRoot, 'dist')) && !staleBuild(pluginRoot)) return;
  execFileSync(process.execPath, [join(pluginRoot, 'scripts/build.mjs')], { stdio: 'inherit' });
}
