import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import installScriptGenerator, { bundledHelpersDir, commentLines, headerOf, versionCommandOf } from './generator';
import type { InstallScriptGeneratorSchema } from './schema';

const REPO_ROOT = join(__dirname, '../../../../..');
const LIB = join(REPO_ROOT, 'scripts/lib');

function workspace(withLib = true): Tree {
  const tree = createTreeWithEmptyWorkspace();
  if (withLib) {
    for (const helper of ['apt.sh', 'npm.sh', 'home-persist.sh'])
      tree.write(`scripts/lib/${helper}`, readFileSync(join(LIB, helper), 'utf8'));
  }
  tree.write('scripts/gdb/install.sh', '#!/usr/bin/env bash\n');
  return tree;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The Tree's scripts/ folder on disk, next to this repository's helpers. */
function onDisk(tree: Tree, tool: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'install-script-'));
  dirs.push(dir);
  cpSync(LIB, join(dir, 'scripts/lib'), { recursive: true });
  const path = join(dir, 'scripts', tool, 'install.sh');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, tree.read(`scripts/${tool}/install.sh`, 'utf8') ?? '');
  chmodSync(path, 0o755);
  return dir;
}

describe('install-script generator: bad input is refused with one message, before anything is written', () => {
  it.each<[string, InstallScriptGeneratorSchema, string]>([
    ['no tool', { tool: '' }, 'the install script needs a tool name'],
    ['an invalid tool name', { tool: 'Rip Grep' }, '"Rip Grep" is not a valid tool name'],
    ['the helpers folder', { tool: 'lib' }, '"lib" is the folder of the shared helpers'],
    [
      'an existing script',
      { tool: 'gdb' },
      'scripts/gdb/install.sh: the install script "gdb" already exists (scripts/gdb)',
    ],
    [
      'a versioned Debian package',
      { tool: 't', apt: 'curl,jq=1.7' },
      '--apt "jq=1.7" is not a Debian package name\n  fix: pass the bare name "jq"',
    ],
    ['an unpinned npm package', { tool: 't', npm: ['typescript'] }, '--npm "typescript" is not pinned to one version'],
    ['a range', { tool: 't', npm: 'typescript@~5.9.0' }, 'pin an exact version: typescript@<x.y.z>'],
    [
      'a path outside $HOME',
      { tool: 't', persist: '../.ssh:dir' },
      '--persist "../.ssh:dir": "../.ssh" is not a path under $HOME',
    ],
    ['an unknown path type', { tool: 't', persist: '.t:link' }, 'the type must be dir or file'],
    ['a description of two lines', { tool: 't', description: 'x\nrm -rf /' }, '--description must be one line'],
    [
      'an unknown scope',
      { tool: 't', persist: '.t', persistScope: 'team' as never },
      '--persistScope "team" is not a scope',
    ],
  ])('%s', async (_case, schema, expected) => {
    const tree = workspace();
    const before = tree.listChanges().length;
    await expect(installScriptGenerator(tree, schema)).rejects.toThrow(expected);
    expect(tree.listChanges().length).toBe(before);
  });
});

const VARIANTS: Array<[string, InstallScriptGeneratorSchema]> = [
  ['apt', { tool: 'ripgrep', apt: 'ripgrep' }],
  ['npm', { tool: 'tsc', npm: 'typescript@5.9.3,@openai/codex@0.169.0' }],
  [
    'apt, npm and persisted paths',
    {
      tool: 'mytool',
      apt: ['ripgrep', 'fd-find'],
      npm: ['typescript@5.9.3'],
      persist: '.config/mytool:dir,.mytoolrc:file',
    },
  ],
  ['nothing to install yet', { tool: 'custom' }],
  ['persisted paths only, workspace scope', { tool: 'cache', persist: ['.cache/cache'], persistScope: 'workspace' }],
];

