#!/usr/bin/env node
// Benchmark: how the no-op time grows with the family. For each size in BENCH_SIZES (default 4,16,64)
// a generated family of small images in a tree several levels deep (image i builds FROM image
// floor((i-1)/3): 4 images are 2 levels, 16 are 3, 64 are 4), each a RUN writing one small file;
// an equivalent docker-bake.hcl. After one warm-up build of each tool, BENCH_RUNS (default 3) no-op
// runs of each, alternating: ours on a new empty commit (every content tag looked up, every image
// gets the commit's SHA tag), bake re-solving from its warm cache and pushing, and Nx's floor taking
// turns with them (lib.mjs addNxFloor: `npx nx run-many` over the same projects, an executor that
// does nothing).
// Prints per size the medians and ratios, the growth per added image of ours and of Nx's floor, and
// ours' own account of the last run (`profile:`), as a table and a JSON line.
//
//   npm run bench:scale                      (Nx daemon off, as in CI)
//   npm run bench:scale:daemon               (Nx daemon on, as on a laptop)
//   BENCH_SIZES=4,16 BENCH_RUNS=5 node tools/benchmarks/scale-vs-bake.mjs
//   BENCH_PLUGIN_FROM=/tmp/before npm run bench:scale    (another checkout's plugin; see lib.mjs)
//
// Needs the engine with buildx, the mirror serving debian:trixie-slim and the registry on
// 127.0.0.1:5000 with docker login (BENCH_REGISTRY overrides it). linux/amd64, provenance and SBOM off.
// Images stay in the registry under a random scale-bench-<hex> namespace. Nothing is pruned.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  DAEMON,
  PLUGIN_LABEL,
  addNxFloor,
  inTurn,
  bakeFile,
  commitAll,
  git,
  log,
  median,
  positiveInt,
  round,
  runBake,
  runOurs,
  runFloor,
  scratchWorkspace,
  stopDaemon,
  table,
  write,
  oursCommand,
  BAKE_COMMAND,
} from './lib.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '4,16,64').split(',').map((n) => positiveInt(n, 4));
const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
const PLATFORM = 'linux/amd64';
const OURS = oursCommand(PLATFORM);
const BAKE = BAKE_COMMAND;

/** The family of `size` images: names and child -> parent. */
function family(size) {
  const names = Array.from({ length: size }, (_, i) => (i === 0 ? 'root' : `image-${String(i).padStart(2, '0')}`));
  const parent = Object.fromEntries(names.slice(1).map((name, j) => [name, names[Math.floor(j / 3)]]));
  const depth = (n) => (parent[n] ? 1 + depth(parent[n]) : 0);
  return { names, parent, levels: 1 + Math.max(...names.map(depth)) };
}

async function generate(size, repository) {
  const root = scratchWorkspace(`scale-vs-bake-${size}-`, repository);
  const { names, parent, levels } = family(size);
  write(root, '.dockerignore', 'node_modules\n.git\n.nx\ndist\ntools\n');
  for (const name of names) {
    const from = parent[name]
      ? [`ARG BASE_IMAGE=${repository}:${parent[name]}`, 'FROM ${BASE_IMAGE}']
      : ['FROM debian:trixie-slim'];
    write(root, `images/${name}/Dockerfile`, [...from, `RUN echo ${name} > /etc/${name}.txt`, ''].join('\n'));
  }
  write(root, 'docker-bake.hcl', bakeFile({ images: names, parent, platform: PLATFORM, repository }));
  addNxFloor(root, names);
  await commitAll(root, `scale fixture: ${size} images`);
  return { root, names, parent, levels };
}

