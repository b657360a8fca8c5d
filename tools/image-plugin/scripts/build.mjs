// `npm run build`: builds the plugin's JavaScript into dist/ (mirroring src/, tests left out) with what runs
// next to it: the JSON schemas, the generators' files/ templates, and the install-script helpers (this repository's
// scripts/lib, which the install-script generator writes into workspaces that lack them).
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const helpers = join(root, '../../scripts/lib');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const copied = [];
const copy = (from, to) => {
  cpSync(from, to, { recursive: true });
  copied.push(relative(root, to));
};
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const target = join(dist, relative(src, path));
    if (entry.isDirectory() && entry.name === 'files') copy(path, target);
    else if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.json')) copy(path, target);
  }
};
walk(src);
copy(helpers, join(dist, 'generators/install-script/lib'));
console.log(`built ${relative(process.cwd(), dist) || '.'}: tsc, then ${copied.length} assets copied`);
