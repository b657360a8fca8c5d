// Cold start of each image of the family, gzip layers against zstd layers in the same run: the time a
// fresh node needs from nothing to a workspace whose Coder agent script runs.
//
//   npm run bench:start                      # BENCH_RUNS=3 runs, every image of the family
//   BENCH_IMAGES=base,node BENCH_RUNS=5 npm run bench:start
//   BENCH_REPOSITORY=127.0.0.1:5000/coldstart-1a2b/images npm run bench:start   # reuse an earlier push
//
// 1. Build and push the family twice to the password registry under one new repository (or
//    BENCH_REPOSITORY), with the plugin itself: `--compression=gzip` and `--compression=zstd`, linux/amd64,
//    no attestations. The engine's BuildKit cache has the layers, so each build mostly (re)compresses; the
//    content hash covers the compression, so the two pushes are two content tags of the same files.
// 2. Per run, per image, per compression (each compression first in turn):
//    - fetch: a containerd of our own with an empty root (nothing shared with the engine's store, where
//      other builds keep the same layers) fetches every blob of the image from the registry;
//    - unpack: the same containerd then pulls the image, the blobs already there: decompressing and
//      applying the layers to overlayfs snapshots. `docker pull` (containerd image store) does both, with
//      the downloads and the unpacking overlapped: fetch + unpack is the sequential time, an upper bound;
//    - start: on the engine, the container as the Coder template creates it (privileged, private cgroup
//      namespace, tmpfs /run, /run/lock, /tmp, fresh home and projects volumes, /var/lib/docker for
//      developer, the agent token, /etc/coder/agent-init.sh uploaded) from `docker create` until
//      coder-agent.service has run the init script (a stand-in that writes a marker, where Coder's would
//      download the agent): what a workspace start waits for once the image is there.
// 3. Prints per image and compression the compressed size and the medians, and zstd / gzip.
//
// Removes what it created: its containers, volumes, its own tags in the engine's image store and its
// containerd roots. Needs root (its own containerd), the test environment's registry and engine.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, chmodSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import {
  ENV,
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
  table,
  timed,
  write,
} from './lib.mjs';

const RUNS = positiveInt(process.env.BENCH_RUNS, 3);
const FAMILY = ['base', 'node', 'cpp', 'developer'];
const IMAGES = (process.env.BENCH_IMAGES ?? FAMILY.join(',')).split(',').filter(Boolean);
const COMPRESSIONS = ['gzip', 'zstd'];
const REGISTRY = '127.0.0.1:5000';
const CREDENTIALS = 'ci:ci-password';
const PLATFORM = 'linux/amd64';
const ID = randomBytes(3).toString('hex');
const REPOSITORY = process.env.BENCH_REPOSITORY ?? `${REGISTRY}/coldstart-${ID}/images`;
const START_TIMEOUT_MS = 180_000;
/** BENCH_STOP_AT (an ISO time): no run starts after it; the table has the runs done by then. */
const STOP_AT = process.env.BENCH_STOP_AT ? Date.parse(process.env.BENCH_STOP_AT) : Infinity;
const pastStop = () => Date.now() > STOP_AT;
const MiB = 1024 * 1024;
/** The build's CA bundle secret, as the other family benchmarks pass it. */
const CA_BUNDLE = process.env.IMAGE_BUILD_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';

const own = { containers: [], volumes: [] };
const docker = (args, opts = {}) => execa('docker', args, { env: ENV, ...opts });

/**
 * A scratch workspace with this checkout's family (images, scripts, .dockerignore) committed, the children
 * naming their parent in the benchmark's repository (a push needs a clean commit).
 */
async function familyWorkspace() {
  const root = scratchWorkspace('cold-start-', REPOSITORY);
  for (const dir of ['images', 'scripts']) cpSync(join(WORKSPACE, dir), join(root, dir), { recursive: true });
  cpSync(join(WORKSPACE, '.dockerignore'), join(root, '.dockerignore'));
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE, 'nx.json'), 'utf8'));
  const ours = nxJson.plugins.find((p) => typeof p !== 'string' && p.plugin.includes('image-plugin')).options
    .repository;
  for (const name of FAMILY) {
    const file = join(root, 'images', name, 'Dockerfile');
    write(root, `images/${name}/Dockerfile`, readFileSync(file, 'utf8').replaceAll(`${ours}:`, `${REPOSITORY}:`));
  }
  await commitAll(root, 'the workspace family');
  return root;
}

