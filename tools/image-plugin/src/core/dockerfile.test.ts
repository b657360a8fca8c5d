import { describe, expect, it } from 'vitest';
import { normalizeContextPath, readDockerfile } from './dockerfile';

describe('readDockerfile', () => {
  it('build args override global ARG defaults', () => {
    const facts = readDockerfile('images/node/Dockerfile', 'ARG BASE_IMAGE=ghcr.io/acme/images:base\nFROM ${BASE_IMAGE}\n', {
      BASE_IMAGE: 'ghcr.io/acme/images@sha256:abc',
    });
    expect(facts.froms).toEqual([{ ref: 'ghcr.io/acme/images@sha256:abc', line: 2, arg: 'BASE_IMAGE' }]);
  });

  it('records stage names, other image refs and bind mounts with their lines', () => {
    const facts = readDockerfile(
      'images/cpp/Dockerfile',
      [
        'ARG BASE_IMAGE=ghcr.io/acme/images:base',
        'FROM --platform=$BUILDPLATFORM debian:trixie-slim AS Tools',
        'RUN --mount=type=bind,source=scripts/cmake,target=/s \\',
        '    bash /s/install.sh',
        'FROM ${BASE_IMAGE}',
        'COPY --from=tools /out /out',
        'COPY --from=ghcr.io/acme/images:node /n /n',
        'ADD --chown=1000 https://example.com/x /x',
        'RUN --mount=type=cache,target=/root/.cache --mount=src=.,dst=/ctx true',
        '',
      ].join('\n'),
    );
    expect(facts).toEqual({
      froms: [
        { ref: 'debian:trixie-slim', line: 2, stageName: 'tools' },
        { ref: 'ghcr.io/acme/images:base', line: 5, arg: 'BASE_IMAGE' },
      ],
      otherImageRefs: [{ ref: 'ghcr.io/acme/images:node', line: 7 }],
      bindMounts: [
        { source: 'scripts/cmake', line: 3 },
        { source: '.', line: 9 },
      ],
    });
  });
});

describe('normalizeContextPath', () => {
  it.each([
    ['scripts/cmake', 'scripts/cmake'],
    ['./scripts/ninja/', 'scripts/ninja'],
    ['scripts//cmake/./', 'scripts/cmake'],
    ['/scripts/cmake', 'scripts/cmake'],
    ['.', '.'],
    ['/', '.'],
    ['./', '.'],
  ])('%s -> %s', (source, expected) => {
    expect(normalizeContextPath(source)).toBe(expected);
  });
});
