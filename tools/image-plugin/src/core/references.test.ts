import { describe, expect, it } from 'vitest';
import {
  classifyReference,
  familyImageElsewhere,
  parseReference,
  registryLocation,
  renamedReference,
} from './references';

describe('parseReference', () => {
  it.each([
    { ref: 'debian:trixie-slim', expected: { repository: 'debian', tag: 'trixie-slim' } },
    { ref: 'debian', expected: { repository: 'debian' } },
    { ref: 'GHCR.io/Acme/Images:Base', expected: { repository: 'ghcr.io/acme/images', tag: 'Base' } },
    { ref: 'localhost:5000/acme/images:base', expected: { repository: 'localhost:5000/acme/images', tag: 'base' } },
    { ref: 'localhost:5000/acme/images', expected: { repository: 'localhost:5000/acme/images' } },
    {
      ref: `ghcr.io/a/b@sha256:${'0'.repeat(64)}`,
      expected: { repository: 'ghcr.io/a/b', digest: `sha256:${'0'.repeat(64)}` },
    },
    {
      ref: `ghcr.io/a/b:base@sha256:${'0'.repeat(64)}`,
      expected: { repository: 'ghcr.io/a/b', tag: 'base', digest: `sha256:${'0'.repeat(64)}` },
    },
  ])('$ref', ({ ref, expected }) => {
    expect(parseReference(ref)).toEqual(expected);
  });
});

describe('classifyReference', () => {
  const ours = 'ghcr.io/acme/workspace-images';
  const names = new Set(['base', 'node', 'cpp', 'developer']);
  it.each([
    { ref: 'ghcr.io/acme/workspace-images:base', kind: { kind: 'sibling', image: 'base' } },
    { ref: 'ghcr.io/acme/base:any-tag', kind: { kind: 'sibling', image: 'base' } },
    { ref: 'ghcr.io/acme/workspace-images/cpp', kind: { kind: 'sibling', image: 'cpp' } },
    { ref: 'ghcr.io/acme/workspace-images/cpp:1.2', kind: { kind: 'sibling', image: 'cpp' } },
    { ref: `ghcr.io/acme/workspace-images:node@sha256:${'1'.repeat(64)}`, kind: { kind: 'sibling', image: 'node' } },
    { ref: 'ghcr.io/acme/workspace-images:python', kind: { kind: 'unknown-sibling', image: 'python' } },
    { ref: 'ghcr.io/acme/workspace-images/python', kind: { kind: 'unknown-sibling', image: 'python' } },
    { ref: 'ghcr.io/acme/workspace-images', kind: { kind: 'unknown-sibling', image: '' } },
    { ref: 'ghcr.io/acme/python:3', kind: { kind: 'external' } },
    { ref: 'ghcr.io/other/base', layout: 'single', kind: { kind: 'external' } },
    {
      ref: 'ghcr.io/other/base',
      kind: { kind: 'other-repository', image: 'base', repository: 'ghcr.io/other', layout: 'per-image' },
    },
    {
      ref: 'ghcr.io/alice/workspace-images:base',
      kind: { kind: 'other-repository', image: 'base', repository: 'ghcr.io/alice/workspace-images', layout: 'single' },
    },
    {
      ref: '127.0.0.1:5000/ns/workspace-images:cpp',
      kind: {
        kind: 'other-repository',
        image: 'cpp',
        repository: '127.0.0.1:5000/ns/workspace-images',
        layout: 'single',
      },
    },
    { ref: 'ghcr.io/alice/workspace-images:python', kind: { kind: 'external' } },
    {
      ref: 'ghcr.io/alice/other-images:base',
      kind: { kind: 'other-repository', image: 'base', repository: 'ghcr.io/alice/other-images', layout: 'single' },
    },
    { ref: `ghcr.io/alice/other-images:base@sha256:${'2'.repeat(64)}`, kind: { kind: 'external' } },
    { ref: 'workspace-images:base', kind: { kind: 'external' } },
    { ref: 'debian:trixie-slim', kind: { kind: 'external' } },
    { ref: 'node:22', kind: { kind: 'external' } },
    { ref: 'node', kind: { kind: 'external' } },
    { ref: 'library/node:22', kind: { kind: 'external' } },
    { ref: 'builder', stages: ['builder'], kind: { kind: 'stage' } },
    { ref: 'Builder', stages: ['builder'], kind: { kind: 'stage' } },
    { ref: 'node', stages: ['node'], kind: { kind: 'stage' } },
  ])('$ref $layout', ({ ref, stages = [], layout, kind }) => {
    expect(classifyReference(ref, ours, names, new Set(stages), layout as 'single' | undefined)).toEqual(kind);
  });
});

/**
 * The rule for one of our images under another repository (a renamed `repository`): nx.json says
 * ghcr.io/me/devboxes, the family is base, node, cpp, developer. `found` is the repository it names,
 * or null for an external base. Real external bases must stay external.
 */
