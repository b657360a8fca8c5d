// Shared parts of the build benchmarks: a scratch copy of this workspace's Nx set-up, timing,
// medians, bake output parsing, a fresh-runner reset and a plain-text table.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

export const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function positiveInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
export function nonNegativeInt(value, fallback) {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
export const log = (line) => process.stderr.write(`${line}\n`);
export const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
/** The order of the commands in run `i`: each goes first in turn (ours, bake; bake, ours; ...). */
export const inTurn = (i, tools) => tools.map((_, k) => tools[(i + k) % tools.length]);

export function write(root, path, content) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

export async function git(root, ...args) {
  await execa('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: root });
}

/**
 * Where the benchmarked plugin comes from: this checkout, or BENCH_PLUGIN_FROM, a folder holding another
 * checkout's `nx.json` and `tools/image-plugin` (to measure before and after in one session, e.g.
 * `mkdir /tmp/before && git archive 1e9b1de nx.json tools/image-plugin | tar -x -C /tmp/before`).
 * This checkout's build must be current (npm run build); an older checkout may load its TypeScript.
 */
export const PLUGIN_FROM = process.env.BENCH_PLUGIN_FROM ? resolve(process.env.BENCH_PLUGIN_FROM) : WORKSPACE;
export const PLUGIN_LABEL = process.env.BENCH_PLUGIN_FROM ? `plugin from ${PLUGIN_FROM}` : 'plugin from this checkout';

/** With BENCH_DAEMON=1 Nx runs with its daemon (as on a laptop); default: without (as in CI). */
export const DAEMON = ['1', 'true'].includes(process.env.BENCH_DAEMON ?? '');

/** Copies the benchmarked plugin (PLUGIN_FROM, without tests) into a scratch workspace. */
export function copyPlugin(root) {
  cpSync(join(PLUGIN_FROM, 'tools/image-plugin'), join(root, 'tools/image-plugin'), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.ts') && !/\/tools\/image-plugin\/(test|node_modules)(\/|$)/.test(src),
  });
}

/**
 * Nx's settings besides nx.json come with the benchmarked checkout when it has them: `.env`
 * (NX_ISOLATE_PLUGINS) and `.nxignore` (the plugin's own folder is no Nx project).
 */
export function copyNxSettings(root) {
  for (const file of ['.env', '.nxignore'])
    if (existsSync(join(PLUGIN_FROM, file))) cpSync(join(PLUGIN_FROM, file), join(root, file));
}

/** The image plugin's options without `build.compression`: every benchmark's workspace pushes gzip (nxJsonWith). */
export function withoutCompression(options) {
  if (!options?.build?.compression) return options ?? {};
  const build = { ...options.build };
  delete build.compression;
  return { ...options, build };
}

/**
 * PLUGIN_FROM's nx.json with the image plugin's options set (the repository). Without the repository's
 * own `build.compression` (zstd here): bake and a plain buildx push gzip, so ours pushes the plugin's default,
 * gzip, as well, and a comparison measures the orchestration, not the compression (`bench:start` asks for
 * each compression on its command line).
 */
export function nxJsonWith(options) {
  const nxJson = JSON.parse(readFileSync(join(PLUGIN_FROM, 'nx.json'), 'utf8'));
  const plugin = nxJson.plugins.find((p) => (typeof p === 'string' ? p : p.plugin).includes('image-plugin'));
  if (!plugin) throw new Error(`nx.json of ${PLUGIN_FROM} has no image plugin entry`);
  nxJson.plugins = nxJson.plugins.map((p) =>
    p === plugin
      ? { plugin: typeof p === 'string' ? p : p.plugin, options: { ...withoutCompression(p.options), ...options } }
      : p,
  );
  return { nxJson, plugin };
}

/**
 * The scratch workspace's node_modules: a link to each of this repository's packages, except the image
 * plugin's own package, which points at the scratch copy. Nx resolves the executor
 * (`@workspace-images/image-plugin:image-build`) through node_modules, so a link to this repository's
 * whole node_modules would run this checkout's executor whatever plugin BENCH_PLUGIN_FROM names.
 */
function linkNodeModules(root) {
  const from = join(WORKSPACE, 'node_modules');
  const to = join(root, 'node_modules');
  mkdirSync(join(to, '@workspace-images'), { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry !== '@workspace-images') symlinkSync(join(from, entry), join(to, entry));
  }
  symlinkSync(join(root, 'tools/image-plugin'), join(to, '@workspace-images/image-plugin'), 'dir');
}

/**
 * A scratch workspace with this repository's package.json, tsconfig.base.json, .gitignore, the
 * benchmarked checkout's .env, .nxignore and tools/image-plugin (without tests; node_modules linked, see linkNodeModules), and nx.json
 * pointing the plugin at `repository`. The caller adds images, scripts and a bake file, then commits.
 */
export function scratchWorkspace(prefix, repository) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const f of ['package.json', 'tsconfig.base.json']) cpSync(join(WORKSPACE, f), join(root, f));
  copyPlugin(root);
  linkNodeModules(root);
  write(root, '.gitignore', readFileSync(join(WORKSPACE, '.gitignore'), 'utf8'));
  write(root, 'nx.json', `${JSON.stringify(nxJsonWith({ repository }).nxJson, null, 2)}\n`);
  copyNxSettings(root);
  return root;
}

