#!/usr/bin/env node
// Benchmark: the image plugin's `image-build` executor (through `nx run-many`) against plain
// `docker buildx bake` on the same engine, the same warm BuildKit cache and the same registry.
//
// Generates a scratch workspace (this repository's nx.json, package.json, tsconfig.base.json,
// .gitignore and tools/image-plugin without tests; node_modules symlinked) with a three-level family:
//
//   root  FROM debian:trixie-slim, bind-mounts scripts/root-tool
//   left  FROM root (ARG BASE_IMAGE=<repo>:root + FROM ${BASE_IMAGE}), bind-mounts scripts/left-tool
//   right FROM root, bind-mounts scripts/right-tool
//   leaf  FROM left, bind-mounts scripts/leaf-tool
//
// and an equivalent docker-bake.hcl (children get the parent through a named context:
// `contexts = { base = "target:<parent>" }` + `args = { BASE_IMAGE = "base" }`), pushing to the same
// registry under `<repo>:bake-<image>`. Every RUN does real work (seq, sha256sum, gzip of the output).
//
// After one warm-up run of each tool:
//   A "no-op"        nothing changed. Ours: a new empty commit (it must look every content tag up and
//                    add the commit's SHA tags). Bake: the same files, it re-solves from cache and re-pushes.
//                    Also Nx's floor (lib.mjs addNxFloor): `npx nx run-many` over the same 4 projects
//                    with an executor that does nothing, what any Nx executor pays before its first line.
//   B "one script"   left's install script gets a new unique line and is committed before every single
//                    measured run (of either tool), so each run really rebuilds left and leaf; root and
//                    right are reused (ours) or cached (bake).
//   C "fresh runner" (only with BENCH_COLD=1: it empties the engine's whole BuildKit cache) nothing
//                    changed, but before every measured run the build cache is pruned and the fixture's
//                    images and debian:trixie-slim are removed from the engine, as on a new CI runner.
//                    Ours: a new empty commit; it finds every content tag in the registry. Bake: with the
//                    usual registry cache for such runners (cache-to=type=inline, cache-from=its own tag).
// BENCH_RUNS runs of each tool per scenario (default 5), alternating ours/bake (and which goes first;
// in A the floor takes turns with them).
// linux/amd64 only, provenance and SBOM off for both. Prints a table of medians and a JSON line.
//
//   node tools/benchmarks/build-vs-bake.mjs
//   BENCH_RUNS=3 BENCH_STEPS=0 KEEP_SCRATCH=1 node tools/benchmarks/build-vs-bake.mjs
//
// Needs a Docker engine with buildx (default `docker` driver, containerd image store), the mirror that
// serves debian:trixie-slim and the registry on 127.0.0.1:5000 with `docker login` done
// (BENCH_REGISTRY overrides it). Images stay in the registry under a random bench-<hex> namespace.
import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  bakeFile,
  bakeInlineCache,
  commitAll,
  freshRunner,
  git,
  log,
  addNxFloor,
  inTurn,
  median,
  nonNegativeInt,
  positiveInt,
  DAEMON,
  PLUGIN_LABEL,
  readResults,
  runBake,
  runOurs,
  runFloor,
  round,
  scratchWorkspace,
  stopDaemon,
  table,
  timed,
  write,
  oursCommand,
  BAKE_COMMAND,
  FLOOR_COMMAND,
} from './lib.mjs';

const RUNS = positiveInt(process.env.BENCH_RUNS, 5);
const STEP_RUNS = nonNegativeInt(process.env.BENCH_STEPS, 5);
const COLD = process.env.BENCH_COLD === '1';
const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
const NAMESPACE = `bench-${randomBytes(4).toString('hex')}`;
const REPOSITORY = `${REGISTRY}/${NAMESPACE}/images`;
const PLATFORM = 'linux/amd64';
const IMAGES = ['root', 'left', 'right', 'leaf'];
const PARENT = { left: 'root', right: 'root', leaf: 'left' };

const OURS = oursCommand(PLATFORM);
const BAKE = BAKE_COMMAND;
// Scenario C: bake as one sets it up for runners without a local cache (inline cache in each pushed image).
const BAKE_CACHED = [...BAKE, ...bakeInlineCache(IMAGES, REPOSITORY)];

/** An install script that does a little real work: ~1.3 MB of numbers, its checksum and a gzip of it. */
function installScript(name) {
  return [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `mkdir -p /opt/${name}`,
    `seq 1 200000 > /opt/${name}/numbers.txt`,
    `sha256sum /opt/${name}/numbers.txt > /opt/${name}/numbers.sha256`,
    `gzip -c /opt/${name}/numbers.txt > /opt/${name}/numbers.txt.gz`,
    `echo "${name} installed" > /opt/${name}/VERSION`,
    '',
  ].join('\n');
}

