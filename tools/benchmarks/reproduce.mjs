#!/usr/bin/env node
// Reproducibility check: builds one image of this commit twice from empty caches and compares the digests.
//
//   npm run bench:reproduce -- <image | path/to/Dockerfile> [--platform linux/amd64] [--parent FILE.tar]
//                              [--out DIR] [--build-arg K=V]... [--build-context NAME=PATH]...
//                              [--no-cache-filter STAGE]...
//
// Each build: `docker buildx build --no-cache` with SOURCE_DATE_EPOCH = HEAD's committer time (as the plugin
// passes it) and the OCI exporter with rewrite-timestamp=true (the one output of the docker driver that
// rewrites timestamps; a docker-container builder does it on pushes too). With --no-cache-filter only the
// stages named are built cold (the others may come from the cache: fixed inputs, like a parent). It prints the two manifest
// digests of the platform side by side and, when they differ, what differs (oci-diff.mjs): the config's
// fields and, per layer, the files whose content, mode, owner, size, link or mtime differ. Exit 0: same.
//
// A child (FROM ${BASE_IMAGE}) is built FROM a fixed parent: the parent's OCI tarball (--parent, or the
// parent built once here, with the cache) as a named build context, so only the child's own steps vary.
// IMAGE_BASE_PINS (the test environment's pin replacements) replaces the external bases' pins as the
// plugin does; IMAGE_BUILD_CA_BUNDLE (default: the system's bundle) is the `ca-bundle` secret.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { compareOci, describeComparison, imageOf, openOci } from './oci-diff.mjs';
import { WORKSPACE, log, round } from './lib.mjs';

function parseArgs(argv) {
  const opts = {
    platform: 'linux/amd64',
    buildArgs: [],
    parent: null,
    out: null,
    target: null,
    coldStages: [],
    contexts: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--platform') opts.platform = value();
    else if (a === '--parent') opts.parent = resolve(value());
    else if (a === '--out') opts.out = resolve(value());
    else if (a === '--build-arg') opts.buildArgs.push(value());
    else if (a === '--build-context') opts.contexts.push(value());
    else if (a === '--no-cache-filter') opts.coldStages.push(value());
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.target = a;
  }
  if (!opts.target) throw new Error('usage: reproduce.mjs <image | Dockerfile> [--platform P] [--parent FILE.tar]');
  return opts;
}

/** `base` -> images/base/Dockerfile; a path stays a path (relative to the workspace). */
function dockerfileOf(target) {
  const file = target.includes('/') ? resolve(target) : join(WORKSPACE, 'images', target, 'Dockerfile');
  if (!existsSync(file)) throw new Error(`${relative(WORKSPACE, file)}: no such Dockerfile (images/<name>/Dockerfile)`);
  return file;
}

/** The family parent a Dockerfile builds FROM (`ARG BASE_IMAGE=<repo>:base` + `FROM ${BASE_IMAGE}`), or null. */
function parentOf(text) {
  for (const [, arg, ref] of text.matchAll(/^ARG\s+(\w+)=(\S+)\s*$/gm)) {
    const name = ref.split(':').pop();
    const used = new RegExp(`^FROM\\s+(--\\S+\\s+)*\\$\\{?${arg}\\}?(\\s|$)`, 'm').test(text);
    if (used && existsSync(join(WORKSPACE, 'images', name, 'Dockerfile'))) return { name, ref };
  }
  return null;
}

/** `--build-context` for every pinned external base that IMAGE_BASE_PINS replaces (as the plugin does). */
function replacedBases(text) {
  const file = process.env.IMAGE_BASE_PINS;
  if (!file) return [];
  const pins = JSON.parse(readFileSync(file, 'utf8'));
  const contexts = new Set();
  for (const [, ref] of text.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+@sha256:[0-9a-f]{64})/gm)) {
    const name = ref.split('@')[0];
    const repository = name.replace(/:[^/:]+$/, '');
    if (pins[name]) contexts.add(`${ref}=docker-image://${repository}@${pins[name]}`);
  }
  return [...contexts].flatMap((c) => ['--build-context', c]);
}

async function commitTime() {
  const { stdout } = await execa('git', ['show', '-s', '--format=%ct', 'HEAD'], { cwd: WORKSPACE });
  return Number(stdout.trim());
}

