#!/usr/bin/env node
// Benchmark: this repository's own image family (images/*, scripts/*), the image-build executor
// (through `nx run-many`) against `docker buildx bake` of the same Dockerfiles, same engine, same
// registry, linux/amd64, provenance and SBOM off for both.
//
//   A "warm no-op"    nothing changed, the engine's BuildKit cache is warm. Ours: a new empty commit
//                     (it looks every content tag up and adds the commit's SHA tags).
//   C "fresh runner"  nothing changed, but before every measured run the engine's whole BuildKit cache
//                     is pruned and the family's images and debian:trixie-slim are removed, as on a
//                     new CI runner. Ours finds every content tag in the registry.
//   D "base's last step"  the script of base's last RUN step changed (a new line, and a commit, before
//                     each tool's run, so neither reuses the other's work): base's last step and every
//                     child are built again, by both tools, with a warm cache.
//   E "cold build"    before every measured run the BuildKit cache is pruned and the images removed
//                     (as for C), and nothing is taken from the registry: ours gets a build arg never
//                     used before (--buildArgs.BENCH_COLD=<random>, so no content tag matches), bake
//                     runs without its inline cache. Both build every step of every image.
// Bake gets the usual set-up for CI: inline cache in each pushed image (cache-to=type=inline,
// cache-from its own tag), children FROM their parent target through a named context, and the CA
// bundle as the `ca-bundle` secret, as ours passes it.
//
//   node tools/benchmarks/family-vs-bake.mjs            (BENCH_RUNS=3 by default; about 15 minutes)
//   npm run bench:family:warm                           (scenario A only: nothing is pruned)
//   BENCH_SCENARIOS=A,D node tools/benchmarks/family-vs-bake.mjs   (the scenarios named; C and E prune)
//   BENCH_SCENARIOS=E BENCH_RUNS=1 node tools/benchmarks/family-vs-bake.mjs   (cold only: no warm-up)
//   BENCH_DAEMON=1 npm run bench:family:warm            (Nx daemon on, as on a laptop)
//
// Without BENCH_WARM_ONLY=1 it empties the engine's whole BuildKit cache (scenario C). Needs what build-vs-bake.mjs needs
// (engine, mirror, registry on 127.0.0.1:5000 with docker login) and the npm registry for the first
// builds. Images stay in the registry under a random family-bench-<hex> namespace.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DAEMON,
  PLUGIN_LABEL,
  WORKSPACE,
  bakeFile,
  bakeInlineCache,
  commitAll,
  freshRunner,
  git,
  inTurn,
  log,
  median,
  positiveInt,
  replacedBaseContexts,
  runBake,
  runOurs,
  round,
  scratchWorkspace,
  stopDaemon,
  table,
  write,
  oursCommand,
  BAKE_COMMAND,
} from './lib.mjs';

const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const SCENARIOS = process.env.BENCH_SCENARIOS
  ? process.env.BENCH_SCENARIOS.split(',').map((s) => s.trim().toUpperCase())
  : process.env.BENCH_WARM_ONLY === '1'
    ? ['A']
    : ['A', 'C'];
for (const s of SCENARIOS)
  if (!['A', 'C', 'D', 'E'].includes(s)) throw new Error(`BENCH_SCENARIOS: no scenario ${s} (A, C, D or E)`);
const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
const REPOSITORY = `${REGISTRY}/family-bench-${randomBytes(4).toString('hex')}/images`;
const PLATFORM = 'linux/amd64';
const CA_BUNDLE = process.env.IMAGE_BUILD_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';

const IMAGES = readdirSync(join(WORKSPACE, 'images'))
  .filter((n) => existsSync(join(WORKSPACE, 'images', n, 'Dockerfile')))
  .sort();
/** child -> parent, from each Dockerfile's `ARG BASE_IMAGE=<repository>:<parent>`. */
const PARENT = Object.fromEntries(
  IMAGES.flatMap((n) => {
    const m = /^ARG BASE_IMAGE=\S+:([\w.-]+)\s*$/m.exec(
      readFileSync(join(WORKSPACE, 'images', n, 'Dockerfile'), 'utf8'),
    );
    return m && IMAGES.includes(m[1]) ? [[n, m[1]]] : [];
  }),
);

