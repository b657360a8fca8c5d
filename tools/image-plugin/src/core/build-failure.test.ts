import { describe, expect, it } from 'vitest';
import { BUILDKIT_SBOM_SCANNER, buildFailure, buildxComplaint } from './build-failure';

const failed = (output: string, extra: Partial<Parameters<typeof buildFailure>[0]> = {}) =>
  buildFailure({
    image: 'base',
    dockerfile: 'images/base/Dockerfile',
    ref: '127.0.0.1:5000/acme/images:base-abc1234',
    output,
    engineAnswers: true,
    ...extra,
  });

const SBOM_OUTPUT = [
  '#2 resolve image config for docker-image://docker.io/docker/buildkit-syft-scanner:stable-1',
  '#2 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/docker/buildkit-syft-scanner/manifests/stable-1": dial tcp: lookup registry-1.docker.io: no such host',
  'ERROR: failed to solve: failed to resolve source metadata for docker.io/docker/buildkit-syft-scanner:stable-1: no such host',
].join('\n');

describe('buildxComplaint', () => {
  it('is the last ERROR line', () => {
    expect(buildxComplaint('#5 ERROR: step\nmore\nERROR: failed to solve: exit code: 3\n')).toBe(
      'failed to solve: exit code: 3',
    );
  });
  it('without an ERROR line, is the last lines (not the last character)', () => {
    const output = ['#1 load', '#2 RUN sleep 30', '#2 1.2 still going', '#2 2.3 still going', 'Killed', ''].join('\n');
    const said = buildxComplaint(output);
    expect(said).toMatch(/^buildx printed no error; its last lines:\n {4}#1 load\n/);
    expect(said).toMatch(/ {4}Killed$/);
  });
  it('says so when buildx printed nothing', () => {
    expect(buildxComplaint('\n')).toBe('buildx printed nothing');
  });
});

describe('buildFailure', () => {
  it.each([
    ["docker: 'buildx' is not a docker command.\nSee 'docker --help'", 'older CLIs'],
    ["docker: unknown command: docker buildx\n\nRun 'docker --help' for more information", 'the CLI of Docker 26 here'],
    ['docker: command not found', 'no docker CLI (adapters/buildx.ts)'],
  ])('a missing buildx is told with the package to install: %j (%s)', (output) => {
    const e = failed(output);
    expect(e.kind).toBe('engine');
    expect(e.message).toBe(
      'docker engine: docker buildx is not installed\n  fix: install the buildx plugin (Debian: apt-get install docker-buildx; elsewhere: docker/buildx releases)',
    );
  });
  it('a step that prints "docker buildx" is not mistaken for a missing buildx', () => {
    expect(failed(' 3 | >>> RUN docker buildx version\nERROR: failed to solve: exit code: 1').kind).not.toBe('engine');
  });
  it('a stopped engine is named, not the Dockerfile', () => {
    const e = failed('ERROR: failed to solve: Canceled: context canceled', { engineAnswers: false });
    expect(e.kind).toBe('engine');
    expect(e.message).toBe(
      'docker engine: the Docker engine stopped during the build of base\n  fix: start it again and re-run (what was built is cached)',
    );
  });
  it('an SBOM scanner BuildKit cannot pull names the sbomGenerator option and --sbom=false', () => {
    const e = failed(SBOM_OUTPUT, { sbomScanner: BUILDKIT_SBOM_SCANNER });
    expect(e.message).toMatch(
      /^image-build option sbomGenerator: building base failed: BuildKit cannot pull the SBOM scanner docker\/buildkit-syft-scanner/,
    );
    expect(e.fix).toContain('set the sbomGenerator option');
    expect(e.fix).toContain('--sbom=false');
  });
  it('the same output without an SBOM asked for is not about the scanner', () => {
    expect(failed(SBOM_OUTPUT).message).not.toContain('sbomGenerator');
  });
  it('a failing step names the Dockerfile line', () => {
    const e = failed(
      ' 2 | >>> RUN exit 3\nERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    );
    expect(e.file).toBe('images/base/Dockerfile');
    expect(e.line).toBe(2);
    expect(e.problem).toBe(
      'building base failed: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    );
  });
  it('a registry that refuses the push is the registry error', () => {
    expect(failed('pushing layers\nERROR: failed to push: 401 Unauthorized').kind).toBe('registry');
  });
});
