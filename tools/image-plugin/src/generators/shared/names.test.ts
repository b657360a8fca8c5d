import { describe, expect, it } from 'vitest';
import { imageFolderFor } from './layout';
import { listOption } from './list-option';
import {
  checkAptPackage,
  checkImageName,
  checkNpmPackage,
  checkPersistPath,
  checkToolName,
  MAX_IMAGE_NAME,
  tagClash,
} from './names';
import { scriptFacts } from './script-facts';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('image names (Docker path components)', () => {
  it.each(['python', 'rust-nightly', 'node22', 'a.b', 'a_b', 'a__b', 'a--b', 'x'.repeat(MAX_IMAGE_NAME)])(
    'accepts %s',
    (name) => {
      expect(checkImageName(name)).toBe(name);
    },
  );
  it.each([
    ['', 'the image needs a name'],
    ['Python', '"Python" is not a valid image name (image names are lowercase)\n  fix: use "python"'],
    ['-python', 'not a valid image name'],
    ['python-', 'not a valid image name'],
    ['py thon', 'not a valid image name'],
    ['a...b', 'not a valid image name'],
    ['a___b', 'not a valid image name'],
    ['images/python', 'not a valid image name'],
    ['py:3', 'not a valid image name'],
    ['x'.repeat(MAX_IMAGE_NAME + 1), `use at most ${MAX_IMAGE_NAME} characters`],
  ])('refuses %j', (name, expected) => {
    expect(message(() => checkImageName(name))).toContain(expected);
  });
});

describe('tag clashes in the single layout', () => {
  it.each([
    ['node-22', 'node', `"node-22" is also node's release tag for version 22`],
    ['node', 'node-1', `"node-1" is also node's release tag for version 1`],
    ['base-abc1234', 'base', `"base-abc1234" is also base's tag for commit abc1234`],
    ['base-buildcache', 'base', `"base-buildcache" is also one of base's own tags`],
    ['base-content-x', 'base', `"base-content-x" is also one of base's own tags`],
    ['node-tools', 'node', undefined],
    ['python', 'node', undefined],
    ['nodejs', 'node', undefined],
  ])('%s next to %s', (name, existing, expected) => {
    expect(tagClash(name, existing)).toBe(expected);
  });
});

describe('tool names, Debian packages, pinned npm packages, persisted paths, repositories', () => {
  it.each([
    [() => checkToolName('ripgrep'), 'ripgrep'],
    [() => checkToolName('github-cli'), 'github-cli'],
    [() => checkToolName('lib'), '"lib" is the folder of the shared helpers'],
    [() => checkToolName('Rip Grep'), '"Rip Grep" is not a valid tool name'],
    [() => checkToolName('../x'), 'is not a valid tool name'],
    [() => checkAptPackage('g++'), 'g++'],
    [() => checkAptPackage('libssl3t64'), 'libssl3t64'],
    [() => checkAptPackage('gdb=15.2-1'), 'pass the bare name "gdb"'],
    [() => checkAptPackage('Gdb'), 'is not a Debian package name'],
    [() => checkAptPackage('gdb;rm'), 'is not a Debian package name'],
    [() => checkNpmPackage('typescript@5.9.3'), 'typescript@5.9.3'],
    [() => checkNpmPackage('@openai/codex@0.169.0'), '@openai/codex@0.169.0'],
    [() => checkNpmPackage('pkg@1.0.0-rc.1'), 'pkg@1.0.0-rc.1'],
    [() => checkNpmPackage('typescript'), '--npm "typescript" is not pinned to one version'],
    [() => checkNpmPackage('typescript@^5.9.3'), 'pin an exact version: typescript@<x.y.z>'],
    [() => checkNpmPackage('@openai/codex@latest'), 'not pinned'],
    [() => checkNpmPackage('Bad Name@1.0.0'), 'is not an npm package name'],
    [() => JSON.stringify(checkPersistPath('.config/tool:dir')), '{"path":".config/tool","type":"dir"}'],
    [() => JSON.stringify(checkPersistPath('.toolrc:file')), '{"path":".toolrc","type":"file"}'],
    [() => JSON.stringify(checkPersistPath('~/.cache/tool')), '{"path":".cache/tool","type":"dir"}'],
    [() => checkPersistPath('.tool:folder'), 'the type must be dir or file'],
    [() => checkPersistPath('/etc/tool:dir'), 'is not a path under $HOME'],
    [() => checkPersistPath('.a/../../b:dir'), 'is not a path under $HOME'],
    [() => checkPersistPath('.a b:dir'), 'use only letters'],
  ])('%#', (f, expected) => {
    const value = message(f) === 'no error' ? f() : message(f);
    expect(typeof value === 'string' ? value : JSON.stringify(value)).toContain(expected);
  });
});

describe('where a new image goes, from dockerfileGlob', () => {
  it.each([
    ['images/*/Dockerfile', 'images/python'],
    ['docker/images/*/Dockerfile', 'docker/images/python'],
    ['*/Dockerfile', 'python'],
  ])('%s', (glob, folder) => expect(imageFolderFor(glob, 'python')).toBe(folder));
  it.each(['**/Dockerfile', 'images/*/Containerfile', 'images/{a,b}/*/Dockerfile'])('%s says nowhere', (glob) => {
    expect(message(() => imageFolderFor(glob, 'python'))).toMatch(
      /^nx\.json: the plugin's dockerfileGlob .* does not say which folder/,
    );
  });
});

describe('list options', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['cmake,gdb', ['cmake', 'gdb']],
    [' cmake , gdb ,', ['cmake', 'gdb']],
    [
      ['cmake', 'gdb,ninja'],
      ['cmake', 'gdb', 'ninja'],
    ],
    [['gdb', 'gdb'], ['gdb']],
  ])('%j', (value, expected) => expect(listOption(value)).toEqual(expected));
});

describe('install script facts', () => {
  const house = [
    '#!/usr/bin/env bash',
    "# Installs the GNU debugger system-wide from Debian's archive.",
    'set -euo pipefail',
    '',
    'packages=(gdb gdbserver)',
    'npm_packages=(typescript@5.9.3 @s/x@1.0.0)',
    '. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"',
    'home_persist_manifest gdb owner .gdbinit:file',
    '',
  ].join('\n');
  it('reads the header, the package arrays, the manifests and whether it fetches over HTTPS', () => {
    expect(scriptFacts(house)).toEqual({
      summary: "the GNU debugger system-wide from Debian's archive",
      aptPackages: ['gdb', 'gdbserver'],
      npmPackages: ['typescript@5.9.3', '@s/x@1.0.0'],
      manifests: ['gdb'],
      fetchesOverHttps: true,
    });
  });
  it.each([
    ['packages=("$x")', []],
    ['packages=($PKGS)', []],
    ['  packages=(a)', []],
    ['packages=()', []],
  ])('a package array it cannot read literally contributes nothing: %s', (line, expected) => {
    expect(scriptFacts(`#!/bin/bash\n${line}\n`).aptPackages).toEqual(expected);
  });
  it.each([
    ['mounts the secret: --mount=type=secret,id=ca-bundle', true],
    ['npm install --global x@1', true],
    ['apt_install_missing x y', false],
  ])('HTTPS from %j', (text, expected) =>
    expect(scriptFacts(`#!/bin/bash\n# x\n${text}\n`).fetchesOverHttps).toBe(expected),
  );
});
