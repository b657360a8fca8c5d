import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { levelsOf } from './graph';
import { readImageSpecs, type DockerfileSource, type ImageSpec } from './image-spec';

const REPO = 'ghcr.io/acme/workspace-images';
const FAMILY = ['base', 'node', 'cpp', 'developer'];
const EXISTING = new Set([
  'scripts',
  'scripts/cmake',
  'scripts/ninja',
  'scripts/git',
  'scripts/docker-engine',
  'images/cpp/files',
]);

/** Specs of the four-image family where `images/<name>/Dockerfile` has `content` and the others are plain. */
function specOf(name: string, content: string, repository = REPO): ImageSpec {
  const sources: DockerfileSource[] = FAMILY.map((n) => ({
    dockerfile: `images/${n}/Dockerfile`,
    content: n === name ? content : 'FROM debian:trixie-slim\n',
  }));
  const specs = readImageSpecs(sources, { repository, pathExists: (p) => EXISTING.has(p) });
  return specs.find((s) => s.name === name) as ImageSpec;
}

const dockerfile = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('Dockerfile -> image spec: parent references', () => {
  const cases: Array<{
    name: string;
    image?: string;
    content: string;
    parents: ImageSpec['parents'];
    externalBases?: ImageSpec['externalBases'];
  }> = [
    {
      name: 'one repository, the image name as tag',
      content: dockerfile('FROM ghcr.io/acme/workspace-images:base'),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'registry name in other letter case (the registry part is case-insensitive; Docker refuses upper case after it)',
      content: dockerfile('FROM GHCR.io/acme/workspace-images:base'),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'per-image repository under the owner, any tag',
      content: dockerfile('FROM ghcr.io/acme/base:any-tag'),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'per-image repository under the owner, by digest',
      content: dockerfile(`FROM ghcr.io/acme/base@sha256:${'a'.repeat(64)}`),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'per-image repository under our repository, no tag',
      content: dockerfile('FROM ghcr.io/acme/workspace-images/base'),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'per-image repository under our repository, with tag',
      content: dockerfile('FROM ghcr.io/acme/workspace-images/base:2024-01'),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'ARG BASE_IMAGE default + FROM ${BASE_IMAGE}',
      content: dockerfile('ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base', 'FROM ${BASE_IMAGE}'),
      parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'ARG BASE_IMAGE default + FROM $BASE_IMAGE',
      content: dockerfile('ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base', 'FROM $BASE_IMAGE'),
      parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'quoted ARG default',
      content: dockerfile('ARG BASE_IMAGE="ghcr.io/acme/workspace-images:base"', 'FROM ${BASE_IMAGE}'),
      parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: '${VAR:-default} with the ARG declared without a value',
      content: dockerfile('ARG BASE_IMAGE', 'FROM ${BASE_IMAGE:-ghcr.io/acme/workspace-images:base}'),
      parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: '${VAR:-default} with the ARG not declared at all',
      content: dockerfile('FROM ${BASE_IMAGE:-ghcr.io/acme/workspace-images:base}'),
      parents: [{ image: 'base', line: 1, arg: 'BASE_IMAGE' }],
    },
    {
      name: '${VAR:-default} where the ARG default wins over the inline default',
      content: dockerfile(
        'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:node',
        'FROM ${BASE_IMAGE:-ghcr.io/acme/workspace-images:base}',
      ),
      image: 'cpp',
      parents: [{ image: 'node', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'line continuations in ARG and FROM',
      content: dockerfile(
        'ARG BASE_IMAGE=ghcr.io/acme/\\',
        'workspace-images:base',
        'FROM \\',
        '  ${BASE_IMAGE} \\',
        '  AS final',
      ),
      parents: [{ image: 'base', line: 3, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'a RUN heredoc containing "FROM x" is not a FROM',
      content: dockerfile(
        'FROM ghcr.io/acme/workspace-images:base',
        'RUN <<EOF',
        'FROM x',
        'COPY --from=ghcr.io/acme/workspace-images:nope /a /b',
        'echo hi',
        'EOF',
        'RUN echo done',
      ),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'the # escape=` directive',
      content: dockerfile(
        '# escape=`',
        'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
        'FROM `',
        '  ${BASE_IMAGE}',
        'RUN echo a `',
        '  && echo b',
      ),
      parents: [{ image: 'base', line: 3, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'multi-stage: a stage name is not an image (FROM builder)',
      content: dockerfile(
        'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base',
        'FROM ${BASE_IMAGE} AS builder',
        'RUN make',
        'FROM builder AS final',
        'COPY --from=builder /out /out',
        'RUN --mount=from=builder,source=/out,target=/in true',
      ),
      parents: [{ image: 'base', line: 2, arg: 'BASE_IMAGE' }],
    },
    {
      name: 'multi-stage: stage names are case-insensitive, numeric --from is a stage index',
      content: dockerfile(
        'FROM debian:trixie-slim AS Build',
        'FROM build',
        'COPY --from=0 /a /a',
        'COPY --from=BUILD /b /b',
      ),
      parents: [],
      externalBases: [{ ref: 'debian:trixie-slim', line: 1 }],
    },
    {
      name: 'COPY --from=<sibling image> is a parent',
      content: dockerfile(
        'FROM ghcr.io/acme/workspace-images:base',
        'COPY --from=ghcr.io/acme/workspace-images:node /usr/local/bin/node /usr/local/bin/node',
      ),
      image: 'cpp',
      parents: [
        { image: 'base', line: 1 },
        { image: 'node', line: 2 },
      ],
    },
    {
      name: 'RUN --mount=from=<sibling image> is a parent',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=from=ghcr.io/acme/workspace-images:node,source=/usr/local,target=/n true',
      ),
      image: 'cpp',
      parents: [{ image: 'node', line: 2 }],
      externalBases: [{ ref: 'debian:trixie-slim', line: 1 }],
    },
    {
      name: 'the same parent twice is recorded once, at its first line',
      content: dockerfile(
        'FROM ghcr.io/acme/workspace-images:base AS a',
        'FROM ghcr.io/acme/workspace-images:base AS b',
        'COPY --from=ghcr.io/acme/base:x /a /a',
      ),
      parents: [{ image: 'base', line: 1 }],
    },
    {
      name: 'FROM --platform=$BUILDPLATFORM: the flag is not the image',
      content: dockerfile(
        'FROM --platform=$BUILDPLATFORM debian:trixie-slim AS tools',
        'FROM --platform=${TARGETPLATFORM} ghcr.io/acme/workspace-images:base',
        'COPY --from=tools /x /x',
      ),
      parents: [{ image: 'base', line: 2 }],
      externalBases: [{ ref: 'debian:trixie-slim', line: 1 }],
    },
    {
      name: 'external base recorded: debian:trixie-slim',
      image: 'base',
      content: dockerfile('FROM debian:trixie-slim'),
      parents: [],
      externalBases: [{ ref: 'debian:trixie-slim', line: 1 }],
    },
    {
      name: 'external base through an ARG keeps the arg',
      image: 'base',
      content: dockerfile('ARG DEBIAN=debian:trixie-slim', 'FROM ${DEBIAN}'),
      parents: [],
      externalBases: [{ ref: 'debian:trixie-slim', line: 2, arg: 'DEBIAN' }],
    },
    {
      name: 'node:22 stays external although an image is named node',
      content: dockerfile(
        'FROM node:22 AS n',
        'FROM docker.io/library/node:22-slim',
        'COPY --from=node:22 /usr/local/bin/node /usr/local/bin/node',
      ),
      parents: [],
      externalBases: [
        { ref: 'node:22', line: 1 },
        { ref: 'docker.io/library/node:22-slim', line: 2 },
      ],
    },
    {
      name: "another owner's image with a sibling's name stays external",
      content: dockerfile('FROM ghcr.io/someone-else/base:latest'),
      parents: [],
      externalBases: [{ ref: 'ghcr.io/someone-else/base:latest', line: 1 }],
    },
    {
      name: 'another repository of the owner that is not an image stays external',
      content: dockerfile('FROM ghcr.io/acme/other-tool:1'),
      parents: [],
      externalBases: [{ ref: 'ghcr.io/acme/other-tool:1', line: 1 }],
    },
    {
      name: 'COPY --from=<external image> is an external base',
      content: dockerfile(
        'FROM ghcr.io/acme/workspace-images:base',
        'COPY --from=docker:27-cli /usr/local/bin/docker /usr/local/bin/docker',
      ),
      parents: [{ image: 'base', line: 1 }],
      externalBases: [{ ref: 'docker:27-cli', line: 2 }],
    },
  ];

  it.each(cases)('$name', ({ image = 'node', content, parents, externalBases = [] }) => {
    const spec = specOf(image, content);
    expect(spec.parents).toEqual(parents);
    expect(spec.externalBases).toEqual(externalBases);
  });

  it('names the spec after its folder and records root and dockerfile', () => {
    expect(specOf('cpp', dockerfile('FROM debian:trixie-slim'))).toEqual({
      name: 'cpp',
      root: 'images/cpp',
      dockerfile: 'images/cpp/Dockerfile',
      parents: [],
      externalBases: [{ ref: 'debian:trixie-slim', line: 1 }],
      mountedInputs: [],
    });
  });

  it('a trailing slash on the repository option does not matter', () => {
    expect(specOf('node', dockerfile('FROM ghcr.io/acme/workspace-images:base'), `${REPO}/`).parents).toEqual([
      { image: 'base', line: 1 },
    ]);
  });
});

describe('Dockerfile -> image spec: bind mounts per script', () => {
  const cases: Array<{ name: string; content: string; mountedInputs: string[] }> = [
    {
      name: 'source=scripts/cmake',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=scripts/cmake,target=/scripts/cmake bash /scripts/cmake/install.sh',
      ),
      mountedInputs: ['scripts/cmake'],
    },
    {
      name: 'src=./scripts/ninja/ (alias, leading ./ and trailing /)',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,src=./scripts/ninja/,dst=/s bash /s/install.sh',
      ),
      mountedInputs: ['scripts/ninja'],
    },
    {
      name: 'mount type defaults to bind',
      content: dockerfile('FROM debian:trixie-slim', 'RUN --mount=source=scripts/cmake,target=/s bash /s/install.sh'),
      mountedInputs: ['scripts/cmake'],
    },
    {
      name: 'type=cache, type=secret, type=tmpfs and type=ssh are not inputs',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=cache,target=/var/cache/apt,source=scripts/does-not-exist \\',
        '    --mount=type=secret,id=ca-bundle,target=/etc/ssl/certs/ca-certificates.crt \\',
        '    --mount=type=tmpfs,target=/tmp \\',
        '    --mount=type=ssh \\',
        '    apt-get update',
      ),
      mountedInputs: [],
    },
    {
      name: 'the whole scripts folder',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=scripts,target=/scripts bash /scripts/git/install.sh',
      ),
      mountedInputs: ['scripts'],
    },
    {
      name: 'several mounts on one RUN, sorted and deduplicated',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=scripts/ninja,target=/a --mount=type=bind,source=scripts/cmake,target=/b true',
        'RUN --mount=type=bind,source=scripts/cmake/,target=/b true',
      ),
      mountedInputs: ['scripts/cmake', 'scripts/ninja'],
    },
    {
      name: 'mounts across line continuations and in a later stage',
      content: dockerfile(
        'FROM debian:trixie-slim AS build',
        'RUN --mount=type=bind,\\',
        'source=scripts/cmake,target=/s \\',
        '    bash /s/install.sh',
        'FROM build',
        'RUN --mount=type=bind,source=scripts/ninja,target=/n true',
      ),
      mountedInputs: ['scripts/cmake', 'scripts/ninja'],
    },
    {
      name: "a mount of the image's own folder is not an extra input",
      content: dockerfile('FROM debian:trixie-slim', 'RUN --mount=type=bind,source=images/cpp/files,target=/f true'),
      mountedInputs: [],
    },
    {
      name: 'a mount of another image (from=) is not a script folder',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,from=ghcr.io/acme/workspace-images:node,source=/usr,target=/n true',
      ),
      mountedInputs: [],
    },
    {
      name: 'a mount under the # escape=` directive',
      content: dockerfile(
        '# escape=`',
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=scripts/cmake,target=/s `',
        '    bash /s/install.sh',
      ),
      mountedInputs: ['scripts/cmake'],
    },
    {
      name: 'a mount text inside a heredoc is not a mount',
      content: dockerfile(
        'FROM debian:trixie-slim',
        'RUN <<EOF',
        'RUN --mount=type=bind,source=scripts/nowhere,target=/x true',
        'EOF',
      ),
      mountedInputs: [],
    },
  ];
  it.each(cases)('$name', ({ content, mountedInputs }) => {
    expect(specOf('cpp', content).mountedInputs).toEqual(mountedInputs);
  });
});

/** Runs `fn`, expecting an ImageConfigError; returns its message. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isImageConfigError(e), String(e)).toBe(true);
    const message = (e as Error).message;
    // One message naming the problem, then the fix; never a stack trace.
    expect(message).toContain('fix:');
    expect(message).not.toMatch(/^\s+at /m);
    expect((e as Error).stack).toBe(message);
    return message;
  }
  throw new Error('expected an ImageConfigError, got none');
}

const read = (sources: Record<string, string>, exists: (p: string) => boolean = (p) => EXISTING.has(p)) =>
  readImageSpecs(
    Object.entries(sources).map(([file, content]) => ({ dockerfile: file, content })),
    { repository: REPO, pathExists: exists },
  );

describe('errors name the file, the line and the fix', () => {
  it('a cycle between images lists every member', () => {
    const specs = read({
      'images/a/Dockerfile': dockerfile('FROM ghcr.io/acme/workspace-images:c'),
      'images/b/Dockerfile': dockerfile('# b', 'FROM ghcr.io/acme/workspace-images:a'),
      'images/c/Dockerfile': dockerfile('ARG BASE_IMAGE=ghcr.io/acme/workspace-images:b', '', 'FROM ${BASE_IMAGE}'),
      'images/d/Dockerfile': dockerfile('FROM debian:trixie-slim'),
    });
    const message = errorOf(() => levelsOf(specs));
    expect(message).toMatch(/^images\/a\/Dockerfile:1: /);
    expect(message).toContain('cycle');
    expect(message).toContain('images/a/Dockerfile:1');
    expect(message).toContain('images/b/Dockerfile:2');
    expect(message).toContain('images/c/Dockerfile:3');
    expect(message).not.toContain('images/d/');
    for (const edge of ['a FROM c', 'c FROM b', 'b FROM a']) expect(message).toContain(edge);
  });

  it('a two-image cycle reached from an image outside it lists only the members', () => {
    const specs = read({
      'images/a/Dockerfile': dockerfile('FROM ghcr.io/acme/workspace-images:b'),
      'images/b/Dockerfile': dockerfile('FROM ghcr.io/acme/workspace-images:c'),
      'images/c/Dockerfile': dockerfile('FROM ghcr.io/acme/workspace-images:b'),
    });
    const message = errorOf(() => levelsOf(specs));
    expect(message).toContain('images/b/Dockerfile:1');
    expect(message).toContain('images/c/Dockerfile:1');
    expect(message).toContain('b -> c -> b');
    expect(message).not.toContain('images/a/Dockerfile');
  });

  it('an image that builds FROM itself', () => {
    const message = errorOf(() =>
      read({ 'images/base/Dockerfile': dockerfile('# x', 'FROM ghcr.io/acme/workspace-images:base') }),
    );
    expect(message).toMatch(/^images\/base\/Dockerfile:2: /);
  });

  it('a Dockerfile with no FROM names the file', () => {
    const message = errorOf(() => read({ 'images/base/Dockerfile': dockerfile('# only a comment', 'RUN echo hi') }));
    expect(message).toMatch(/^images\/base\/Dockerfile: /);
    expect(message).toContain('no FROM');
  });

  it('an empty Dockerfile', () => {
    expect(errorOf(() => read({ 'images/base/Dockerfile': '' }))).toMatch(/^images\/base\/Dockerfile: .*no FROM/);
  });

  it('a bind mount of a scripts folder that does not exist', () => {
    const message = errorOf(() =>
      read({
        'images/cpp/Dockerfile': dockerfile(
          'FROM debian:trixie-slim',
          'RUN true',
          'RUN --mount=type=bind,source=./scripts/cmkae/,target=/s bash /s/install.sh',
        ),
      }),
    );
    expect(message).toMatch(/^images\/cpp\/Dockerfile:3: /);
    expect(message).toContain('scripts/cmkae');
  });

  it('two images with one name', () => {
    const message = errorOf(() =>
      read({
        'images/base/Dockerfile': dockerfile('FROM debian:trixie-slim'),
        'legacy/Base/Dockerfile': dockerfile('FROM debian:trixie-slim'),
      }),
    );
    expect(message).toMatch(/^legacy\/Base\/Dockerfile: /);
    expect(message).toContain('images/base/Dockerfile');
    expect(message).toContain('"base"');
  });

  const noValue: Array<{ name: string; content: string; line: number; variable: string }> = [
    {
      name: 'ARG without a default',
      content: dockerfile('ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}'),
      line: 2,
      variable: 'BASE_IMAGE',
    },
    { name: 'variable never declared', content: dockerfile('FROM $BASE_IMAGE'), line: 1, variable: 'BASE_IMAGE' },
    {
      name: 'ARG declared only after the FROM (stage ARG)',
      content: dockerfile('FROM ${BASE_IMAGE}', 'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base'),
      line: 1,
      variable: 'BASE_IMAGE',
    },
    {
      name: 'ARG with an empty default',
      content: dockerfile('ARG BASE_IMAGE=', 'FROM ${BASE_IMAGE}'),
      line: 2,
      variable: 'BASE_IMAGE',
    },
    {
      name: 'ARG with an empty quoted default',
      content: dockerfile('ARG BASE_IMAGE=""', '', 'FROM $BASE_IMAGE'),
      line: 3,
      variable: 'BASE_IMAGE',
    },
    {
      name: 'variable in COPY --from',
      content: dockerfile('FROM debian:trixie-slim', 'COPY --from=${TOOLS} /a /a'),
      line: 2,
      variable: 'TOOLS',
    },
  ];
  it.each(noValue)('a FROM whose variable has no value: $name', ({ content, line, variable }) => {
    const message = errorOf(() => read({ 'images/node/Dockerfile': content }));
    expect(message).toMatch(new RegExp(`^images/node/Dockerfile:${line}: `));
    expect(message).toContain(variable);
  });

  const unknown: Array<{ ref: string; image: string }> = [
    { ref: 'ghcr.io/acme/workspace-images:python', image: 'python' },
    { ref: 'ghcr.io/acme/workspace-images/python:1', image: 'python' },
    { ref: 'ghcr.io/acme/workspace-images', image: '' },
  ];
  it.each(unknown)('a reference to our repository with an unknown image name: $ref', ({ ref, image }) => {
    const message = errorOf(() =>
      read({
        'images/base/Dockerfile': dockerfile('FROM debian:trixie-slim'),
        'images/node/Dockerfile': dockerfile('# node', `ARG BASE_IMAGE=${ref}`, 'FROM ${BASE_IMAGE}'),
      }),
    );
    expect(message).toMatch(/^images\/node\/Dockerfile:3: /);
    expect(message).toContain(`"${image}"`);
    expect(message).toContain('base, node');
  });

  it('a reference to one of our images in another repository than the plugin option names both and the fix', () => {
    const message = errorOf(() =>
      read({
        'images/base/Dockerfile': dockerfile('FROM debian:trixie-slim'),
        'images/node/Dockerfile': dockerfile(
          '# node',
          'ARG BASE_IMAGE=ghcr.io/alice/workspace-images:base',
          'FROM ${BASE_IMAGE}',
        ),
      }),
    );
    expect(message).toMatch(/^images\/node\/Dockerfile:3: /);
    expect(message).toContain(
      '`ghcr.io/alice/workspace-images:base` (the default of ARG BASE_IMAGE) looks like this workspace\'s image "base" under ghcr.io/alice/workspace-images, not the plugin\'s repository ghcr.io/acme/workspace-images',
    );
    expect(message).toContain(
      'fix: run npx images rename-repository (it rewrites every such reference to ghcr.io/acme/workspace-images:base and the like), or set "repository": "ghcr.io/alice/workspace-images"',
    );
  });

  it.each([
    { layout: 'single' as const, ref: 'ghcr.io/old/images:base', to: 'ghcr.io/acme/workspace-images:base' },
    {
      layout: 'per-image' as const,
      ref: 'ghcr.io/old/images/base:edge',
      to: 'ghcr.io/acme/workspace-images/base:edge',
    },
  ])('a renamed repository path ($layout) is refused with the command that moves it', ({ layout, ref, to }) => {
    const sources = Object.entries({
      'images/base/Dockerfile': dockerfile('FROM debian:trixie-slim'),
      'images/node/Dockerfile': dockerfile(`ARG BASE_IMAGE=${ref}`, 'FROM ${BASE_IMAGE}'),
    }).map(([dockerfile, content]) => ({ dockerfile, content }));
    const options = { repository: 'ghcr.io/acme/workspace-images', layout, pathExists: () => true };
    const message = errorOf(() => readImageSpecs(sources, options));
    expect(message).toMatch(/^images\/node\/Dockerfile:2: /);
    expect(message).toContain(`rewrites every such reference to ${to}`);
  });
});