/** The script base's last RUN step runs (scenario D changes it): `bash /scripts/<tool>/install.sh`. */
const BASE_LAST_SCRIPT = (() => {
  const runs = [
    ...readFileSync(join(WORKSPACE, 'images/base/Dockerfile'), 'utf8').matchAll(
      /bash \/(scripts\/[\w.-]+\/install\.sh)/g,
    ),
  ];
  if (!runs.length) throw new Error('images/base/Dockerfile: no `bash /scripts/<tool>/install.sh` step found');
  return runs[runs.length - 1][1];
})();

const OURS = oursCommand(PLATFORM, [`--caBundle=${CA_BUNDLE}`]);
const BAKE = [...BAKE_COMMAND, ...bakeInlineCache(IMAGES, REPOSITORY)];

async function generate() {
  const root = scratchWorkspace('family-vs-bake-', REPOSITORY);
  for (const dir of ['images', 'scripts']) cpSync(join(WORKSPACE, dir), join(root, dir), { recursive: true });
  cpSync(join(WORKSPACE, '.dockerignore'), join(root, '.dockerignore'));
  // The children name their parent in the workspace's repository (ARG BASE_IMAGE=<repository>:base);
  // here that is the benchmark's repository.
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8')); // the Dockerfiles' repository
  const ours = nxJson.plugins.find((p) => typeof p !== 'string' && p.plugin.includes('image-plugin')).options
    .repository;
  for (const name of IMAGES) {
    const file = join(root, 'images', name, 'Dockerfile');
    write(root, `images/${name}/Dockerfile`, readFileSync(file, 'utf8').replaceAll(`${ours}:`, `${REPOSITORY}:`));
  }
  write(
    root,
    'docker-bake.hcl',
    bakeFile({
      images: IMAGES,
      parent: PARENT,
      platform: PLATFORM,
      repository: REPOSITORY,
      secret: `id=ca-bundle,src=${CA_BUNDLE}`,
      baseContexts: replacedBaseContexts(readFileSync(join(root, 'images/base/Dockerfile'), 'utf8')),
    }),
  );
  await commitAll(root, 'the workspace family');
  return root;
}

/** One `nx run-many` (ours, with `extra` arguments); with expectReused, every image must have been reused. */
async function runOursChecked(root, expectReused, extra = []) {
  const r = await runOurs(root, [...OURS, ...extra], IMAGES, PARENT);
  const built = IMAGES.filter((n) => r.results[n] === 'built');
  if (expectReused && built.length) throw new Error(`ours: ${built.join(', ')} built, expected every image reused`);
  return { ...r, built };
}