function dockerfile(name) {
  const from = PARENT[name]
    ? [`ARG BASE_IMAGE=${REPOSITORY}:${PARENT[name]}`, 'FROM ${BASE_IMAGE}']
    : ['FROM debian:trixie-slim'];
  return [
    ...from,
    `RUN --mount=type=bind,source=scripts/${name}-tool,target=/scripts/${name}-tool \\`,
    `    bash /scripts/${name}-tool/install.sh`,
    '',
  ].join('\n');
}

async function generate() {
  const root = scratchWorkspace('build-vs-bake-', REPOSITORY);
  write(root, '.dockerignore', 'node_modules\n.git\n.nx\ndist\ntools\n');
  for (const name of IMAGES) {
    write(root, `images/${name}/Dockerfile`, dockerfile(name));
    write(root, `scripts/${name}-tool/install.sh`, installScript(name));
  }
  write(
    root,
    'docker-bake.hcl',
    bakeFile({ images: IMAGES, parent: PARENT, platform: PLATFORM, repository: REPOSITORY }),
  );
  addNxFloor(root, IMAGES);
  await commitAll(root, 'bench fixture');
  return root;
}

/** One `nx run-many` (ours); checks every image's result kind. */
async function runOursChecked(root, expect) {
  const r = await runOurs(root, OURS, IMAGES, PARENT);
  for (const name of IMAGES) {
    if (expect && r.results[name] !== expect[name])
      throw new Error(
        `ours: ${name} was ${r.results[name]}, expected ${expect[name]}\n${r.output.split('\n').slice(-30).join('\n')}`,
      );
  }
  if (r.profile) lastProfile = r.profile;
  return r;
}
let lastProfile = null;

let change = 0;
async function changeLeftScript(root, tag) {
  change += 1;
  appendFileSync(
    join(root, 'scripts/left-tool/install.sh'),
    `echo "change ${change} ${tag} ${Date.now()}" >> /opt/left/CHANGES\n`,
  );
  await git(root, 'commit', '-q', '-am', `left-tool: change ${change}`);
}

async function steps(root, ref) {
  // Rough cost of what the executor does per image, outside the build itself.
  const repo = ref.split('@')[0].replace(/:[^/:]*$/, '');
  const probe = [
    ['npx nx --version (npx + Nx startup)', 'npx', ['nx', '--version']],
    ['npx nx show projects (Nx + plugin graph)', 'npx', ['nx', 'show', 'projects']],
    ['docker version', 'docker', ['version', '--format', '{{.Server.Version}}']],
    ['docker buildx version (preflight)', 'docker', ['buildx', 'version']],
    [
      'git rev-parse HEAD + git status',
      'sh',
      ['-c', 'git rev-parse HEAD >/dev/null && git status --porcelain >/dev/null'],
    ],
    [
      'imagetools inspect --format {{json .Manifest}}',
      'docker',
      ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'],
    ],
    ['imagetools inspect --raw', 'docker', ['buildx', 'imagetools', 'inspect', ref, '--raw']],
    [
      'imagetools inspect --format {{json .Image}}',
      'docker',
      ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Image}}'],
    ],
    ['imagetools create -t (add a tag)', 'docker', ['buildx', 'imagetools', 'create', '-t', `${repo}:step-probe`, ref]],
    ['docker buildx bake --print (bake startup)', 'docker', ['buildx', 'bake', '--print']],
  ];
  const out = [];
  for (const [label, file, args] of probe) {
    const times = [];
    for (let i = 0; i < STEP_RUNS; i++) times.push((await timed(root, file, args)).ms);
    out.push({ step: label, medianMs: round(median(times)) });
  }
  return out;
}