describe('install-script generator: what it writes', () => {
  it('the house style: header, arrays, the shared helpers, require_root, the installs, the manifest', async () => {
    const tree = workspace();
    await installScriptGenerator(tree, {
      tool: 'mytool',
      description: 'mytool (the example CLI)',
      apt: 'ripgrep',
      npm: 'typescript@5.9.3',
      persist: '.config/mytool:dir,.mytoolrc:file',
    });
    expect(tree.read('scripts/mytool/install.sh', 'utf8')).toBe(
      [
        '#!/usr/bin/env bash',
        "# Installs mytool (the example CLI) system-wide from Debian's archive (ripgrep) and the npm registry, pinned",
        '# (typescript@5.9.3).',
        '# Needs Node.js, npm and jq in the image, and HTTPS to the npm registry: behind a TLS-intercepting proxy,',
        '# mount the CA bundle as the BuildKit secret `ca-bundle` at /etc/ssl/certs/ca-certificates.crt (the image',
        '# generator adds that mount to the RUN step of a script that sources lib/npm.sh).',
        '# Bind-mounted into image builds (never copied into a layer); run as root.',
        '# Idempotent: packages that are already installed are skipped, and a second run changes nothing.',
        "# version: dpkg-query -W -f='${Version}' ripgrep",
        'set -euo pipefail',
        '',
        'packages=(ripgrep)',
        'npm_packages=(typescript@5.9.3)',
        '',
        '# shellcheck source=scripts/lib/apt.sh',
        '. "$(dirname "$(readlink -f "$0")")/../lib/apt.sh"',
        '# shellcheck source=scripts/lib/npm.sh',
        '. "$(dirname "$(readlink -f "$0")")/../lib/npm.sh"',
        '# shellcheck source=scripts/lib/home-persist.sh',
        '. "$(dirname "$(readlink -f "$0")")/../lib/home-persist.sh"',
        'require_root "scripts/mytool/install.sh"',
        'apt_install_missing mytool "${packages[@]}"',
        'npm_install_missing mytool "${npm_packages[@]}"',
        '',
        '# mytool keeps state in $HOME: the volume keeps it per owner (see docs/home-persist.md).',
        'home_persist_manifest mytool owner .config/mytool:dir .mytoolrc:file',
        '',
      ].join('\n'),
    );
    expect(tree.listChanges().find((c) => c.path === 'scripts/mytool/install.sh')?.options?.mode).toBe('755');
  });

  it.each(VARIANTS)('shellcheck -x is clean: %s', async (_case, schema) => {
    const tree = workspace();
    await installScriptGenerator(tree, schema);
    const dir = onDisk(tree, schema.tool);
    const check = await execa('shellcheck', ['-x', `scripts/${schema.tool}/install.sh`], {
      cwd: dir,
      reject: false,
      all: true,
    });
    expect(check.exitCode, check.all).toBe(0);
  });

  it('a workspace without the helpers gets the ones the script sources, from the package; existing ones are kept', async () => {
    const tree = workspace(false);
    await installScriptGenerator(tree, { tool: 'a', apt: 'jq', persist: '.a' });
    expect(tree.children('scripts/lib').sort()).toEqual(['apt.sh', 'home-persist.sh']);
    expect(tree.read('scripts/lib/apt.sh', 'utf8')).toBe(readFileSync(join(bundledHelpersDir(), 'apt.sh'), 'utf8'));
    tree.write('scripts/lib/apt.sh', '# my own\n');
    await installScriptGenerator(tree, { tool: 'b', npm: 'typescript@5.9.3' });
    expect(tree.children('scripts/lib').sort()).toEqual(['apt.sh', 'home-persist.sh', 'npm.sh']);
    expect(tree.read('scripts/lib/apt.sh', 'utf8')).toBe('# my own\n');
  });

  it.each([
    { apt: ['ripgrep', 'fd-find'], npm: ['x@1'], want: "dpkg-query -W -f='${Version}' ripgrep" },
    {
      apt: [],
      npm: ['@scope/cli@2.0.1', 'y@1'],
      want: `node -p "require('/usr/local/lib/node_modules/@scope/cli/package.json').version"`,
    },
    { apt: [], npm: [], want: 'mytool --version' },
  ])('declares how its version is read: $want', ({ apt, npm, want }) => {
    const script = { tool: 'mytool', description: 'x', apt, npm, persist: [], persistScope: 'owner' as const };
    expect(versionCommandOf(script)).toBe(want);
    expect(headerOf(script)).toContain(`\n# version: ${want}`);
  });

  it('wraps the header at 110 characters', () => {
    const lines = commentLines(`Installs x from ${'pkg '.repeat(60)}`);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
    expect(lines.join(' ').replace(/#\s/g, '')).toBe(`Installs x from ${'pkg '.repeat(60).trim()}`);
  });

  it(
    'runs twice as root in a fresh debian:trixie-slim container: installs, then changes nothing; writes the manifest',
    { timeout: 300_000 },
    async () => {
      const tree = workspace();
      await installScriptGenerator(tree, {
        tool: 'jqtool',
        apt: 'jq',
        persist: '.config/jqtool:dir,.jqtoolrc:file',
        persistScope: 'workspace',
      });
      const dir = onDisk(tree, 'jqtool');
      const run = await execa(
        'docker',
        [
          'run',
          '--rm',
          '--name',
          `gen-install-script-${randomBytes(4).toString('hex')}`,
          '-v',
          `${dir}/scripts:/scripts:ro`,
          'debian:trixie-slim',
          'bash',
          '-c',
          [
            'bash /scripts/jqtool/install.sh >/tmp/first 2>&1 || { cat /tmp/first; exit 1; }',
            // Every file apt, dpkg or the script can touch, by content: the second run must change none.
            'state() { find /etc /usr /var/lib/dpkg -xdev -type f -exec sha256sum {} + | sort | sha256sum; }',
            'before=$(state)',
            'bash /scripts/jqtool/install.sh',
            'test "$(state)" = "$before" && echo unchanged',
            'jq -c . /etc/home-persist.d/jqtool.json && jq --version',
          ].join('\n'),
        ],
        { reject: false, all: true },
      );
      expect(run.exitCode, run.all).toBe(0);
      expect(run.stdout).toMatch(/^jqtool: already installed \(jq\)\nunchanged\n/);
      expect(run.stdout).toContain(
        '{"tool":"jqtool","scope":"workspace","paths":[{"path":".config/jqtool","type":"dir"},{"path":".jqtoolrc","type":"file"}]}',
      );
      expect(run.stdout).toMatch(/\njq-1\.\d/);
    },
  );
});