/**
 * Nx's own floor for a family: `npx nx run-many -t nx-floor`, one batch over every image like ours, with
 * an executor that does nothing. Its time is what npx and Nx cost before any executor does work (start-up,
 * graph, task hashing, the batch worker), so ours / floor shows what ours adds and floor / bake what no
 * Nx executor can go below. Writes tools/nx-floor and an `images/<name>/project.json` with the target
 * into the scratch workspace (before its first commit: the files are part of each image's folder).
 */
export function addNxFloor(root, images) {
  write(
    root,
    'tools/nx-floor/package.json',
    `${JSON.stringify({ name: 'nx-floor', private: true, executors: './executors.json' })}\n`,
  );
  const floor = {
    implementation: './floor.js',
    batchImplementation: './floor.js',
    preferBatch: true,
    schema: './schema.json',
    description: 'Does nothing',
  };
  write(root, 'tools/nx-floor/executors.json', `${JSON.stringify({ executors: { floor } })}\n`);
  write(root, 'tools/nx-floor/schema.json', '{ "type": "object", "properties": {} }\n');
  write(
    root,
    'tools/nx-floor/floor.js',
    [
      '// Batch: every task of the batch succeeds; one task: it succeeds.',
      'module.exports = async (taskGraph) =>',
      '  taskGraph && taskGraph.tasks',
      "    ? Object.fromEntries(Object.keys(taskGraph.tasks).map((id) => [id, { success: true, terminalOutput: '' }]))",
      '    : { success: true };',
      '',
    ].join('\n'),
  );
  for (const name of images)
    write(
      root,
      `images/${name}/project.json`,
      `${JSON.stringify({ targets: { 'nx-floor': { executor: './tools/nx-floor:floor' } } })}\n`,
    );
}
export const FLOOR_COMMAND = ['nx', 'run-many', '-t', 'nx-floor', '--outputStyle=static'];
/** One run of Nx's floor (addNxFloor): its time. */
export const runFloor = async (root) => (await timed(root, 'npx', FLOOR_COMMAND)).ms;

/** Stops the scratch workspace's Nx daemon (BENCH_DAEMON=1), so no daemon outlives a benchmark. */
export async function stopDaemon(root) {
  if (DAEMON) await execa('npx', ['--no-install', 'nx', 'daemon', '--stop'], { cwd: root, env: ENV, reject: false });
}

export async function commitAll(root, message) {
  await execa('git', ['init', '-q', '-b', 'main'], { cwd: root });
  await git(root, 'add', '-A');
  await git(root, 'commit', '-q', '-m', message);
}

/**
 * The two commands every build benchmark compares, pushing one platform with provenance and SBOM off:
 * ours (`npx` + these arguments) and bake (`docker` + these arguments). `extra` adds arguments of ours.
 */
export const oursCommand = (platform, extra = []) => [
  'nx',
  'run-many',
  '-t',
  'image-build',
  '--push',
  '--sbom=false',
  '--provenance=false',
  `--platforms=${platform}`,
  ...extra,
  '--outputStyle=static',
];
export const BAKE_COMMAND = ['buildx', 'bake', '--push', '--provenance=false', '--progress=plain'];

export const ENV = {
  ...process.env,
  NX_DAEMON: DAEMON ? 'true' : 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: 'true',
  FORCE_COLOR: '0',
  // Ours prints where its time went (`profile: ...`); a plugin without the profile ignores it.
  IMAGE_BUILD_PROFILE: '1',
  // The test environment's mirror digest replaces the Dockerfiles' pin of debian:trixie-slim (tools/test-env).
  IMAGE_BASE_PINS:
    process.env.IMAGE_BASE_PINS ??
    `${process.env.TEST_ENV_HOME ?? '/var/cache/image-orchestrator-test-env'}/base-pins.json`,
};
delete ENV.CI; // the executor's progress default depends on CI; leave it to the tools

export async function timed(root, file, args) {
  const start = performance.now();
  const r = await execa(file, args, { cwd: root, env: ENV, all: true, reject: false, stdin: 'ignore' });
  const ms = performance.now() - start;
  if (r.exitCode !== 0)
    throw new Error(
      `${file} ${args.join(' ')} exited ${r.exitCode}\n${String(r.all).split('\n').slice(-40).join('\n')}`,
    );
  return { ms, output: String(r.all) };
}

/** `dist/images/*.json` of the scratch workspace, by image. */
export function readResults(root) {
  const dir = join(root, 'dist/images');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
      .map((r) => [r.image, r]),
  );
}

/** The executor's own time along the longest parent -> child chain (siblings run side by side). */
export function longestChain(exec, parent) {
  const along = (name) => exec[name] + (parent[name] ? along(parent[name]) : 0);
  return Math.max(...Object.keys(exec).map(along));
}