const root = await generate();
let failed = false;
try {
  log(
    `workspace: ${root}\nrepository: ${REPOSITORY} (ours: <image>-<sha>, <image>-content-<hash>; bake: bake-<image>)`,
  );
  log(`platform ${PLATFORM} only, provenance and SBOM off for both, ${RUNS} measured runs per tool per scenario`);
  log(`${PLUGIN_LABEL}; Nx daemon ${DAEMON ? 'on' : 'off'}`);

  const warmOurs = await runOursChecked(root, null);
  log(`warm-up ours: ${round(warmOurs.ms)} ms ${JSON.stringify(warmOurs.results)}`);
  const warmBake = await runBake(root, BAKE);
  log(`warm-up bake: ${round(warmBake.ms)} ms (${warmBake.executedRuns}/${warmBake.runSteps} RUN steps executed)`);

  const reusedAll = Object.fromEntries(IMAGES.map((n) => [n, 'reused']));
  const rebuiltLeft = { root: 'reused', right: 'reused', left: 'built', leaf: 'built' };
  const samples = Object.fromEntries(
    ['A', 'B', 'C'].map((k) => [k, { ours: [], bake: [], floor: [], oursChain: [], oursExec: [] }]),
  );
  const bakeExecuted = { A: [], B: [], C: [] };

  const measureOurs = async (scenario, expect) => {
    const r = await runOursChecked(root, expect);
    samples[scenario].ours.push(r.ms);
    samples[scenario].oursChain.push(r.chain);
    samples[scenario].oursExec.push(r.exec);
    return `ours ${round(r.ms)} ms (executor chain ${round(r.chain)} ms: ${IMAGES.map((n) => `${n} ${r.results[n]} ${r.exec[n]}`).join(', ')})`;
  };
  const measureBake = async (scenario, args = BAKE) => {
    const r = await runBake(root, args);
    samples[scenario].bake.push(r.ms);
    bakeExecuted[scenario].push(r.executedRuns);
    return `bake ${round(r.ms)} ms (${r.executedRuns}/${r.runSteps} RUN steps executed)`;
  };

  for (let i = 0; i < RUNS; i++) {
    const notes = [];
    for (const tool of inTurn(i, ['ours', 'bake', 'floor'])) {
      if (tool === 'ours') {
        await git(root, 'commit', '-q', '--allow-empty', '-m', `no-op ${i}`);
        notes.push(await measureOurs('A', reusedAll));
      } else if (tool === 'floor') {
        const ms = await runFloor(root);
        samples.A.floor.push(ms);
        notes.push(`Nx floor ${round(ms)} ms`);
      } else {
        notes.push(await measureBake('A'));
      }
    }
    log(`A no-op ${i + 1}/${RUNS}: ${notes.join('; ')}`);
  }

  for (let i = 0; i < RUNS; i++) {
    const notes = [];
    for (const tool of inTurn(i, ['ours', 'bake'])) {
      await changeLeftScript(root, `${tool}-${i}`);
      notes.push(tool === 'ours' ? await measureOurs('B', rebuiltLeft) : await measureBake('B'));
    }
    log(`B one-script ${i + 1}/${RUNS}: ${notes.join('; ')}`);
  }

  if (COLD) {
    // Both tools push the state B left (bake with its inline cache) before the measured runs.
    const warmC = await runOursChecked(root, null);
    log(`warm-up ours: ${round(warmC.ms)} ms ${JSON.stringify(warmC.results)}`);
    const warm = await runBake(root, BAKE_CACHED);
    log(
      `warm-up bake with inline cache: ${round(warm.ms)} ms (${warm.executedRuns}/${warm.runSteps} RUN steps executed)`,
    );
    for (let i = 0; i < RUNS; i++) {
      const notes = [];
      for (const tool of inTurn(i, ['ours', 'bake'])) {
        await freshRunner(REPOSITORY);
        if (tool === 'ours') {
          await git(root, 'commit', '-q', '--allow-empty', '-m', `fresh runner ${i}`);
          notes.push(await measureOurs('C', reusedAll));
        } else {
          notes.push(await measureBake('C', BAKE_CACHED));
        }
      }
      log(`C fresh runner ${i + 1}/${RUNS}: ${notes.join('; ')}`);
    }
  }

  const lastLeaf = readResults(root).leaf;
  const stepTimes = STEP_RUNS > 0 ? await steps(root, lastLeaf.pinnedReference) : [];

  const m = (xs) => round(median(xs));
  const summary = {
    benchmark: 'build-vs-bake',
    plugin: PLUGIN_LABEL,
    daemon: DAEMON,
    platform: PLATFORM,
    provenance: false,
    sbom: false,
    runs: RUNS,
    repository: REPOSITORY,
    images: IMAGES,
    commands: {
      ours: `NX_DAEMON=${DAEMON} npx ${OURS.join(' ')}`,
      bake: `docker ${BAKE.join(' ')}`,
      nxFloor: `NX_DAEMON=${DAEMON} npx ${FLOOR_COMMAND.join(' ')}`,
      ...(COLD ? { bakeFreshRunner: `docker ${BAKE_CACHED.join(' ')}` } : {}),
    },
    medianMs: {
      A_noop: {
        ours: m(samples.A.ours),
        bake: m(samples.A.bake),
        ratio: round(median(samples.A.ours) / median(samples.A.bake), 2),
        nxFloor: m(samples.A.floor),
        nxFloorRatio: round(median(samples.A.floor) / median(samples.A.bake), 2),
      },
      B_oneScript: {
        ours: m(samples.B.ours),
        bake: m(samples.B.bake),
        ratio: round(median(samples.B.ours) / median(samples.B.bake), 2),
      },
      ...(COLD
        ? {
            C_freshRunner: {
              ours: m(samples.C.ours),
              bake: m(samples.C.bake),
              ratio: round(median(samples.C.ours) / median(samples.C.bake), 2),
            },
          }
        : {}),
    },
    oursExecutorChainMedianMs: { A_noop: m(samples.A.oursChain), B_oneScript: m(samples.B.oursChain) },
    oursExecutorPerImageMedianMs: Object.fromEntries(
      (COLD ? ['A', 'B', 'C'] : ['A', 'B']).map((s) => [
        s,
        Object.fromEntries(IMAGES.map((n) => [n, m(samples[s].oursExec.map((e) => e[n]))])),
      ]),
    ),
    bakeExecutedRunSteps: bakeExecuted,
    samplesMs: {
      A_noop: {
        ours: samples.A.ours.map((x) => round(x)),
        bake: samples.A.bake.map((x) => round(x)),
        nxFloor: samples.A.floor.map((x) => round(x)),
      },
      B_oneScript: { ours: samples.B.ours.map((x) => round(x)), bake: samples.B.bake.map((x) => round(x)) },
      ...(COLD
        ? { C_freshRunner: { ours: samples.C.ours.map((x) => round(x)), bake: samples.C.bake.map((x) => round(x)) } }
        : {}),
    },
    steps: stepTimes,
    oursLastProfile: lastProfile,
  };

  const s = summary.medianMs;
  console.log(
    `build-vs-bake: ${IMAGES.length} images (root -> left, right; left -> leaf), ${PLATFORM} only, provenance and SBOM off, median of ${RUNS} runs each; Nx daemon ${DAEMON ? 'on' : 'off'}; ${PLUGIN_LABEL}`,
  );
  console.log(
    table([
      ['scenario', 'ours ms', 'bake ms', 'ours/bake'],
      ['A no-op (all pushed, nothing changed)', s.A_noop.ours, s.A_noop.bake, `${s.A_noop.ratio.toFixed(2)}x`],
      [
        "A Nx's floor (an executor that does nothing)",
        s.A_noop.nxFloor,
        s.A_noop.bake,
        `${s.A_noop.nxFloorRatio.toFixed(2)}x`,
      ],
      [
        'B one-script change (left + leaf rebuilt)',
        s.B_oneScript.ours,
        s.B_oneScript.bake,
        `${s.B_oneScript.ratio.toFixed(2)}x`,
      ],
      ...(COLD
        ? [
            [
              'C fresh runner (no local cache, nothing changed)',
              s.C_freshRunner.ours,
              s.C_freshRunner.bake,
              `${s.C_freshRunner.ratio.toFixed(2)}x`,
            ],
          ]
        : []),
    ]),
  );
  console.log(
    `\nA: ours takes ${s.A_noop.ours - s.A_noop.nxFloor} ms more than Nx's floor, which no Nx executor goes below (npx, Nx start-up, graph, task hashing and the batch worker)`,
  );
  console.log(
    `ours, executor time along root -> left -> leaf (the rest is Nx/npx startup and task scheduling): A ${summary.oursExecutorChainMedianMs.A_noop} ms, B ${summary.oursExecutorChainMedianMs.B_oneScript} ms`,
  );
  console.log(
    `RUN steps bake executed per run (of ${IMAGES.length}): ${Object.entries(bakeExecuted)
      .filter(([, runs]) => runs.length)
      .map(([k, runs]) => `${k} [${runs.join(', ')}]`)
      .join(', ')}; ours builds only what its result says (A: none, B: left and leaf, C: none)`,
  );
  if (lastProfile) console.log(`\nours, the last run's own account: ${lastProfile}`);
  if (stepTimes.length) {
    console.log(`\nsingle steps (median of ${STEP_RUNS}):`);
    console.log(table([['step', 'ms'], ...stepTimes.map((t) => [t.step, t.medianMs])]));
  }
  console.log();
  console.log(JSON.stringify(summary));
} catch (e) {
  failed = true;
  console.error(e.message ?? e);
  console.error(`scratch workspace kept: ${root}`);
} finally {
  await stopDaemon(root);
  if (!failed && !process.env.KEEP_SCRATCH) rmSync(root, { recursive: true, force: true });
  else if (!failed) log(`scratch workspace kept: ${root}`);
}
process.exitCode = failed ? 1 : 0;
