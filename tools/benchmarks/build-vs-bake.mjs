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
//   B "one script"   left's install script gets a new unique line and is committed before every single
//                    measured run (of either tool), so each run really rebuilds left and leaf; root and
//                    right are reused (ours) or cached (bake).
//   C "fresh runner" (only with BENCH_COLD=1: it empties the engine's whole BuildKit cache) nothing
//                    changed, but before every measured run the build cache is pruned and the fixture's
//                    images and debian:trixie-slim are removed from the engine, as on a new CI runner.
//                    Ours: a new empty commit; it finds every content tag in the registry. Bake: with the
//                    usual registry cache for such runners (cache-to=type=inline, cache-from=its own tag).
// BENCH_RUNS runs of each tool per scenario (default 5), alternating ours/bake (and which goes first).
// linux/amd64 only, provenance and SBOM off for both. Prints a table of medians and a JSON line.
//
//   node tools/benchmarks/build-vs-bake.mjs
//   BENCH_RUNS=3 BENCH_STEPS=0 KEEP_SCRATCH=1 node tools/benchmarks/build-vs-bake.mjs
//
// Needs a Docker engine with buildx (default `docker` driver, containerd image store), the mirror that
// serves debian:trixie-slim and the registry on 127.0.0.1:5000 with `docker login` done
// (BENCH_REGISTRY overrides it). Images stay in the registry under a random bench-<hex> namespace.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = positiveInt(process.env.BENCH_RUNS, 5);
const STEP_RUNS = nonNegativeInt(process.env.BENCH_STEPS, 5);
const COLD = process.env.BENCH_COLD === '1';
const REGISTRY = process.env.BENCH_REGISTRY ?? '127.0.0.1:5000';
const NAMESPACE = `bench-${randomBytes(4).toString('hex')}`;
const REPOSITORY = `${REGISTRY}/${NAMESPACE}/images`;
const PLATFORM = 'linux/amd64';
const IMAGES = ['root', 'left', 'right', 'leaf'];
const PARENT = { left: 'root', right: 'root', leaf: 'left' };

const OURS = ['nx', 'run-many', '-t', 'image-build', '--push', '--sbom=false', '--provenance=false', `--platforms=${PLATFORM}`, '--outputStyle=static'];
const BAKE = ['buildx', 'bake', '--push', '--provenance=false', '--progress=plain'];
// Scenario C: bake as one sets it up for runners without a local cache (inline cache in each pushed image).
const BAKE_CACHED = [
  ...BAKE,
  ...IMAGES.flatMap((n) => ['--set', `${n}.cache-to=type=inline`, '--set', `${n}.cache-from=type=registry,ref=${REPOSITORY}:bake-${n}`]),
];

function positiveInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
function nonNegativeInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
const log = (line) => process.stderr.write(`${line}\n`);
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

function write(root, path, content) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

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
  const from = PARENT[name] ? [`ARG BASE_IMAGE=${REPOSITORY}:${PARENT[name]}`, 'FROM ${BASE_IMAGE}'] : ['FROM debian:trixie-slim'];
  return [
    ...from,
    `RUN --mount=type=bind,source=scripts/${name}-tool,target=/scripts/${name}-tool \\`,
    `    bash /scripts/${name}-tool/install.sh`,
    '',
  ].join('\n');
}

function bakeFile() {
  const targets = IMAGES.map((name) => {
    const lines = [
      `target "${name}" {`,
      '  context    = "."',
      `  dockerfile = "images/${name}/Dockerfile"`,
      `  platforms  = ["${PLATFORM}"]`,
      `  tags       = ["${REPOSITORY}:bake-${name}"]`,
    ];
    if (PARENT[name]) {
      // FROM ${BASE_IMAGE} -> FROM base -> the named context "base" = the parent target's result.
      lines.push(`  contexts   = { base = "target:${PARENT[name]}" }`, '  args       = { BASE_IMAGE = "base" }');
    }
    lines.push('}');
    return lines.join('\n');
  });
  return [`group "default" {\n  targets = [${IMAGES.map((n) => `"${n}"`).join(', ')}]\n}`, ...targets, ''].join('\n\n');
}

