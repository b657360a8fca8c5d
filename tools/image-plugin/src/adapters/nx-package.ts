import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageConfigError } from '../core/errors';
import { nxVersionProblem } from '../core/nx-version';

/** The version of the nx package this process resolves (the workspace's), or undefined when none resolves. */
function installedNxVersion(): string | undefined {
  try {
    return (require('nx/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The plugin's own `peerDependencies.nx` (its package.json, two folders up from src/adapters or dist/adapters). */
function supportedNxRange(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    peerDependencies?: { nx?: string };
  };
  return manifest.peerDependencies?.nx ?? '*';
}

/** Refuses to run inside an nx the plugin does not support (installed with npm's peer checks turned off). */
export function assertSupportedNx(): void {
  const found = nxVersionProblem(installedNxVersion(), supportedNxRange());
  if (found) throw new ImageConfigError(found.problem, found.fix, 'package.json');
}
