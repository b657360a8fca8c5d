#!/usr/bin/env node
// `npm run build`: compiles src/ (tests excluded) to dist/ with tsc, copies what is not TypeScript (the
// executors' JSON schemas, generator templates under files/) next to the compiled files, then records
// what dist/ was built from (dist/build-info.json), so the built plugin refuses to run older than src/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) {
  console.error('image plugin build failed: fix the TypeScript errors above, then run npm run build again');
  process.exit(1);
}

/** Assets: every file that is not compiled TypeScript, and everything under a generator's files/. */
function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(src, path);
    if (entry.isDirectory()) {
      if (entry.name === 'files') cpSync(path, join(dist, rel), { recursive: true });
      else copyAssets(path);
    } else if (!entry.name.endsWith('.ts')) {
      cpSync(path, join(dist, rel));
    }
  }
}
copyAssets(src);
// The install-script generator gives a workspace without scripts/lib the shared helpers it sources.
const helpers = join(root, '../../scripts/lib');
if (!existsSync(helpers)) {
  console.error(
    `image plugin build failed: ${helpers} is missing (the shell helpers the install-script generator hands out)`,
  );
  process.exit(1);
}
cpSync(helpers, join(dist, 'generators/install-script/lib'), { recursive: true });
// Nx validates image-build's options with a lenient copy of its schema (same types and defaults, any
// value): the executor refuses a bad one itself, naming the option and what it allows (core/option-check.ts).
const schemaDir = join(dist, 'executors/image-build');
const { nxSchemaOf } = require(join(dist, 'core/option-check.js'));
writeFileSync(
  join(schemaDir, 'nx-schema.json'),
  `${JSON.stringify(nxSchemaOf(JSON.parse(readFileSync(join(schemaDir, 'schema.json'), 'utf8'))), null, 2)}\n`,
);
require(join(dist, 'build-check.js')).writeBuildInfo(root);
console.log(`image plugin built: ${relative(process.cwd(), dist) || dist}`);
