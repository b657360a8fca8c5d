#!/usr/bin/env node
// Benchmark: `images diff` for 4 images x 2 platforms against the password registry (goal: <= 5 s).
//
// Pushes a small family to 127.0.0.1:5000 (a fresh namespace; `docker login` done), each image for linux/amd64
// and linux/arm64 with the contents-record step last, as the real Dockerfiles end:
//   base (FROM debian:trixie-slim, scripts/hello)  ->  a, b, c (FROM base's digest, one script each)
// Then, alternately, BENCH_RUNS times each (default 11), with a new registry client each time:
//   diff x4 (in process)   the four diffs base->a, base->b, base->c, a->b at once in one process: every image's
//                          two platforms read (manifest, config, record blobs), one client
//   images diff (CLI)      one `images diff base a`, the process included
//   imagetools inspect x4  the peer: `docker buildx imagetools inspect` of the four images at once, which
//                          reads their manifests only (no contents)
// Prints the medians and the requests, as a table and as JSON.
//
//   npm run build && node tools/benchmarks/contents-diff.mjs
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { WORKSPACE, log, median, positiveInt, round } from './lib.mjs';

const RUNS = positiveInt(process.env.BENCH_RUNS, 11);
// BENCH_REPO: a repository this benchmark pushed before (its base, a, b, c), read again without building.
const REPO = process.env.BENCH_REPO ?? `127.0.0.1:5000/contents-bench-${randomBytes(4).toString('hex')}/images`;
const require = createRequire(import.meta.url);
const dist = (m) => require(join(WORKSPACE, 'tools/image-plugin/dist', m));
const { RegistryClient } = dist('adapters/registry.js');
const { diffImages } = dist('services/contents-diff.js');

const context = mkdtempSync(join(tmpdir(), 'contents-bench-'));
for (const dir of ['scripts/lib', 'scripts/contents-record'])
  cpSync(join(WORKSPACE, dir), join(context, dir), { recursive: true });
const tool = (name, version) => {
  mkdirSync(join(context, 'scripts', name), { recursive: true });
  writeFileSync(
    join(context, 'scripts', name, 'install.sh'),
    [
      '#!/usr/bin/env bash',
      `# version: cat /usr/local/share/${name}/VERSION`,
      'set -euo pipefail',
      '. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"',
      `require_root "scripts/${name}/install.sh"`,
      `install -d /usr/local/share/${name} && echo ${version} > /usr/local/share/${name}/VERSION`,
      `head -c 1048576 /dev/urandom > /usr/local/share/${name}/data`,
      '',
    ].join('\n'),
  );
  return `RUN --mount=type=bind,source=scripts/${name},target=/scripts/${name} --mount=type=bind,source=scripts/lib,target=/scripts/lib bash /scripts/${name}/install.sh`;
};
const record = (image) =>
  `RUN --mount=type=bind,source=scripts/contents-record,target=/scripts/contents-record bash /scripts/contents-record/record.sh ${image}`;

async function push(image, lines) {
  const file = join(context, `${image}.Dockerfile`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const meta = join(context, `${image}.json`);
  await execa('docker', [
    'buildx',
    'build',
    '--platform',
    'linux/amd64,linux/arm64',
    '--provenance=false',
    '--sbom=false',
    '--push',
    '-t',
    `${REPO}:${image}`,
    '--metadata-file',
    meta,
    '-f',
    file,
    context,
  ]);
  return JSON.parse(readFileSync(meta, 'utf8'))['containerimage.digest'];
}

if (!process.env.BENCH_REPO) {
  log(`pushing base, a, b, c (linux/amd64, linux/arm64) to ${REPO}`);
  const base = await push('base', ['FROM debian:trixie-slim', tool('hello', '1.0'), record('base')]);
  await Promise.all(
    ['a', 'b', 'c'].map((image) => push(image, [`FROM ${REPO}@${base}`, tool(`tool-${image}`, '2.0'), record(image)])),
  );
}

const ref = (image) => `${REPO}:${image}`;
const PAIRS = [
  ['base', 'a'],
  ['base', 'b'],
  ['base', 'c'],
  ['a', 'b'],
];
const kinds = ['diff x4 (in process)', 'images diff (CLI)', 'imagetools inspect x4'];
const times = Object.fromEntries(kinds.map((k) => [k, []]));
const requests = {};
let sample;
for (let i = 0; i < RUNS + 1; i++) {
  const order = i % 2 ? kinds : [...kinds].reverse();
  for (const kind of order) {
    const start = performance.now();
    if (kind === 'diff x4 (in process)') {
      const registry = new RegistryClient();
      const diffs = await Promise.all(
        PAIRS.map(([x, y]) =>
          diffImages({ from: ref(x), to: ref(y), allowUnrelated: true, env: process.env, registry }),
        ),
      );
      requests[kind] = registry.requests;
      sample = diffs[0];
    } else if (kind === 'images diff (CLI)') {
      await execa('node', [join(WORKSPACE, 'tools/image-plugin/bin/images.js'), 'diff', ref('base'), ref('a')]);
    } else {
      await Promise.all(
        ['base', 'a', 'b', 'c'].map((x) => execa('docker', ['buildx', 'imagetools', 'inspect', ref(x)])),
      );
    }
    if (i > 0) times[kind].push(performance.now() - start); // run 0 warms up
  }
}

const rows = kinds.map((k) => ({ step: k, medianMs: round(median(times[k]), 1), requests: requests[k] ?? null }));
console.log(`images diff, 4 images x 2 platforms, ${RUNS} runs each, medians (registry ${REPO})`);
for (const r of rows)
  console.log(
    `${r.step.padEnd(24)} ${String(r.medianMs).padStart(8)} ms${r.requests ? `  ${r.requests} requests` : ''}`,
  );
console.log(`platforms read per image: ${sample.platforms.map((p) => p.platform).join(', ')}`);
console.log(JSON.stringify({ runs: RUNS, rows }));
// buildx with the docker driver also keeps what it pushed in the engine's image store.
await execa('docker', ['image', 'rm', '-f', ...['base', 'a', 'b', 'c'].map(ref)], { reject: false });
rmSync(context, { recursive: true, force: true });
