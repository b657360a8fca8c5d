#!/usr/bin/env node
// Benchmark: what the size budget adds to the registry step of one pushed image.
//
// Pushes a tiny parent (FROM debian:trixie-slim) and a child FROM its digest to the password registry
// (127.0.0.1:5000, a fresh namespace; `docker login` done), both as indexes with a provenance attestation,
// as image-build pushes them. Then, alternately, BENCH_RUNS times each (default 21), with a new registry
// client each time (its login answered first, as the run's lookups have done by then):
//   tag only        the SHA tag of a reused image, as before budgets (one PUT)
//   sizes + tag     the child's sizes read and its budget checked, the parent already measured in the run
//                   (the usual case: parents are measured first and the client keeps what it read)
//   sizes (cold)    the same, the parent's layers read too (a parent from an earlier CI job)
// Prints the medians, the requests of each and the ratios against "tag only", as a table and as JSON.
//
//   npm run build && node tools/benchmarks/size-check.mjs
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { WORKSPACE, log, median, positiveInt, round } from './lib.mjs';

const RUNS = positiveInt(process.env.BENCH_RUNS, 21);
const REPO = `127.0.0.1:5000/size-bench-${randomBytes(4).toString('hex')}/images`;
const require = createRequire(import.meta.url);
const dist = (m) => require(join(WORKSPACE, 'tools/image-plugin/dist', m));
const { RegistryClient } = dist('adapters/registry.js');
const { checkImageSize } = dist('services/size-check.js');

async function push(tag, dockerfile) {
  const dir = mkdtempSync(join(tmpdir(), 'size-bench-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const meta = join(dir, 'meta.json');
  await execa('docker', [
    'buildx',
    'build',
    '--platform',
    'linux/amd64',
    '--provenance=mode=min',
    '--sbom=false',
    '--push',
    '-t',
    `${REPO}:${tag}`,
    '--metadata-file',
    meta,
    dir,
  ]);
  const digest = JSON.parse(readFileSync(meta, 'utf8'))['containerimage.digest'];
  rmSync(dir, { recursive: true, force: true });
  return digest;
}

log(`pushing a parent and a child to ${REPO}`);
const parent = await push('parent', `FROM debian:trixie-slim\nLABEL bench=parent-${REPO}\n`);
const child = await push('child', `FROM ${REPO}@${parent}\nCOPY Dockerfile /bench/Dockerfile\n`);

const kinds = ['tag only', 'sizes + tag', 'sizes (cold) + tag'];
const times = Object.fromEntries(kinds.map((k) => [k, []]));
const requests = {};
for (let i = 0; i < RUNS + 1; i++) {
  const order = i % 2 ? kinds : [...kinds].reverse();
  for (const kind of order) {
    const c = new RegistryClient();
    const known = await c.inspect(`${REPO}@${child}`); // the run's lookup of the content tag
    if (kind === 'sizes + tag') await c.platformLayers(REPO, parent); // measured earlier in the run
    const before = c.requests;
    const start = performance.now();
    if (kind !== 'tag only') {
      await checkImageSize(c, {
        image: 'child',
        dockerfile: 'Dockerfile',
        repository: REPO,
        digest: child,
        known,
        parent: { image: 'parent', reference: `${REPO}@${parent}` },
        budget: 1024 ** 3,
        withheldTag: `${REPO}:child-bench`,
      });
    }
    await c.tag([`${REPO}:child-${i}`], REPO, child, known);
    if (i > 0) times[kind].push(performance.now() - start); // run 0 warms up
    requests[kind] = c.requests - before;
  }
}

const base = median(times['tag only']);
const rows = kinds.map((k) => ({
  step: k,
  medianMs: round(median(times[k]), 1),
  requests: requests[k],
  ratio: round(median(times[k]) / base, 2),
}));
console.log(`size check, ${RUNS} runs each, medians (registry ${REPO})`);
for (const r of rows)
  console.log(`${r.step.padEnd(20)} ${String(r.medianMs).padStart(7)} ms  ${r.requests} requests  x${r.ratio}`);
console.log(JSON.stringify({ runs: RUNS, rows }));
// buildx with the docker driver also keeps what it pushed in the engine's image store.
await execa('docker', ['image', 'rm', '-f', `${REPO}:parent`, `${REPO}:child`], { reject: false });