async function git(root, ...args) {
  await execa('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: root });
}

async function generate() {
  const root = mkdtempSync(join(tmpdir(), 'build-vs-bake-'));
  for (const f of ['package.json', 'tsconfig.base.json']) cpSync(join(WORKSPACE, f), join(root, f));
  cpSync(join(WORKSPACE, 'tools/image-plugin'), join(root, 'tools/image-plugin'), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.ts') && !/\/tools\/image-plugin\/(test|node_modules)(\/|$)/.test(src),
  });
  symlinkSync(join(WORKSPACE, 'node_modules'), join(root, 'node_modules'), 'dir');
  // The repository's `node_modules/` pattern only matches a directory, not the symlink: add the bare name.
  write(root, '.gitignore', `${readFileSync(join(WORKSPACE, '.gitignore'), 'utf8').trimEnd()}\nnode_modules\n`);
  write(root, '.dockerignore', 'node_modules\n.git\n.nx\ndist\ntools\n');

  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8'));
  const plugin = nxJson.plugins.find((p) => (typeof p === 'string' ? p : p.plugin).includes('image-plugin'));
  if (!plugin) throw new Error('nx.json of the workspace has no image plugin entry');
  nxJson.plugins = nxJson.plugins.map((p) =>
    p === plugin ? { plugin: typeof p === 'string' ? p : p.plugin, options: { ...(p.options ?? {}), repository: REPOSITORY } } : p,
  );
  write(root, 'nx.json', `${JSON.stringify(nxJson, null, 2)}\n`);

  for (const name of IMAGES) {
    write(root, `images/${name}/Dockerfile`, dockerfile(name));
    write(root, `scripts/${name}-tool/install.sh`, installScript(name));
  }
  write(root, 'docker-bake.hcl', bakeFile());
  await execa('git', ['init', '-q', '-b', 'main'], { cwd: root });
  await git(root, 'add', '-A');
  await git(root, 'commit', '-q', '-m', 'bench fixture');
  return root;
}

const ENV = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: 'true',
  FORCE_COLOR: '0',
};
delete ENV.CI; // the executor's progress default depends on CI; leave it to the tools

