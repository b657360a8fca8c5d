import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKSPACE } from './scratch-workspace';

/**
 * Reproducible builds on every run, cheaply: the fixture (fixtures/reproducible: an apt install of one small
 * package and an npm install of a local tarball, through scripts/lib and its leftovers cleanup) built twice
 * from empty caches by `npm run bench:reproduce`, with SOURCE_DATE_EPOCH and the OCI exporter's
 * rewrite-timestamp, gives one digest. Two cold builds of the real base are the benchmark's job, not CI's.
 * Node.js comes from the node-dist stage with images/base's pins, which may come from the cache.
 */
const FIXTURE = 'tools/image-plugin/test/fixtures/reproducible/Dockerfile';
const FIXTURE_CONTEXT = 'fixture=tools/image-plugin/test/fixtures/reproducible';
const NODE_PINS = [
  'NODE_VERSION',
  'NODE_INTEGRITY_LINUX_AMD64',
  'NODE_INTEGRITY_LINUX_ARM64',
  'NPM_VERSION',
  'NPM_INTEGRITY',
];

/** images/base's Node.js pins, as build args. */
function basePins(): string[] {
  const text = readFileSync(join(WORKSPACE, 'images/base/Dockerfile'), 'utf8');
  return NODE_PINS.flatMap((name) => {
    const value = new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];
    if (!value) throw new Error(`images/base/Dockerfile has no ARG ${name}=...`);
    return ['--build-arg', `${name}=${value}`];
  });
}

describe('reproducible builds: the fixture built twice from empty caches', () => {
  const out = mkdtempSync(join(tmpdir(), 'reproducible-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('gives the same manifest digest, and the check says so side by side', async () => {
    const r = await execa(
      'node',
      [
        'tools/benchmarks/reproduce.mjs',
        FIXTURE,
        '--out',
        out,
        '--no-cache-filter',
        'final',
        '--build-context',
        FIXTURE_CONTEXT,
        ...basePins(),
      ],
      { cwd: WORKSPACE, reject: false, all: true },
    );
    // On a difference the output names it (config fields, and per layer the files and what differs).
    expect(r.exitCode, r.all).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { a: string; b: string; same: boolean };
    expect(summary.same).toBe(true);
    expect(summary.a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(summary.a).toBe(summary.b);
    expect(r.stdout).toContain(`build 1: ${summary.a}`);
    expect(r.stdout).toContain(`build 2: ${summary.b}`);
  });

  it('the comparison names what differs: the fixture built with another SOURCE_DATE_EPOCH', async () => {
    // The first build of the case above against a build of the same fixture with another epoch: the
    // created dates and every rewritten file time differ, and the check shows them.
    const other = join(out, 'other.tar');
    await execa(
      'docker',
      [
        'buildx',
        'build',
        '--platform',
        'linux/amd64',
        '--provenance=false',
        '--build-arg',
        'SOURCE_DATE_EPOCH=1000000000',
        ...basePins(),
        '--build-context',
        FIXTURE_CONTEXT,
        '--secret',
        'id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt',
        '--output',
        `type=oci,dest=${other},rewrite-timestamp=true`,
        '-f',
        FIXTURE,
        '.',
      ],
      { cwd: WORKSPACE },
    );
    const { compareOci, describeComparison } = await import('../../benchmarks/oci-diff.mjs');
    const c = await compareOci(join(out, 'fixture-linux-amd64-1.tar'), other, 'linux/amd64');
    expect(c.same).toBe(false);
    expect(c.config.map((d) => d.path)).toContain('created');
    const lines = describeComparison(c).join('\n');
    expect(lines).toContain('DIFFERENT digests');
    expect(lines).toMatch(/usr\/local\/bin\/greeting: .*mtime \d+ \| 1000000000/);
  });
});