const rows = [];
const summary = {
  benchmark: 'scale-vs-bake',
  plugin: PLUGIN_LABEL,
  daemon: DAEMON,
  platform: PLATFORM,
  runs: RUNS,
  sizes: {},
};
let failed = false;
for (const size of SIZES) {
  const repository = `${REGISTRY}/scale-bench-${randomBytes(4).toString('hex')}/images`;
  const ws = await generate(size, repository);
  try {
    log(
      `size ${size}: ${ws.levels} levels, workspace ${ws.root}, repository ${repository}; ${PLUGIN_LABEL}; Nx daemon ${DAEMON ? 'on' : 'off'}`,
    );
    const warmOurs = await runOurs(ws.root, OURS, ws.names, ws.parent);
    log(`  warm-up ours: ${round(warmOurs.ms)} ms`);
    // A loaded registry can time a first push of many images out; bake's warm-up is tried twice.
    const warmBake = await runBake(ws.root, BAKE).catch((e) => {
      log(
        `  warm-up bake failed, trying once more: ${String(e.message ?? e)
          .split('\n')
          .slice(-2)
          .join(' ')}`,
      );
      return runBake(ws.root, BAKE);
    });
    log(`  warm-up bake: ${round(warmBake.ms)} ms (${warmBake.executedRuns}/${warmBake.runSteps} RUN steps executed)`);
    const ours = [];
    const bake = [];
    const floor = [];
    let profile = null;
    for (let i = 0; i < RUNS; i++) {
      const notes = [];
      for (const tool of inTurn(i, ['ours', 'bake', 'floor'])) {
        if (tool === 'floor') {
          const ms = await runFloor(ws.root);
          floor.push(ms);
          notes.push(`Nx floor ${round(ms)} ms`);
        } else if (tool === 'ours') {
          await git(ws.root, 'commit', '-q', '--allow-empty', '-m', `no-op ${i}`);
          const r = await runOurs(ws.root, OURS, ws.names, ws.parent);
          const built = ws.names.filter((n) => r.results[n] !== 'reused');
          if (built.length) throw new Error(`ours rebuilt ${built.join(', ')} on a no-op`);
          ours.push(r.ms);
          profile = r.profile ?? profile;
          notes.push(`ours ${round(r.ms)} ms`);
        } else {
          const r = await runBake(ws.root, BAKE);
          bake.push(r.ms);
          notes.push(`bake ${round(r.ms)} ms (${r.executedRuns}/${r.runSteps} RUN steps executed)`);
        }
      }
      log(`  no-op ${i + 1}/${RUNS}: ${notes.join('; ')}`);
    }
    summary.sizes[size] = {
      levels: ws.levels,
      medianMs: {
        ours: round(median(ours)),
        bake: round(median(bake)),
        ratio: round(median(ours) / median(bake), 2),
        nxFloor: round(median(floor)),
      },
      samplesMs: {
        ours: ours.map((x) => round(x)),
        bake: bake.map((x) => round(x)),
        nxFloor: floor.map((x) => round(x)),
      },
      oursLastProfile: profile,
    };
    rows.push([
      `${size} images (${ws.levels} levels)`,
      round(median(ours)),
      round(median(bake)),
      `${(median(ours) / median(bake)).toFixed(2)}x`,
      round(median(floor)),
    ]);
  } catch (e) {
    failed = true;
    console.error(e.message ?? e);
    console.error(`scratch workspace kept: ${ws.root}`);
  } finally {
    await stopDaemon(ws.root);
    if (!failed && !process.env.KEEP_SCRATCH) rmSync(ws.root, { recursive: true, force: true });
  }
  if (failed) break;
}

if (rows.length) {
  const [first, last] = [SIZES[0], SIZES[rows.length - 1]];
  const growth = (tool) =>
    rows.length > 1 ? (summary.sizes[last].medianMs[tool] - summary.sizes[first].medianMs[tool]) / (last - first) : NaN;
  const perImage = growth('ours');
  summary.oursGrowthMsPerImage = round(perImage, 1);
  summary.nxFloorGrowthMsPerImage = round(growth('nxFloor'), 1);
  console.log(
    `scale-vs-bake: no-op, ${PLATFORM}, provenance and SBOM off, median of ${RUNS} runs each; Nx daemon ${DAEMON ? 'on' : 'off'}; ${PLUGIN_LABEL}`,
  );
  console.log(table([['family', 'ours ms', 'bake ms', 'ours/bake', "Nx's floor ms"], ...rows]));
  console.log(
    `\nours grows by ${round(perImage, 1)} ms per added image (${first} -> ${last} images); Nx's floor (an executor that does nothing) by ${summary.nxFloorGrowthMsPerImage} ms`,
  );
  for (const [size, s] of Object.entries(summary.sizes))
    if (s.oursLastProfile) console.log(`${size} images, ours' own account: ${s.oursLastProfile}`);
  console.log(JSON.stringify(summary));
}
process.exitCode = failed ? 1 : 0;