/** One build to an OCI tarball; returns the seconds it took. */
async function buildOci({ dockerfile, platform, dest, epoch, extra, noCache }) {
  const ca = process.env.IMAGE_BUILD_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';
  const args = [
    'buildx',
    'build',
    ...(noCache === true ? ['--no-cache'] : (noCache || []).flatMap((stage) => ['--no-cache-filter', stage])),
    '--platform',
    platform,
    '--provenance=false',
    '--build-arg',
    `SOURCE_DATE_EPOCH=${epoch}`,
    ...(existsSync(ca) ? ['--secret', `id=ca-bundle,src=${ca}`] : []),
    ...extra,
    '--output',
    `type=oci,dest=${dest},rewrite-timestamp=true`,
    '--progress',
    'plain',
    '-f',
    dockerfile,
    WORKSPACE,
  ];
  log(`docker ${args.join(' ')}`);
  const started = performance.now();
  const r = await execa('docker', args, { env: { SOURCE_DATE_EPOCH: String(epoch) }, reject: false, all: true });
  if (r.exitCode !== 0) {
    throw new Error(
      `the build of ${relative(WORKSPACE, dockerfile)} failed:\n${String(r.all).split('\n').slice(-30).join('\n')}`,
    );
  }
  return round((performance.now() - started) / 1000, 1);
}

/** The args that fix the parent: its OCI layout as the named context of the reference FROM names. */
async function parentContext(parent, ociTar, platform, keep) {
  const oci = await openOci(ociTar);
  keep.push(oci);
  const { digest } = imageOf(oci.dir, platform);
  log(`${parent.name}: fixed at ${digest} (${relative(WORKSPACE, ociTar)})`);
  return ['--build-context', `${parent.ref}=oci-layout://${oci.dir}@${digest}`];
}

/** Builds `target`'s parents once (with the cache), then returns what each build of `target` needs. */
async function contextFor(dockerfile, opts, epoch, keep) {
  const text = readFileSync(dockerfile, 'utf8');
  const extra = [
    ...replacedBases(text),
    ...opts.buildArgs.flatMap((a) => ['--build-arg', a]),
    // A named context's folder is relative to the workspace, as the build's own context.
    ...opts.contexts.flatMap((c) => {
      const [name, ...rest] = c.split('=');
      const source = rest.join('=');
      return ['--build-context', source.includes('://') ? c : `${name}=${resolve(WORKSPACE, source)}`];
    }),
  ];
  const parent = parentOf(text);
  if (!parent) return extra;
  let tar = opts.parent;
  if (!tar) {
    const parentFile = dockerfileOf(parent.name);
    tar = join(opts.out, `${parent.name}-parent.tar`);
    const parentExtra = await contextFor(parentFile, { ...opts, parent: null }, epoch, keep);
    log(`${parent.name}: building the parent once (cache allowed)`);
    await buildOci({
      dockerfile: parentFile,
      platform: opts.platform,
      dest: tar,
      epoch,
      extra: parentExtra,
      noCache: false,
    });
  }
  return [...extra, ...(await parentContext(parent, tar, opts.platform, keep))];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dockerfile = dockerfileOf(opts.target);
  const name = opts.target.includes('/') ? 'fixture' : opts.target;
  opts.out ??= join(WORKSPACE, 'dist', 'reproduce');
  mkdirSync(opts.out, { recursive: true });
  const epoch = await commitTime();
  const keep = [];
  try {
    const extra = await contextFor(dockerfile, opts, epoch, keep);
    const tars = [1, 2].map((k) => join(opts.out, `${name}-${opts.platform.replaceAll('/', '-')}-${k}.tar`));
    const seconds = [];
    for (const dest of tars) {
      const noCache = opts.coldStages.length ? opts.coldStages : true;
      seconds.push(await buildOci({ dockerfile, platform: opts.platform, dest, epoch, extra, noCache }));
    }
    const comparison = await compareOci(tars[0], tars[1], opts.platform);
    console.log(
      `${name} ${opts.platform}, SOURCE_DATE_EPOCH=${epoch}, cold builds ${seconds[0]} s and ${seconds[1]} s`,
    );
    for (const line of describeComparison(comparison)) console.log(line);
    console.log(
      JSON.stringify({
        image: name,
        platform: opts.platform,
        epoch,
        seconds,
        a: comparison.a,
        b: comparison.b,
        same: comparison.same,
      }),
    );
    process.exitCode = comparison.same ? 0 : 1;
  } finally {
    for (const oci of keep) oci.done();
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(2);
});
