import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_AUTH, TARGET_REGISTRY } from '../../test-env/env';
import { ScratchWorkspace } from './scratch-workspace';

/**
 * External bases are pinned by digest in the Dockerfile, and the test environment replaces the pin with its
 * mirror's digest through IMAGE_BASE_PINS (tools/test-env/setup.sh writes the file): through the entry
 * points a user runs, against the real engine (a dry run hashes and plans, and builds nothing).
 */
const PINS = process.env.IMAGE_BASE_PINS;
const PUBLIC = `sha256:${'d7e1'.repeat(16)}`;
const REPO = `${TARGET_REGISTRY}/base-pins/images`;

describe.skipIf(!PINS)('pinned external bases', () => {
  let ws: ScratchWorkspace;
  let mirrorDigest: string;
  beforeAll(() => {
    mirrorDigest = (JSON.parse(readFileSync(PINS as string, 'utf8')) as Record<string, string>)['debian:trixie-slim'];
    ws = new ScratchWorkspace('base-pins-');
    ws.write({
      'images/pinned/Dockerfile': `FROM debian:trixie-slim@${PUBLIC}\nRUN true\n`,
      'images/unpinned/Dockerfile': '# an external base without a digest\nFROM debian:trixie-slim\nRUN true\n',
    });
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  const dryRun = (image: string, env: NodeJS.ProcessEnv) => {
    const r = ws.nxWith(env, 'run', `${image}:image-build`, '--dryRun', '--push', `--repository=${REPO}`);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  it('an unpinned base without a replacement is refused with the file, the line and the fix', () => {
    const r = dryRun('unpinned', { IMAGE_BASE_PINS: '' });
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain(
      'images/unpinned/Dockerfile:2: the external base `debian:trixie-slim` is not pinned by digest',
    );
    expect(r.output).toContain(
      'fix: pin it in the Dockerfile: npx images pin-bases writes debian:trixie-slim@sha256:<index digest>',
    );
  });

  it("a replaced pin: the run says which pin, by what and from where, and the build gets the mirror's digest", () => {
    const r = dryRun('pinned', {});
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(
      `base pin replaced: debian:trixie-slim@${PUBLIC} -> debian@${mirrorDigest} (IMAGE_BASE_PINS=${PINS})`,
    );
    expect(r.output).toContain(`--build-context debian:trixie-slim@${PUBLIC}=docker-image://debian@${mirrorDigest}`);
  });

  const pinBases = (...args: string[]) => {
    const r = spawnSync('node', ['tools/image-plugin/bin/images.js', 'pin-bases', ...args], {
      cwd: ws.root,
      env: ws.env,
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  // The engine resolves debian:trixie-slim through its mirror, as it would Docker Hub's tag.
  it('images pin-bases --check lists every pin that moved and the unpinned base, and fails; nothing is written', () => {
    const r = pinBases('--check');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain(`images/pinned/Dockerfile:1: debian:trixie-slim ${PUBLIC} -> ${mirrorDigest}`);
    expect(r.stdout).toContain(`images/unpinned/Dockerfile:2: debian:trixie-slim (not pinned) -> ${mirrorDigest}`);
    expect(r.stderr).toContain('images pin-bases --check: 2 pin(s) differ from what their upstream publishes now');
    expect(r.stderr).toContain('fix: run npx images pin-bases, then commit the change');
    expect(readFileSync(`${ws.root}/images/pinned/Dockerfile`, 'utf8')).toContain(PUBLIC);
  });

  it('images pin-bases moves the pins in the Dockerfiles; --check then passes and the images build FROM the pin', () => {
    const r = pinBases();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('moved 2 pin(s): commit the change');
    expect(readFileSync(`${ws.root}/images/pinned/Dockerfile`, 'utf8')).toBe(
      `FROM debian:trixie-slim@${mirrorDigest}\nRUN true\n`,
    );
    expect(readFileSync(`${ws.root}/images/unpinned/Dockerfile`, 'utf8')).toContain(
      `FROM debian:trixie-slim@${mirrorDigest}\n`,
    );
    ws.commitAll('bases pinned');
    const check = pinBases('--check');
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain(`debian:trixie-slim: ${mirrorDigest} (every pin is current)`);
    const unpinned = dryRun('unpinned', { IMAGE_BASE_PINS: '' });
    expect(unpinned.status, unpinned.output).toBe(0);
    // A pin that names what the mirror serves needs no replacement: nothing is replaced.
    expect(unpinned.output).not.toContain('--build-context');
  });

  it('the pin decides the content hash: another pin is other content, with no registry asked', () => {
    const hashOf = (output: string) => /pinned-content-([0-9a-f]{16})/.exec(output)?.[1];
    const before = hashOf(dryRun('pinned', { IMAGE_BASE_PINS: '' }).output);
    ws.write({ 'images/pinned/Dockerfile': `FROM debian:trixie-slim@sha256:${'0'.repeat(64)}\nRUN true\n` });
    ws.commitAll('another pin');
    const after = hashOf(dryRun('pinned', { IMAGE_BASE_PINS: '' }).output);
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    expect(after).toMatch(/^[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
  });
});

/**
 * A pin the build cannot use is refused before anything builds, with the Dockerfile's line and the fix:
 * against the real engine and the password registry, whose fixture is one tiny single-platform image
 * (FROM scratch, one file, pushed without attestations: a plain manifest of linux/amd64).
 */
describe.sequential('pins the build cannot use', () => {
  const namespace = `base-pin-check-${randomBytes(4).toString('hex')}`;
  const tiny = `${TARGET_REGISTRY}/${namespace}/tiny`;
  const repo = `${TARGET_REGISTRY}/${namespace}/images`;
  let ws: ScratchWorkspace;
  let single: string;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-base-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY file /file\n');
      writeFileSync(join(dir, 'file'), `${namespace}\n`);
      const meta = join(dir, 'meta.json');
      const r = spawnSync(
        'docker',
        [
          'buildx',
          'build',
          '--platform=linux/amd64',
          '--provenance=false',
          '--sbom=false',
          '--push',
          `--tag=${tiny}:1`,
          `--metadata-file=${meta}`,
          dir,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      single = (JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>)['containerimage.digest'];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    ws = new ScratchWorkspace('base-pin-check-');
    ws.write({
      'images/absent/Dockerfile': `# a digest never pushed\nFROM ${tiny}:1@sha256:${'0'.repeat(64)}\nLABEL a=b\n`,
      'images/single/Dockerfile': `FROM ${tiny}:1@${single}\nLABEL a=b\n`,
    });
    ws.initGit();
  }, 180_000);
  afterAll(() => ws?.dispose());

  const build = (image: string, platforms: string) => {
    // No SBOM: BuildKit's default scanner is on Docker Hub, and this fixture has nothing to list.
    const r = ws.nx(
      'run',
      `${image}:image-build`,
      '--push',
      `--repository=${repo}`,
      `--platforms=${platforms}`,
      '--sbom=false',
    );
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const pushed = async () =>
    (
      await fetch(`http://${TARGET_REGISTRY}/v2/${namespace}/images/tags/list`, {
        headers: { Authorization: TARGET_AUTH },
      })
    ).status;

  it.each([
    {
      what: 'a pin whose digest is not in the registry',
      image: 'absent',
      platforms: 'linux/amd64',
      problem: () =>
        `images/absent/Dockerfile:2: the external base \`${tiny}:1@sha256:${'0'.repeat(64)}\` is not in its registry`,
      fix: () => `fix: run npx images pin-bases to pin the index digest ${tiny}:1 resolves to now, and commit it`,
    },
    {
      what: 'a single-platform manifest while two platforms are asked',
      image: 'single',
      platforms: 'linux/amd64,linux/arm64',
      problem: () =>
        `images/single/Dockerfile:1: the external base \`${tiny}:1@${single}\` names a single-platform manifest of linux/amd64, but the build asks for linux/amd64, linux/arm64 (no linux/arm64); nothing was built or pushed`,
      fix: () => 'fix: pin the multi-platform index: npx images pin-bases writes the index digest',
    },
  ])(
    '$what: refused before building with the file, the line and the fix; nothing pushed',
    { timeout: 240_000 },
    async ({ image, platforms, problem, fix }) => {
      const r = build(image, platforms);
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain(problem());
      expect(r.output).toContain(fix());
      expect(r.output).not.toMatch(/#\d+ \[/); // no BuildKit step ran
      expect(await pushed()).toBe(404);
    },
  );

  it('the same single-platform pin builds the one platform it has', { timeout: 240_000 }, async () => {
    const r = build('single', 'linux/amd64');
    expect(r.status, r.output).toBe(0);
    expect(await pushed()).toBe(200);
  });
});
