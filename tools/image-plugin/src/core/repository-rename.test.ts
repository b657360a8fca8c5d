import { describe, expect, it } from 'vitest';
import { readDockerfile } from './dockerfile';
import { ImageConfigError } from './errors';
import { renameLine, renameMoves, rewriteReferences, type RenameTarget } from './repository-rename';

const file = (dockerfile: string, ...lines: string[]) => {
  const content = [...lines, ''].join('\n');
  return { dockerfile, content, facts: readDockerfile(dockerfile, content) };
};
const names = new Set(['base', 'node', 'cpp']);
const target: RenameTarget = { repository: 'ghcr.io/me/devboxes', layout: 'single', imageNames: names };
const pin = `sha256:${'5'.repeat(64)}`;

describe('renameMoves', () => {
  it.each([
    {
      name: 'the ARG default of FROM ${BASE_IMAGE} (the line of the ARG)',
      files: [file('images/node/Dockerfile', '# c', 'ARG BASE_IMAGE=ghcr.io/acme/images:base', 'FROM ${BASE_IMAGE}')],
      lines: ['images/node/Dockerfile:2: ghcr.io/acme/images:base -> ghcr.io/me/devboxes:base'],
    },
    {
      name: 'a FROM line and a COPY --from',
      files: [
        file(
          'images/cpp/Dockerfile',
          'FROM ghcr.io/acme/images:base AS b',
          'FROM b',
          'COPY --from=ghcr.io/acme/images:node /x /x',
        ),
      ],
      lines: [
        'images/cpp/Dockerfile:1: ghcr.io/acme/images:base -> ghcr.io/me/devboxes:base',
        'images/cpp/Dockerfile:3: ghcr.io/acme/images:node -> ghcr.io/me/devboxes:node',
      ],
    },
    {
      name: 'the last ARG default before the first FROM, one line for two FROMs',
      files: [
        file(
          'images/cpp/Dockerfile',
          'ARG BASE_IMAGE=x/y:z',
          'ARG OTHER=1 BASE_IMAGE="ghcr.io/acme/images:base"',
          'FROM ${BASE_IMAGE} AS one',
          'FROM ${BASE_IMAGE}',
        ),
      ],
      lines: ['images/cpp/Dockerfile:2: ghcr.io/acme/images:base -> ghcr.io/me/devboxes:base'],
    },
    {
      name: 'external bases and our own references stay',
      files: [
        file('images/base/Dockerfile', `FROM debian:trixie-slim@${pin}`, 'FROM node:22 AS n'),
        file('images/node/Dockerfile', 'ARG BASE_IMAGE=ghcr.io/me/devboxes:base', 'FROM ${BASE_IMAGE}'),
        file('images/cpp/Dockerfile', `FROM ghcr.io/other/tool:base@${pin}`),
      ],
      lines: [],
    },
  ])('$name', ({ files, lines }) => {
    expect(renameMoves(files, target).map(renameLine)).toEqual(lines);
  });

  it.each([
    { from: 'quay.io/old/imgs', ref: 'quay.io/old/imgs:base', moved: true },
    { from: 'quay.io/old/imgs', ref: `quay.io/old/imgs:base@${pin}`, moved: true },
    { from: 'quay.io/old/imgs', ref: 'quay.io/old/imgs:python', moved: false },
    { from: 'quay.io/old/imgs', ref: 'ghcr.io/acme/images:base', moved: false },
    { from: 'Quay.io/Old/Imgs/', ref: 'quay.io/old/imgs:node', moved: true },
  ])('--from $from: $ref', ({ from, ref, moved }) => {
    const files = [file('images/cpp/Dockerfile', `ARG BASE_IMAGE=${ref}`, 'FROM ${BASE_IMAGE}')];
    expect(renameMoves(files, { ...target, from }).length).toBe(moved ? 1 : 0);
  });

  it('per-image layout: the image is the last path part, its tag is kept', () => {
    const files = [file('images/cpp/Dockerfile', 'ARG BASE_IMAGE=ghcr.io/acme/images/base:edge', 'FROM ${BASE_IMAGE}')];
    expect(renameMoves(files, { ...target, layout: 'per-image' }).map(renameLine)).toEqual([
      'images/cpp/Dockerfile:1: ghcr.io/acme/images/base:edge -> ghcr.io/me/devboxes/base:edge',
    ]);
  });

  it('refuses a reference put together from variables, naming the line', () => {
    const files = [
      file(
        'images/cpp/Dockerfile',
        'ARG OWNER=acme',
        'ARG BASE_IMAGE=ghcr.io/${OWNER}/images:base',
        'FROM ${BASE_IMAGE}',
      ),
    ];
    expect(() => renameMoves(files, target)).toThrow(ImageConfigError);
    expect(() => renameMoves(files, target)).toThrow(/not written out on line 2/);
  });
});

describe('rewriteReferences', () => {
  it('replaces the reference on its line and keeps everything else', () => {
    const text = '# keep\nARG BASE_IMAGE=ghcr.io/acme/images:base # parent\nFROM ${BASE_IMAGE}\n';
    const [move] = renameMoves([file('images/node/Dockerfile', ...text.split('\n').slice(0, -1))], target);
    expect(rewriteReferences(text, [move])).toBe(
      '# keep\nARG BASE_IMAGE=ghcr.io/me/devboxes:base # parent\nFROM ${BASE_IMAGE}\n',
    );
    expect(() => rewriteReferences('# changed\n', [move])).toThrow(/does not hold/);
  });
});
