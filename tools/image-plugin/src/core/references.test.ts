import { describe, expect, it } from 'vitest';
import { classifyReference, parseReference, registryLocation } from './references';

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
    { ref: 'ghcr.io/other/base', kind: { kind: 'external' } },
    {
      ref: 'ghcr.io/alice/workspace-images:base',
      kind: { kind: 'other-repository', image: 'base', repository: 'ghcr.io/alice/workspace-images' },
    },
    {
      ref: '127.0.0.1:5000/ns/workspace-images:cpp',
      kind: { kind: 'other-repository', image: 'cpp', repository: '127.0.0.1:5000/ns/workspace-images' },
    },
    { ref: 'ghcr.io/alice/workspace-images:python', kind: { kind: 'external' } },
    { ref: 'ghcr.io/alice/other-images:base', kind: { kind: 'external' } },
    { ref: 'workspace-images:base', kind: { kind: 'external' } },
    { ref: 'debian:trixie-slim', kind: { kind: 'external' } },
    { ref: 'node:22', kind: { kind: 'external' } },
    { ref: 'node', kind: { kind: 'external' } },
    { ref: 'library/node:22', kind: { kind: 'external' } },
    { ref: 'builder', stages: ['builder'], kind: { kind: 'stage' } },
    { ref: 'Builder', stages: ['builder'], kind: { kind: 'stage' } },
    { ref: 'node', stages: ['node'], kind: { kind: 'stage' } },
  ])('$ref', ({ ref, stages = [], kind }) => {
    expect(classifyReference(ref, ours, names, new Set(stages))).toEqual(kind);
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
