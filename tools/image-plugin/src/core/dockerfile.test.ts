import { describe, expect, it } from 'vitest';
import { normalizeContextPath, readDockerfile } from './dockerfile';
import { isImageConfigError } from './errors';

const PINNED = `ghcr.io/acme/images@sha256:${'ab'.repeat(32)}`;

describe('readDockerfile', () => {
  it('build args override global ARG defaults', () => {
    const facts = readDockerfile(
      'images/node/Dockerfile',
      'ARG BASE_IMAGE=ghcr.io/acme/images:base\nFROM ${BASE_IMAGE}\n',
      {
        BASE_IMAGE: PINNED,
      },
    );
    expect(facts.froms).toEqual([{ ref: PINNED, line: 2, arg: 'BASE_IMAGE' }]);
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

describe('readDockerfile expands global ARGs as BuildKit does', () => {
  const F = 'images/node/Dockerfile';
  const fromOf = (lines: string[], buildArgs: Record<string, string> = {}) =>
    readDockerfile(F, `${lines.join('\n')}\n`, buildArgs).froms[0];
  it.each<{ name: string; lines: string[]; buildArgs?: Record<string, string>; from: object }>([
    {
      name: 'a default that uses an earlier ARG',
      lines: ['ARG REGISTRY=ghcr.io', 'ARG BASE=$REGISTRY/acme/x:base', 'FROM $BASE'],
      from: { ref: 'ghcr.io/acme/x:base', line: 3, arg: 'BASE' },
    },
    {
      name: 'a build arg replaces the earlier ARG, and the later default uses it',
      lines: ['ARG REGISTRY=ghcr.io', 'ARG BASE=$REGISTRY/acme/x:base', 'FROM $BASE'],
      buildArgs: { REGISTRY: 'registry.example.com' },
      from: { ref: 'registry.example.com/acme/x:base', line: 3, arg: 'BASE' },
    },
    {
      name: 'a build arg for an ARG without a default',
      lines: ['ARG A', 'ARG B=${A:-debian}:trixie', 'FROM ${B}'],
      buildArgs: { A: 'ubuntu' },
      from: { ref: 'ubuntu:trixie', line: 3, arg: 'B' },
    },
    {
      name: 'a build arg for a name not declared before the first FROM is not seen',
      lines: ['ARG C=${B:-debian}', 'FROM ${C}:trixie'],
      buildArgs: { B: 'ubuntu' },
      from: { ref: 'debian:trixie', line: 2 },
    },
    {
      name: 'a default that uses a later ARG sees it empty',
      lines: ['ARG B=debian${A}', 'ARG A=-x', 'FROM $B'],
      from: { ref: 'debian', line: 3, arg: 'B' },
    },
    {
      name: 'two ARGs on one line, the second using the first',
      lines: ['ARG A=ghcr.io/acme B=${A}/x:base', 'FROM $B'],
      from: { ref: 'ghcr.io/acme/x:base', line: 2, arg: 'B' },
    },
    {
      name: 'the last declaration wins',
      lines: ['ARG A=debian:bookworm', 'ARG A=debian:trixie', 'FROM $A'],
      from: { ref: 'debian:trixie', line: 3, arg: 'A' },
    },
    {
      name: 'quoted defaults',
      lines: ['ARG T=trixie', 'ARG A="debian:$T"', 'FROM $A'],
      from: { ref: 'debian:trixie', line: 3, arg: 'A' },
    },
    {
      name: 'a partly variable reference carries no build arg (a build arg could not pin it)',
      lines: ['ARG REGISTRY=ghcr.io', 'FROM $REGISTRY/acme/x:base'],
      from: { ref: 'ghcr.io/acme/x:base', line: 2 },
    },
    {
      name: '${VAR:-default} is a whole variable',
      lines: ['ARG BASE', 'FROM ${BASE:-ghcr.io/acme/x:base}'],
      from: { ref: 'ghcr.io/acme/x:base', line: 2, arg: 'BASE' },
    },
    {
      name: 'pattern operators',
      lines: ['ARG V=debian:trixie-slim-v2', 'FROM ${V%-*}'],
      from: { ref: 'debian:trixie-slim', line: 2 },
    },
    {
      name: 'the escape directive',
      lines: ['# escape=`', 'ARG A=debian', 'FROM ${A}:trixie'],
      from: { ref: 'debian:trixie', line: 3 },
    },
    {
      name: 'a build arg is taken as it is, not expanded',
      lines: ['ARG A=x', 'FROM $A'],
      buildArgs: { A: PINNED },
      from: { ref: PINNED, line: 2, arg: 'A' },
    },
    {
      name: 'FROM --platform=$BUILDPLATFORM is a flag, not the image',
      lines: ['FROM --platform=$BUILDPLATFORM debian:trixie-slim AS tools'],
      from: { ref: 'debian:trixie-slim', line: 1, stageName: 'tools' },
    },
  ])('$name', ({ lines, buildArgs, from }) => {
    expect(fromOf(lines, buildArgs)).toEqual(from);
  });

  it.each<{ name: string; lines: string[]; buildArgs?: Record<string, string>; line: number; says: string }>([
    {
      name: 'an undeclared variable',
      lines: ['FROM debian:${TAG}'],
      line: 1,
      says: 'uses the variable TAG, which is not declared before the first FROM',
    },
    {
      name: 'a variable in single quotes',
      lines: ['ARG A=debian', "FROM '$A':trixie"],
      line: 2,
      says: 'expands to `$A:trixie`, which still holds a `$`',
    },
    { name: 'an escaped variable', lines: ['ARG A=debian', 'FROM \\$A:trixie'], line: 2, says: 'still holds a `$`' },
    {
      name: 'a quoted ARG default',
      lines: ['ARG B=x', "ARG A='debian$B'", 'FROM $A'],
      line: 3,
      says: 'still holds a `$`',
    },
    {
      name: 'a build arg holding a $',
      lines: ['ARG A=debian', 'FROM $A'],
      buildArgs: { A: '$B' },
      line: 2,
      says: 'still holds a `$`',
    },
    {
      name: 'the target platform',
      lines: ['FROM debian:trixie-${TARGETARCH}'],
      line: 1,
      says: 'depends on TARGETARCH',
    },
    {
      name: 'the target platform through an ARG',
      lines: ['ARG T=trixie-$TARGETOS', 'FROM debian:$T'],
      line: 2,
      says: 'depends on TARGETOS',
    },
    {
      name: 'a required variable',
      lines: ['ARG A', 'FROM ${A:?set-it}'],
      line: 2,
      says: 'cannot be expanded: A: set-it',
    },
    {
      name: 'a bad default',
      lines: ['ARG A=${B', 'FROM debian'],
      line: 1,
      says: "cannot be expanded: syntax error: missing '}'",
    },
    {
      name: 'an upper-case repository',
      lines: ['ARG A=ghcr.io/Acme/x:base', 'FROM $A'],
      line: 2,
      says: 'repository name must be lowercase',
    },
    {
      name: 'an empty tag',
      lines: ['ARG TAG', 'FROM debian:$TAG'],
      line: 2,
      says: '`debian:` (from `debian:$TAG`) is not an image reference Docker accepts',
    },
    {
      name: 'COPY --from in single quotes',
      lines: ['FROM debian', "COPY --from='$A' /a /b"],
      line: 2,
      says: 'still holds a `$`',
    },
    {
      name: 'a bind mount out of the context',
      lines: ['FROM debian', 'RUN --mount=type=bind,source=../../etc,target=/e cat /e/passwd'],
      line: 2,
      says: '"../../etc", which leaves the build context',
    },
    {
      name: 'a quoted bind mount out of the context',
      lines: ['FROM debian', 'RUN --mount=type=bind,source="scripts/../..",target=/e true'],
      line: 2,
      says: 'leaves the build context',
    },
  ])('refused with the line and the fix: $name', ({ lines, buildArgs, line, says }) => {
    let error: unknown;
    try {
      readDockerfile(F, `${lines.join('\n')}\n`, buildArgs);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error), String(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^${F}:${line}: `));
    expect(message).toContain(says);
    expect(message).toMatch(/\n {2}fix: \S/);
  });

  it('a quoted bind mount source inside the context', () => {
    expect(
      readDockerfile(F, 'FROM debian\nRUN --mount=type=bind,source="scripts/x/../y",target=/s true\n').bindMounts,
    ).toEqual([{ source: 'scripts/y', line: 2 }]);
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
    ['scripts/../images/x', 'images/x'],
    ['../etc', null],
    ['../../etc', null],
    ['scripts/../../etc', null],
    ['/../etc', null],
  ])('%s -> %s', (source, expected) => {
    expect(normalizeContextPath(source)).toBe(expected);
  });
});
