#!/usr/bin/env node
// Benchmark: what the image plugin's inference costs `nx show projects`.
//
// Generates a scratch workspace with BENCH_IMAGES images (default 200) in a tree: one root FROM
// debian:trixie-slim, every other image FROM a random earlier one through
// `ARG BASE_IMAGE=<repository>:<parent>` + `FROM ${BASE_IMAGE}`, each bind-mounting 1-2 script
// folders. Then, alternately, runs `NX_DAEMON=false npx nx show projects` with the plugin in nx.json
// and with it removed (same files), BENCH_RUNS times each (default 7) after one warm-up each, with
// the project graph cache off and Nx's workspace data wiped before every run so inference really runs.
// Prints the medians, their difference and ratio, as a table and as JSON.
//
//   node tools/benchmarks/graph-inference.mjs
//   BENCH_RUNS=11 BENCH_IMAGES=500 BENCH_SEED=7 node tools/benchmarks/graph-inference.mjs
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { PLUGIN_LABEL, copyNxSettings, copyPlugin, nxJsonWith } from './lib.mjs';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = positiveInt(process.env.BENCH_RUNS, 7);
const IMAGES = positiveInt(process.env.BENCH_IMAGES, 200);
const SCRIPTS = positiveInt(process.env.BENCH_SCRIPTS, 40);
const SEED = positiveInt(process.env.BENCH_SEED, 42);
const REPOSITORY = 'ghcr.io/acme/workspace-images';

function positiveInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** mulberry32: a small seeded generator, so every run benchmarks the same tree. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function write(root, path, content) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function generate() {
  const root = mkdtempSync(join(tmpdir(), 'image-plugin-bench-'));
  const rnd = random(SEED);
  const pick = (n) => Math.floor(rnd() * n);
  cpSync(join(WORKSPACE, 'package.json'), join(root, 'package.json'));
  cpSync(join(WORKSPACE, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  copyPlugin(root);
  copyNxSettings(root);
  symlinkSync(join(WORKSPACE, 'node_modules'), join(root, 'node_modules'), 'dir');
  write(root, '.gitignore', 'node_modules\n.nx\n');

  for (let s = 0; s < SCRIPTS; s++)
    write(root, `scripts/tool-${s}/install.sh`, `#!/usr/bin/env bash\nset -euo pipefail\necho tool-${s}\n`);
  const names = Array.from({ length: IMAGES }, (_, i) => (i === 0 ? 'base' : `image-${String(i).padStart(3, '0')}`));
  const edges = [];
  names.forEach((name, i) => {
    const mounts = new Set([pick(SCRIPTS)]);
    if (rnd() < 0.5) mounts.add(pick(SCRIPTS));
    const run = [...mounts]
      .map((s) => `--mount=type=bind,source=scripts/tool-${s},target=/scripts/tool-${s}`)
      .join(' \\\n    ');
    const body = [...mounts].map((s) => `bash /scripts/tool-${s}/install.sh`).join(' && ');
    const lines = [];
    if (i === 0) {
      lines.push('FROM debian:trixie-slim');
    } else {
      const parent = names[pick(i)];
      edges.push([name, parent]);
      lines.push(`ARG BASE_IMAGE=${REPOSITORY}:${parent}`, 'FROM ${BASE_IMAGE}');
    }
    lines.push(`RUN ${run} \\\n    ${body}`, '');
    write(root, `images/${name}/Dockerfile`, lines.join('\n'));
  });

  const { nxJson } = nxJsonWith({ repository: REPOSITORY });
  const isPlugin = (p) => (typeof p === 'string' ? p : p.plugin).includes('image-plugin');
  const withPlugin = JSON.stringify(nxJson, null, 2);
  const withoutPlugin = JSON.stringify({ ...nxJson, plugins: nxJson.plugins.filter((p) => !isPlugin(p)) }, null, 2);
  spawnSync('git', ['init', '-q'], { cwd: root });
  spawnSync('git', ['add', '-A'], { cwd: root });
  spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'bench'], {
    cwd: root,
  });
  return { root, withPlugin, withoutPlugin, depth: depthOf(names, edges) };
}

