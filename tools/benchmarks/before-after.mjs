#!/usr/bin/env node
// Benchmark: this checkout's plugin against another checkout's (BENCH_PLUGIN_FROM, e.g. the commit
// before a change) on the same no-op, in the same workspace, alternating. For a noisy machine it also
// reports CPU time (user + sys of `nx` and every process it waited for: plugin workers, the executor,
// docker and git processes it started), which other work on the machine disturbs far less than the
// wall time. The engine's and the registry's own work is not in it.
//
// A generated family of BENCH_IMAGES (default 16) small images in a tree (as bench:scale), pushed once;
// then BENCH_RUNS (default 5) no-op runs of each plugin: a new empty commit, `nx run-many -t image-build
// --push`, every image reused and tagged with the commit. Both plugins hash alike, so they share the
// pushed content.
//
//   mkdir /tmp/before && git archive 1e9b1de nx.json tools/image-plugin | tar -x -C /tmp/before
//   BENCH_PLUGIN_FROM=/tmp/before npm run bench:before-after
//   BENCH_DAEMON=1 BENCH_PLUGIN_FROM=/tmp/before npm run bench:before-after
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  DAEMON,
  ENV,
  PLUGIN_FROM,
  WORKSPACE,
  commitAll,
  git,
  inTurn,
  log,
  median,
  positiveInt,
  readResults,
  round,
  scratchWorkspace,
  stopDaemon,
  table,
  withoutCompression,
  write,
  oursCommand,
} from './lib.mjs';

if (PLUGIN_FROM === WORKSPACE)
  throw new Error('set BENCH_PLUGIN_FROM to the other checkout (see the header of this file)');
const IMAGES = positiveInt(process.env.BENCH_IMAGES, 16);
const RUNS = positiveInt(process.env.BENCH_RUNS, 5);
const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
const REPOSITORY = `${REGISTRY}/before-after-${randomBytes(4).toString('hex')}/images`;
const OURS = oursCommand('linux/amd64');

/** The two plugins: each a tools/image-plugin folder and the nx.json that loads it. */
function plugins(root) {
  const variants = {};
  for (const [name, from] of [
    ['before', PLUGIN_FROM],
    ['after', WORKSPACE],
  ]) {
    const dir = join(root, `.plugins/${name}`);
    cpSync(join(from, 'tools/image-plugin'), dir, {
      recursive: true,
      filter: (src) => !src.endsWith('.test.ts') && !/\/tools\/image-plugin\/(test|node_modules)(\/|$)/.test(src),
    });
    const nxJson = JSON.parse(readFileSync(join(from, 'nx.json'), 'utf8'));
    nxJson.plugins = nxJson.plugins.map((p) =>
      (typeof p === 'string' ? p : p.plugin).includes('image-plugin')
        ? // Both plugins hash alike only with the same options: gzip for both (lib.mjs, withoutCompression).
          { ...p, options: { ...withoutCompression(p.options), repository: REPOSITORY } }
        : p,
    );
    variants[name] = { dir, nxJson: `${JSON.stringify(nxJson, null, 2)}\n` };
  }
  return variants;
}

function use(root, variant) {
  rmSync(join(root, 'tools/image-plugin'), { recursive: true, force: true });
  cpSync(variant.dir, join(root, 'tools/image-plugin'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), variant.nxJson);
}