const root = await generate();
let failed = false;
try {
  log(`${PLUGIN_LABEL}; Nx daemon ${DAEMON ? 'on' : 'off'}`);
  log(
    `workspace: ${root}\nrepository: ${REPOSITORY}\nimages: ${IMAGES.map((n) => (PARENT[n] ? `${PARENT[n]} -> ${n}` : n)).join(', ')}`,
  );
  // The warm-up pushes what A, C and D start from; E starts from nothing.
  if (SCENARIOS.some((s) => s !== 'E')) {
    const warmOurs = await runOursChecked(root, false);
    log(`warm-up ours: ${round(warmOurs.ms)} ms (built: ${warmOurs.built.join(', ') || 'none'})`);
    const warmBake = await runBake(root, BAKE);
    log(`warm-up bake: ${round(warmBake.ms)} ms (${warmBake.executedRuns}/${warmBake.runSteps} RUN steps executed)`);
  }

  const samples = {
    A: { ours: [], bake: [], bakeRuns: [], total: 0 },
    C: { ours: [], bake: [], bakeRuns: [], total: 0 },
    D: { ours: [], bake: [], bakeRuns: [], total: 0 },
    E: { ours: [], bake: [], bakeRuns: [], total: 0 },
  };
  /** Ours' own account (`profile: ...`) of its last run in each scenario. */
  const lastProfile = {};
  let change = 0;
  /** Scenario D: a new line in base's last script, committed; a new one before each tool's run. */
  const changeBaseLastStep = async () => {
    const file = join(root, BASE_LAST_SCRIPT);
    // A marker never written before: BuildKit's cache (shared by both tools, and by earlier runs) has no step for it.
    write(
      root,
      BASE_LAST_SCRIPT,
      `${readFileSync(file, 'utf8')}# benchmark change ${++change} ${randomBytes(8).toString('hex')}\n`,
    );
    await commitAll(root, `D: change ${change} of ${BASE_LAST_SCRIPT}`);
  };
  for (const scenario of SCENARIOS) {
    for (let i = 0; i < RUNS; i++) {
      const notes = [];
      for (const tool of inTurn(i, ['ours', 'bake'])) {
        if (scenario === 'C' || scenario === 'E') await freshRunner(REPOSITORY);
        if (scenario === 'D') await changeBaseLastStep();
        const rebuilds = scenario === 'D' || scenario === 'E';
        if (tool === 'ours') {
          if (scenario !== 'D') await git(root, 'commit', '-q', '--allow-empty', '-m', `${scenario} ${i}`);
          const cold = scenario === 'E' ? [`--buildArgs.BENCH_COLD=${randomBytes(8).toString('hex')}`] : [];
          const r = await runOursChecked(root, !rebuilds, cold);
          if (rebuilds && r.built.length !== IMAGES.length)
            throw new Error(`ours: built ${r.built.join(', ') || 'nothing'}, expected every image built`);
          samples[scenario].ours.push(r.ms);
          if (r.profile) lastProfile[scenario] = r.profile;
          const did = rebuilds ? `built: ${r.built.join(', ')}` : 'all reused';
          notes.push(`ours ${round(r.ms)} ms (${did}; executor chain ${round(r.chain)} ms)`);
        } else {
          const r = await runBake(root, scenario === 'E' ? BAKE_COMMAND : BAKE);
          samples[scenario].bake.push(r.ms);
          samples[scenario].bakeRuns.push(r.executedRuns);
          samples[scenario].total = r.runSteps;
          notes.push(`bake ${round(r.ms)} ms (${r.executedRuns}/${r.runSteps} RUN steps executed)`);
        }
      }
      log(`${scenario} ${i + 1}/${RUNS}: ${notes.join('; ')}`);
    }
  }

  const row = (label, s) => [
    label,
    round(median(s.ours)),
    round(median(s.bake)),
    `${(median(s.ours) / median(s.bake)).toFixed(2)}x`,
    `${s.bakeRuns.join(', ')} of ${s.total}`,
  ];
  console.log(
    `family-vs-bake: ${IMAGES.join(', ')}; ${PLATFORM}; provenance and SBOM off; median of ${RUNS} runs each; Nx daemon ${DAEMON ? 'on' : 'off'}; ${PLUGIN_LABEL}`,
  );
  console.log(
    table([
      ['scenario', 'ours ms', 'bake ms', 'ours/bake', 'RUN steps bake executed'],
      ...(SCENARIOS.includes('A') ? [row('A warm no-op (nothing changed)', samples.A)] : []),
      ...(SCENARIOS.includes('C') ? [row('C fresh runner (no cache, nothing changed)', samples.C)] : []),
      ...(SCENARIOS.includes('D') ? [row(`D base's last step changed (${BASE_LAST_SCRIPT})`, samples.D)] : []),
      ...(SCENARIOS.includes('E') ? [row('E cold build (no cache, nothing in the registry)', samples.E)] : []),
    ]),
  );
  for (const [scenario, profile] of Object.entries(lastProfile))
    console.log(`ours, the last run of ${scenario}, its own account: ${profile}`);
  console.log(
    JSON.stringify({
      benchmark: 'family-vs-bake',
      plugin: PLUGIN_LABEL,
      daemon: DAEMON,
      platform: PLATFORM,
      runs: RUNS,
      images: IMAGES,
      parent: PARENT,
      repository: REPOSITORY,
      samples,
      oursLastProfile: lastProfile,
    }),
  );
} catch (e) {
  failed = true;
  console.error(e.message ?? e);
  console.error(`scratch workspace kept: ${root}`);
} finally {
  await stopDaemon(root);
  if (!failed) rmSync(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