function depthOf(names, edges) {
  const parent = new Map(edges);
  const depth = (n) => (parent.has(n) ? 1 + depth(parent.get(n)) : 0);
  return Math.max(...names.map(depth));
}

function run(ws, variant) {
  writeFileSync(join(ws.root, 'nx.json'), variant === 'plugin' ? ws.withPlugin : ws.withoutPlugin);
  rmSync(join(ws.root, '.nx'), { recursive: true, force: true });
  const env = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_CACHE_PROJECT_GRAPH: 'false',
    NX_SKIP_NX_CACHE: 'true',
    NX_CACHE_DIRECTORY: join(ws.root, '.nx/cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(ws.root, '.nx/workspace-data'),
    NX_TUI: 'false',
    CI: 'true',
  };
  const start = performance.now();
  const result = spawnSync('npx', ['--no-install', 'nx', 'show', 'projects', '--json'], {
    cwd: ws.root,
    env,
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`nx show projects (${variant}) exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  const projects = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
  return { ms, projects: projects.length, names: projects };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const ws = generate();
try {
  process.stderr.write(`${PLUGIN_LABEL}\n`);
  process.stderr.write(`workspace: ${ws.root} (${IMAGES} images, tree depth ${ws.depth}, ${SCRIPTS} script folders)\n`);
  const warm = { plugin: run(ws, 'plugin'), noPlugin: run(ws, 'no-plugin') };
  if (warm.plugin.projects - warm.noPlugin.projects !== IMAGES)
    throw new Error(
      `the plugin added ${warm.plugin.projects - warm.noPlugin.projects} projects, expected ${IMAGES}: ${warm.plugin.names.join(' ')}`,
    );
  const times = { plugin: [], noPlugin: [] };
  for (let i = 0; i < RUNS; i++) {
    times.plugin.push(run(ws, 'plugin').ms);
    times.noPlugin.push(run(ws, 'no-plugin').ms);
    process.stderr.write(
      `run ${i + 1}/${RUNS}: plugin ${round(times.plugin.at(-1), 0)} ms, no plugin ${round(times.noPlugin.at(-1), 0)} ms\n`,
    );
  }
  const plugin = median(times.plugin);
  const noPlugin = median(times.noPlugin);
  const summary = {
    command: 'NX_DAEMON=false npx nx show projects',
    plugin: PLUGIN_LABEL,
    images: IMAGES,
    scriptFolders: SCRIPTS,
    treeDepth: ws.depth,
    runs: RUNS,
    projectsListed: { plugin: warm.plugin.projects, noPlugin: warm.noPlugin.projects },
    medianMs: { plugin: round(plugin), noPlugin: round(noPlugin) },
    differenceMs: round(plugin - noPlugin),
    ratio: round(plugin / noPlugin, 2),
    perImageMs: round((plugin - noPlugin) / IMAGES, 2),
    samplesMs: { plugin: times.plugin.map((x) => round(x)), noPlugin: times.noPlugin.map((x) => round(x)) },
  };
  const rows = [
    ['variant', 'median ms', 'projects'],
    ['with plugin', summary.medianMs.plugin.toFixed(1), String(summary.projectsListed.plugin)],
    ['without plugin', summary.medianMs.noPlugin.toFixed(1), String(summary.projectsListed.noPlugin)],
    ['difference', summary.differenceMs.toFixed(1), ''],
    ['ratio', `${summary.ratio.toFixed(2)}x`, ''],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) =>
    `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  rows.slice(1).forEach((r) => console.log(line(r)));
  console.log();
  console.log(JSON.stringify(summary, null, 2));
} finally {
  if (!process.env.KEEP_SCRATCH) rmSync(ws.root, { recursive: true, force: true });
}