describe('familyImageElsewhere', () => {
  const ours = 'ghcr.io/me/devboxes';
  const names = new Set(['base', 'node', 'cpp', 'developer']);
  const pin = `@sha256:${'3'.repeat(64)}`;
  it.each([
    // renamed: path, owner or both on the same registry; the owner on another registry; the name anywhere
    { ref: 'ghcr.io/acme/images:base', layout: 'single', found: 'ghcr.io/acme/images' },
    { ref: 'ghcr.io/me/images:node', layout: 'single', found: 'ghcr.io/me/images' },
    { ref: 'ghcr.io/acme/devboxes:cpp', layout: 'single', found: 'ghcr.io/acme/devboxes' },
    { ref: 'GHCR.io/Acme/Images:base', layout: 'single', found: 'ghcr.io/acme/images' },
    { ref: 'ghcr.io/acme/team/images:base', layout: 'single', found: 'ghcr.io/acme/team/images' },
    { ref: 'registry.example.com/me/images:base', layout: 'single', found: 'registry.example.com/me/images' },
    { ref: 'quay.io/acme/devboxes:base', layout: 'single', found: 'quay.io/acme/devboxes' },
    { ref: `quay.io/acme/devboxes:base${pin}`, layout: 'single', found: 'quay.io/acme/devboxes' },
    { ref: 'ghcr.io/acme/images/base:latest', layout: 'per-image', found: 'ghcr.io/acme/images' },
    { ref: 'ghcr.io/acme/node', layout: 'per-image', found: 'ghcr.io/acme' },
    { ref: 'ghcr.io/other/tool:base', layout: 'single', found: 'ghcr.io/other/tool' },
    // external: official images, no owner, another form than the layout's, pinned, other registry and owner
    { ref: 'debian:trixie-slim', layout: 'single', found: null },
    { ref: 'node:22', layout: 'per-image', found: null },
    { ref: 'node', layout: undefined, found: null },
    { ref: 'docker.io/library/node:22', layout: 'per-image', found: null },
    { ref: 'library/node:base', layout: 'single', found: null },
    { ref: 'ghcr.io/base', layout: 'per-image', found: null },
    { ref: 'ghcr.io/me/devboxes:base', layout: 'single', found: null },
    { ref: 'ghcr.io/other/node:22', layout: 'single', found: null },
    { ref: 'ghcr.io/acme/images:base', layout: 'per-image', found: null },
    { ref: `ghcr.io/other/tool:base${pin}`, layout: 'single', found: null },
    { ref: `ghcr.io/other/node:22${pin}`, layout: 'per-image', found: null },
    { ref: 'mcr.microsoft.com/devcontainers/base:bookworm', layout: 'per-image', found: null },
    { ref: 'cimg/node:22.1', layout: 'per-image', found: null },
    { ref: 'quay.io/acme/images:base', layout: 'single', found: null },
    { ref: 'ghcr.io/acme/images:python', layout: 'single', found: null },
  ])('$ref ($layout)', ({ ref, layout, found }) => {
    const result = familyImageElsewhere(ref, ours, names, layout as 'single' | 'per-image' | undefined);
    expect(result?.repository ?? null).toBe(found);
  });

  it("on Docker Hub: an owner's image named like ours is near, an official image is not", () => {
    expect(familyImageElsewhere('acme/images:base', 'docker.io/me/devboxes', names, 'single')?.repository).toBe(
      'acme/images',
    );
    expect(familyImageElsewhere('node:22', 'docker.io/me/devboxes', names, 'per-image')).toBeUndefined();
    expect(familyImageElsewhere(`bitnami/node:22${pin}`, 'me/devboxes', names, 'per-image')).toBeUndefined();
  });
});

describe('renamedReference', () => {
  it.each([
    { ref: 'ghcr.io/acme/images:base', form: 'single', layout: 'single', to: 'ghcr.io/me/devboxes:base' },
    {
      ref: `ghcr.io/acme/images:node@sha256:${'4'.repeat(64)}`,
      form: 'single',
      layout: 'single',
      to: `ghcr.io/me/devboxes:node@sha256:${'4'.repeat(64)}`,
    },
    { ref: 'ghcr.io/acme/images/cpp:edge', form: 'per-image', layout: 'per-image', to: 'ghcr.io/me/devboxes/cpp:edge' },
    { ref: 'ghcr.io/acme/images/cpp:edge', form: 'per-image', layout: 'single', to: 'ghcr.io/me/devboxes:cpp' },
    { ref: 'ghcr.io/acme/images:cpp', form: 'single', layout: 'per-image', to: 'ghcr.io/me/devboxes/cpp' },
  ] as const)('$ref -> $to', ({ ref, form, layout, to }) => {
    const image = to.includes('cpp') ? 'cpp' : to.includes('node') ? 'node' : 'base';
    expect(renamedReference(ref, { image, repository: 'x', layout: form }, 'ghcr.io/me/devboxes', layout)).toBe(to);
  });
});

describe('registryLocation', () => {
  it.each([
    { repository: '127.0.0.1:5000/acme/images', host: '127.0.0.1:5000', path: 'acme/images' },
    { repository: 'ghcr.io/acme/images/base', host: 'ghcr.io', path: 'acme/images/base' },
    { repository: 'localhost/acme/images', host: 'localhost', path: 'acme/images' },
    { repository: 'debian', host: 'docker.io', path: 'library/debian' },
    { repository: 'acme/images', host: 'docker.io', path: 'acme/images' },
    { repository: 'docker.io/library/debian', host: 'docker.io', path: 'library/debian' },
  ])('$repository', ({ repository, host, path }) => {
    expect(registryLocation(repository)).toEqual({ host, path });
  });
});