/** From `docker buildx bake --progress=plain` output: RUN steps, and how many ran (not CACHED). */
export function bakeRunSteps(output) {
  const runSteps = new Set();
  const cached = new Set();
  for (const line of output.split('\n')) {
    const m = /^#(\d+) \[[^\]]*\] RUN /.exec(line);
    if (m) runSteps.add(m[1]);
    const c = /^#(\d+) CACHED/.exec(line);
    if (c) cached.add(c[1]);
  }
  return { runSteps: runSteps.size, executedRuns: [...runSteps].filter((id) => !cached.has(id)).length };
}

/** A new CI runner: no BuildKit cache, none of `repository`'s images, no base image in the engine. */
export async function freshRunner(repository, baseImages = ['debian:trixie-slim']) {
  await execa('docker', ['buildx', 'prune', '-af'], { env: ENV });
  const listed = await execa('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { env: ENV });
  const refs = listed.stdout.split('\n').filter((ref) => ref.startsWith(`${repository}:`) || baseImages.includes(ref));
  if (refs.length) await execa('docker', ['image', 'rm', '-f', ...refs], { env: ENV });
}

export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) =>
    `| ${r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/**
 * A docker-bake.hcl for a family: one target per image pushed as `<repository>:bake-<image>`; a child
 * gets its parent through a named context (FROM ${BASE_IMAGE} -> FROM base -> the parent target), a root
 * its replaced base pins (`baseContexts`: FROM reference -> `docker-image://...`), as ours gets them.
 */
export function bakeFile({ images, parent, platform, repository, secret, baseContexts = {} }) {
  const targets = images.map((name) => {
    const lines = [
      `target "${name}" {`,
      '  context    = "."',
      `  dockerfile = "images/${name}/Dockerfile"`,
      `  platforms  = ["${platform}"]`,
      `  tags       = ["${repository}:bake-${name}"]`,
    ];
    if (secret) lines.push(`  secret     = ["${secret}"]`);
    if (parent[name])
      lines.push(`  contexts   = { base = "target:${parent[name]}" }`, '  args       = { BASE_IMAGE = "base" }');
    else if (Object.keys(baseContexts).length)
      lines.push(
        `  contexts   = { ${Object.entries(baseContexts)
          .map(([ref, to]) => `"${ref}" = "${to}"`)
          .join(', ')} }`,
      );
    lines.push('}');
    return lines.join('\n');
  });
  return [`group "default" {\n  targets = [${images.map((n) => `"${n}"`).join(', ')}]\n}`, ...targets, ''].join('\n\n');
}

/** Bake's inline-cache set-up for runners without a local cache: cache-to inline, cache-from its own tag. */
export const bakeInlineCache = (images, repository) =>
  images.flatMap((n) => [
    '--set',
    `${n}.cache-to=type=inline`,
    '--set',
    `${n}.cache-from=type=registry,ref=${repository}:bake-${n}`,
  ]);

/**
 * One `npx nx run-many ...` of ours: its time, every image's result, the executor's own time per image
 * and along the longest chain. Fails when an image has no result.
 */
export async function runOurs(root, args, images, parent) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const { ms, output } = await timed(root, 'npx', args);
  const results = readResults(root);
  const missing = images.filter((n) => !results[n]);
  if (missing.length)
    throw new Error(`ours: no result for ${missing.join(', ')}\n${output.split('\n').slice(-30).join('\n')}`);
  const exec = Object.fromEntries(images.map((n) => [n, results[n].durationMs]));
  return {
    ms,
    output,
    exec,
    chain: longestChain(exec, parent),
    results: Object.fromEntries(images.map((n) => [n, results[n].result])),
    /** Ours' own account of the run (`profile: ...`), when the plugin prints one. */
    profile: /^profile: .*$/m.exec(output)?.[0] ?? null,
  };
}

/** One `docker buildx <args>` (bake): its time and how many RUN steps ran. */
export async function runBake(root, args) {
  const { ms, output } = await timed(root, 'docker', args);
  return { ms, ...bakeRunSteps(output) };
}

/**
 * The named contexts that give bake the replacements IMAGE_BASE_PINS makes for ours: each pinned
 * `FROM <name>@sha256:...` of `dockerfile` whose name the replacement file lists.
 */
export function replacedBaseContexts(dockerfile) {
  const file = ENV.IMAGE_BASE_PINS;
  if (!file || !existsSync(file)) return {};
  const pins = JSON.parse(readFileSync(file, 'utf8'));
  const contexts = {};
  for (const [, ref, name] of dockerfile.matchAll(
    /^FROM\s+(?:--platform=\S+\s+)?((\S+?)(?::[^\s@/]+)?@sha256:[0-9a-f]{64})/gm,
  )) {
    const key = Object.keys(pins).find((k) => ref.startsWith(`${k}@`));
    if (key) contexts[ref] = `docker-image://${name}@${pins[key]}`;
  }
  return contexts;
}