async function timed(root, file, args) {
  const start = performance.now();
  const r = await execa(file, args, { cwd: root, env: ENV, all: true, reject: false, stdin: 'ignore' });
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.exitCode}\n${String(r.all).split('\n').slice(-40).join('\n')}`);
  return { ms, output: String(r.all) };
}

function readResults(root) {
  const dir = join(root, 'dist/images');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
      .map((r) => [r.image, r]),
  );
}

/** One `nx run-many` (ours); checks every image's result kind and keeps the executor's own durations. */
async function runOurs(root, expect) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const { ms, output } = await timed(root, 'npx', OURS);
  const results = readResults(root);
  for (const name of IMAGES) {
    const r = results[name];
    if (!r) throw new Error(`ours: no result for ${name}\n${output.split('\n').slice(-30).join('\n')}`);
    if (expect && r.result !== expect[name]) throw new Error(`ours: ${name} was ${r.result}, expected ${expect[name]}\n${output.split('\n').slice(-30).join('\n')}`);
  }
  const exec = Object.fromEntries(IMAGES.map((n) => [n, results[n].durationMs]));
  // The executor's own time along the longest chain root -> left -> leaf (right runs beside left).
  const chain = exec.root + Math.max(exec.left + exec.leaf, exec.right);
  return { ms, exec, chain, results: Object.fromEntries(IMAGES.map((n) => [n, results[n].result])) };
}

/** One `docker buildx bake --push`; counts the RUN steps that executed (not CACHED). */
async function runBake(root, args = BAKE) {
  const { ms, output } = await timed(root, 'docker', args);
  const runSteps = new Set();
  const cached = new Set();
  for (const line of output.split('\n')) {
    const m = /^#(\d+) \[[^\]]*\] RUN /.exec(line);
    if (m) runSteps.add(m[1]);
    const c = /^#(\d+) CACHED/.exec(line);
    if (c) cached.add(c[1]);
  }
  const executed = [...runSteps].filter((id) => !cached.has(id)).length;
  return { ms, runSteps: runSteps.size, executedRuns: executed };
}

/** A new CI runner: no BuildKit cache, none of the fixture's images, no base image in the engine. */
async function freshRunner() {
  await execa('docker', ['buildx', 'prune', '-af'], { env: ENV });
  const listed = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { env: ENV });
  const ours = listed.stdout.split('\n').filter((ref) => ref.startsWith(`${REPOSITORY}:`) || ref === 'debian:trixie-slim');
  if (ours.length) await execa('docker', ['image', 'rm', '-f', ...ours], { env: ENV });
}

let change = 0;
async function changeLeftScript(root, tag) {
  change += 1;
  appendFileSync(join(root, 'scripts/left-tool/install.sh'), `echo "change ${change} ${tag} ${Date.now()}" >> /opt/left/CHANGES\n`);
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
    ['git rev-parse HEAD + git status', 'sh', ['-c', 'git rev-parse HEAD >/dev/null && git status --porcelain >/dev/null']],
    ['imagetools inspect --format {{json .Manifest}}', 'docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']],
    ['imagetools inspect --raw', 'docker', ['buildx', 'imagetools', 'inspect', ref, '--raw']],
    ['imagetools inspect --format {{json .Image}}', 'docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Image}}']],
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

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const root = await generate();
let failed = false;
try {
  log(`workspace: ${root}\nrepository: ${REPOSITORY} (ours: <image>-<sha>, <image>-content-<hash>; bake: bake-<image>)`);
  log(`platform ${PLATFORM} only, provenance and SBOM off for both, ${RUNS} measured runs per tool per scenario`);

  const warmOurs = await runOurs(root, null);
  log(`warm-up ours: ${round(warmOurs.ms)} ms ${JSON.stringify(warmOurs.results)}`);
  const warmBake = await runBake(root);
  log(`warm-up bake: ${round(warmBake.ms)} ms (${warmBake.executedRuns}/${warmBake.runSteps} RUN steps executed)`);

  const reusedAll = Object.fromEntries(IMAGES.map((n) => [n, 'reused']));
  const rebuiltLeft = { root: 'reused', right: 'reused', left: 'built', leaf: 'built' };
  const samples = Object.fromEntries(['A', 'B', 'C'].map((k) => [k, { ours: [], bake: [], oursChain: [], oursExec: [] }]));
  const bakeExecuted = { A: [], B: [], C: [] };

  const measureOurs = async (scenario, expect) => {
    const r = await runOurs(root, expect);
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
    const order = i % 2 === 0 ? ['ours', 'bake'] : ['bake', 'ours'];
    const notes = [];
    for (const tool of order) {
      if (tool === 'ours') {
        await git(root, 'commit', '-q', '--allow-empty', '-m', `no-op ${i}`);
        notes.push(await measureOurs('A', reusedAll));
      } else {
        notes.push(await measureBake('A'));
      }
    }
    log(`A no-op ${i + 1}/${RUNS}: ${notes.join('; ')}`);
  }

  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? ['ours', 'bake'] : ['bake', 'ours'];
    const notes = [];
    for (const tool of order) {
      await changeLeftScript(root, `${tool}-${i}`);
      notes.push(tool === 'ours' ? await measureOurs('B', rebuiltLeft) : await measureBake('B'));
    }
    log(`B one-script ${i + 1}/${RUNS}: ${notes.join('; ')}`);
  }

  if (COLD) {
    // Both tools push the state B left (bake with its inline cache) before the measured runs.
    const warmC = await runOurs(root, null);
    log(`warm-up ours: ${round(warmC.ms)} ms ${JSON.stringify(warmC.results)}`);
    const warm = await runBake(root, BAKE_CACHED);
    log(`warm-up bake with inline cache: ${round(warm.ms)} ms (${warm.executedRuns}/${warm.runSteps} RUN steps executed)`);
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? ['ours', 'bake'] : ['bake', 'ours'];
      const notes = [];
      for (const tool of order) {
        await freshRunner();
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
    platform: PLATFORM,
    provenance: false,
    sbom: false,
    runs: RUNS,
    repository: REPOSITORY,
    images: IMAGES,
    commands: { ours: `NX_DAEMON=false npx ${OURS.join(' ')}`, bake: `docker ${BAKE.join(' ')}`, ...(COLD ? { bakeFreshRunner: `docker ${BAKE_CACHED.join(' ')}` } : {}) },
    medianMs: {
      A_noop: { ours: m(samples.A.ours), bake: m(samples.A.bake), ratio: round(median(samples.A.ours) / median(samples.A.bake), 2) },
      B_oneScript: { ours: m(samples.B.ours), bake: m(samples.B.bake), ratio: round(median(samples.B.ours) / median(samples.B.bake), 2) },
      ...(COLD ? { C_freshRunner: { ours: m(samples.C.ours), bake: m(samples.C.bake), ratio: round(median(samples.C.ours) / median(samples.C.bake), 2) } } : {}),
    },
    oursExecutorChainMedianMs: { A_noop: m(samples.A.oursChain), B_oneScript: m(samples.B.oursChain) },
    oursExecutorPerImageMedianMs: Object.fromEntries(
      (COLD ? ['A', 'B', 'C'] : ['A', 'B']).map((s) => [s, Object.fromEntries(IMAGES.map((n) => [n, m(samples[s].oursExec.map((e) => e[n]))]))]),
    ),
    bakeExecutedRunSteps: bakeExecuted,
    samplesMs: {
      A_noop: { ours: samples.A.ours.map((x) => round(x)), bake: samples.A.bake.map((x) => round(x)) },
      B_oneScript: { ours: samples.B.ours.map((x) => round(x)), bake: samples.B.bake.map((x) => round(x)) },
      ...(COLD ? { C_freshRunner: { ours: samples.C.ours.map((x) => round(x)), bake: samples.C.bake.map((x) => round(x)) } } : {}),
    },
    steps: stepTimes,
  };

  const s = summary.medianMs;
  console.log(`build-vs-bake: ${IMAGES.length} images (root -> left, right; left -> leaf), ${PLATFORM} only, provenance and SBOM off, median of ${RUNS} runs each`);
  console.log(
    table([
      ['scenario', 'ours ms', 'bake ms', 'ours/bake'],
      ['A no-op (all pushed, nothing changed)', s.A_noop.ours, s.A_noop.bake, `${s.A_noop.ratio.toFixed(2)}x`],
      ['B one-script change (left + leaf rebuilt)', s.B_oneScript.ours, s.B_oneScript.bake, `${s.B_oneScript.ratio.toFixed(2)}x`],
      ...(COLD ? [['C fresh runner (no local cache, nothing changed)', s.C_freshRunner.ours, s.C_freshRunner.bake, `${s.C_freshRunner.ratio.toFixed(2)}x`]] : []),
    ]),
  );
  console.log(
    `\nours, executor time along root -> left -> leaf (the rest is Nx/npx startup and task scheduling): A ${summary.oursExecutorChainMedianMs.A_noop} ms, B ${summary.oursExecutorChainMedianMs.B_oneScript} ms`,
  );
  console.log(
    `RUN steps bake executed per run (of ${IMAGES.length}): ${Object.entries(bakeExecuted)
      .filter(([, runs]) => runs.length)
      .map(([k, runs]) => `${k} [${runs.join(', ')}]`)
      .join(', ')}; ours builds only what its result says (A: none, B: left and leaf, C: none)`,
  );
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
  if (!failed && !process.env.KEEP_SCRATCH) rmSync(root, { recursive: true, force: true });
  else if (!failed) log(`scratch workspace kept: ${root}`);
}
process.exitCode = failed ? 1 : 0;