/** One no-op with /usr/bin/time: wall and CPU (user + sys) in ms. */
async function noop(root, names) {
  await git(root, 'commit', '-q', '--allow-empty', '-m', 'no-op');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const r = await execa('/usr/bin/time', ['-f', 'TIME %e %U %S', 'npx', ...OURS], {
    cwd: root,
    env: ENV,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  const line = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(String(r.all));
  if (r.exitCode !== 0 || !line)
    throw new Error(`nx run-many exited ${r.exitCode}\n${String(r.all).split('\n').slice(-30).join('\n')}`);
  const results = readResults(root);
  const built = names.filter((n) => results[n]?.result !== 'reused');
  if (built.length) throw new Error(`not a no-op: ${built.join(', ')} not reused`);
  return { wall: Number(line[1]) * 1000, cpu: (Number(line[2]) + Number(line[3])) * 1000 };
}

const root = scratchWorkspace('before-after-', REPOSITORY);
const names = Array.from({ length: IMAGES }, (_, i) => (i === 0 ? 'root' : `image-${String(i).padStart(2, '0')}`));
const parent = Object.fromEntries(names.slice(1).map((name, j) => [name, names[Math.floor(j / 3)]]));
write(root, '.dockerignore', 'node_modules\n.git\n.nx\ndist\ntools\n.plugins\n');
// The plugin and nx.json are swapped between runs: not part of the commit (a dirty tree is refused).
write(root, '.gitignore', `${readFileSync(join(root, '.gitignore'), 'utf8')}.plugins\ntools/image-plugin/\nnx.json\n`);
for (const name of names) {
  const from = parent[name]
    ? [`ARG BASE_IMAGE=${REPOSITORY}:${parent[name]}`, 'FROM ${BASE_IMAGE}']
    : ['FROM debian:trixie-slim'];
  write(root, `images/${name}/Dockerfile`, [...from, `RUN echo ${name} > /etc/${name}.txt`, ''].join('\n'));
}
const variants = plugins(root);
use(root, variants.after);
await commitAll(root, `before-after fixture: ${IMAGES} images`);
let failed = false;
try {
  log(
    `workspace ${root}, ${IMAGES} images, repository ${REPOSITORY}; before: ${PLUGIN_FROM}; Nx daemon ${DAEMON ? 'on' : 'off'}`,
  );
  const warm = await execa('npx', OURS, { cwd: root, env: ENV, all: true, reject: false });
  if (warm.exitCode !== 0)
    throw new Error(`warm-up build failed\n${String(warm.all).split('\n').slice(-30).join('\n')}`);
  const samples = { before: { wall: [], cpu: [] }, after: { wall: [], cpu: [] } };
  for (const name of ['before', 'after']) {
    use(root, variants[name]);
    await stopDaemon(root);
    await noop(root, names); // each plugin's own warm-up (with the daemon: starts it)
  }
  for (let i = 0; i < RUNS; i++) {
    const notes = [];
    for (const name of inTurn(i, ['before', 'after'])) {
      use(root, variants[name]);
      if (DAEMON) {
        await stopDaemon(root);
        await noop(root, names); // the daemon's first run of this plugin is not measured
      }
      const r = await noop(root, names);
      samples[name].wall.push(r.wall);
      samples[name].cpu.push(r.cpu);
      notes.push(`${name} ${round(r.wall)} ms wall, ${round(r.cpu)} ms CPU`);
    }
    log(`run ${i + 1}/${RUNS}: ${notes.join('; ')}`);
  }
  const m = (xs) => round(median(xs));
  console.log(
    `before-after: ${IMAGES}-image no-op, median of ${RUNS} runs each, alternating; Nx daemon ${DAEMON ? 'on' : 'off'}`,
  );
  console.log(
    table([
      ['plugin', 'wall ms', 'CPU ms'],
      [`before (${PLUGIN_FROM})`, m(samples.before.wall), m(samples.before.cpu)],
      ['after (this checkout)', m(samples.after.wall), m(samples.after.cpu)],
      [
        'after/before',
        `${(median(samples.after.wall) / median(samples.before.wall)).toFixed(2)}x`,
        `${(median(samples.after.cpu) / median(samples.before.cpu)).toFixed(2)}x`,
      ],
    ]),
  );
  console.log(
    JSON.stringify({
      benchmark: 'before-after',
      images: IMAGES,
      runs: RUNS,
      daemon: DAEMON,
      before: PLUGIN_FROM,
      samples,
    }),
  );
} catch (e) {
  failed = true;
  console.error(e.message ?? e);
  console.error(`scratch workspace kept: ${root}`);
} finally {
  await stopDaemon(root);
  if (!failed && !process.env.KEEP_SCRATCH) rmSync(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