/** Builds and pushes the family with one compression; the results (digest, compressed size) by image. */
async function pushFamily(root, compression) {
  const args = ['nx', 'run-many', '-t', 'image-build', `--projects=${IMAGES.join(',')}`, '--push'];
  args.push('--sbom=false', '--provenance=false', `--platforms=${PLATFORM}`, `--repository=${REPOSITORY}`);
  args.push(`--compression=${compression}`, `--caBundle=${CA_BUNDLE}`, '--outputStyle=static');
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  // A commit of its own: a commit's SHA tags are final, so a second push of one commit would reuse the first.
  await git(root, 'commit', '--allow-empty', '-q', '-m', `${compression} layers`);
  const { ms } = await timed(root, 'npx', args);
  log(`${compression}: pushed in ${round(ms / 1000)} s`);
  return readResults(root);
}

/** A containerd of our own on an empty root: what a fresh node's engine has. `stop()` ends it and wipes it. */
async function freshContainerd() {
  const dir = mkdtempSync(join(process.env.BENCH_CONTAINERD_DIR ?? '/var/tmp', 'cold-start-containerd-'));
  const address = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      `[grpc]\n  address = "${address}"`,
      '',
    ].join('\n'),
  );
  const child = spawn('containerd', ['--config', config], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(address); i++) await sleep(50);
  if (!existsSync(address)) throw new Error(`containerd did not start (its root: ${dir})`);
  const ctr = (...args) => execa('ctr', ['--address', address, '--namespace', 'bench', ...args], { env: ENV });
  return {
    ctr,
    async stop() {
      await ctr('snapshots', 'ls').catch(() => undefined);
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
      await execa('umount', ['-R', join(dir, 'root')], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const seconds = async (fn) => {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
};

/** Fetch, then unpack, of one image on a fresh containerd: seconds each. */
async function pullTimes(reference) {
  const node = await freshContainerd();
  try {
    const registry = ['--plain-http', '--user', CREDENTIALS, '--platform', PLATFORM];
    const fetch = await seconds(() => node.ctr('content', 'fetch', ...registry, reference));
    const unpack = await seconds(() =>
      node.ctr('images', 'pull', ...registry, '--max-concurrent-downloads', '3', reference),
    );
    return { fetch, unpack };
  } finally {
    await node.stop();
  }
}

/** The stand-in for Coder's init script: notes that the agent would start now (as coder, once systemd is up). */
const INIT_SCRIPT = '#!/bin/sh\ntouch /bench/agent-started\nexec sleep infinity\n';

/** Seconds from `docker create` (as the template creates it) until coder-agent.service runs the init script. */
async function startTime(reference, image, run) {
  const key = `cold-${ID}-${image}-${run}-${randomBytes(2).toString('hex')}`;
  const marker = mkdtempSync(join(tmpdir(), `${key}-`));
  chmodSync(marker, 0o777);
  const volumes = [`${key}-home:/home/coder`, `${key}-projects:/home/coder/projects`];
  if (image === 'developer') volumes.push(`${key}-docker:/var/lib/docker`);
  own.volumes.push(...volumes.map((v) => v.split(':')[0]));
  const init = join(marker, 'agent-init.sh');
  writeFileSync(init, INIT_SCRIPT, { mode: 0o755 });
  const args = ['create', '--name', key, '--hostname', key, '--privileged', '--cgroupns=private'];
  args.push('--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp:exec', '--stop-signal', 'SIGRTMIN+3');
  args.push('-e', 'CODER_AGENT_TOKEN=cold-start-benchmark', '-v', `${marker}:/bench`);
  for (const v of volumes) args.push('-v', v);
  const started = performance.now();
  await docker([...args, reference]);
  own.containers.push(key);
  await docker(['cp', '-a', init, `${key}:/etc/coder/agent-init.sh`]);
  await docker(['start', key]);
  while (!existsSync(join(marker, 'agent-started'))) {
    if (performance.now() - started > START_TIMEOUT_MS)
      throw new Error(`${image}: no agent after ${START_TIMEOUT_MS} ms`);
    await sleep(20);
  }
  const s = (performance.now() - started) / 1000;
  await docker(['rm', '-f', '-v', key], { reject: false });
  rmSync(marker, { recursive: true, force: true });
  return s;
}

async function cleanUp(pushed) {
  if (own.containers.length) await docker(['rm', '-f', '-v', ...own.containers], { reject: false });
  if (own.volumes.length) await docker(['volume', 'rm', '-f', ...own.volumes], { reject: false });
  const listed = await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', REPOSITORY], { reject: false });
  const refs = String(listed.stdout ?? '')
    .split('\n')
    .filter((ref) => ref.startsWith(`${REPOSITORY}:`));
  // The tags the pushes left and the names the engine's pulls by digest added: ours, nothing else.
  const byDigest = Object.values(pushed).flatMap((results) => Object.values(results).map((r) => r.pinnedReference));
  if (!process.env.BENCH_REPOSITORY && refs.length + byDigest.length)
    await docker(['image', 'rm', ...refs, ...byDigest], { reject: false });
}

async function main(pushed) {
  const root = await familyWorkspace();
  try {
    for (const compression of COMPRESSIONS) pushed[compression] = await pushFamily(root, compression);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const same = IMAGES.filter((i) => pushed.gzip[i].digest === pushed.zstd[i].digest);
  if (same.length) throw new Error(`gzip and zstd pushed the same image for ${same.join(', ')}`);
  const times = {}; // image -> compression -> { fetch: [], unpack: [], start: [], total: [] }
  for (let run = 0; run < RUNS && !pastStop(); run++) {
    for (const image of IMAGES) {
      for (const compression of inTurn(run + IMAGES.indexOf(image), COMPRESSIONS)) {
        const reference = pushed[compression][image].pinnedReference;
        const { fetch, unpack } = await pullTimes(reference);
        // The engine gets the image to start it (its layers are mostly there already: not timed).
        await docker(['pull', '--platform', PLATFORM, reference]);
        const start = await startTime(reference, image, run);
        const t = ((times[image] ??= {})[compression] ??= { fetch: [], unpack: [], start: [], total: [] });
        t.fetch.push(fetch);
        t.unpack.push(unpack);
        t.start.push(start);
        t.total.push(fetch + unpack + start);
        log(
          `run ${run + 1}/${RUNS} ${image} ${compression}: fetch ${round(fetch, 1)} s, unpack ${round(unpack, 1)} s, start ${round(start, 1)} s`,
        );
      }
    }
  }
  report(pushed, times);
}

function report(pushed, times) {
  const size = (c, image) => pushed[c][image].sizes?.[0]?.bytes ?? NaN;
  const rows = [
    ['image', 'compression', 'compressed MiB', 'fetch s', 'unpack s', 'start s', 'cold start s', 'zstd / gzip'],
  ];
  for (const image of IMAGES) {
    for (const c of COMPRESSIONS) {
      const t = times[image][c];
      const ratio = c === 'zstd' ? round(median(t.total) / median(times[image].gzip.total), 2) : '';
      rows.push([
        image,
        c,
        round(size(c, image) / MiB, 1),
        ...['fetch', 'unpack', 'start', 'total'].map((k) => round(median(t[k]), 1)),
        ratio,
      ]);
    }
  }
  const runs = Math.min(...Object.values(times).flatMap((byC) => Object.values(byC).map((t) => t.total.length)));
  const cores = (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length;
  console.log(
    `cold start, ${runs} of ${RUNS} runs, medians (s); ${PLATFORM}; ${REPOSITORY}; ${cores} cores; ${new Date().toISOString()}`,
  );
  console.log('fetch: blobs from the registry into an empty containerd; unpack: decompress + apply (blobs there);');
  console.log('start: docker create as the Coder template does -> coder-agent.service runs the init script');
  console.log(table(rows));
  const sizes = IMAGES.map((i) => `${i} ${round((size('zstd', i) / size('gzip', i) - 1) * 100, 1)} %`);
  console.log(`compressed size zstd vs gzip: ${sizes.join(', ')}`);
}

const pushed = {};
try {
  mkdirSync('/var/tmp', { recursive: true });
  await main(pushed);
} finally {
  await cleanUp(pushed);
}
