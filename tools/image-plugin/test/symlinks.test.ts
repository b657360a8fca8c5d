import { randomBytes } from 'node:crypto';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScratchWorkspace } from './scratch-workspace';

/**
 * Symlinks as BuildKit sees them, on the real engine: a Dockerfile that links to a file in its folder
 * builds, and a bind-mounted script that links to a file elsewhere in the workspace is followed by
 * `COPY` of the link; editing either target must build again, never reuse the image of the old bytes.
 */
describe('symlinked Dockerfile and scripts: an edit of the target builds a new image', () => {
  const NS = randomBytes(3).toString('hex');
  let ws: ScratchWorkspace;
  const build = async () => {
    const r = await execa(
      'npx',
      [
        '--no-install',
        'nx',
        'run',
        'linked:image-build',
        '--sbom=false',
        `--repository=127.0.0.1:5000/symlinks-${NS}/images`,
      ],
      {
        cwd: ws.root,
        env: { ...ws.env, NX_DAEMON: 'false' },
        reject: false,
        all: true,
        stdin: 'ignore',
        timeout: 600_000,
      },
    );
    expect(r.exitCode, String(r.all)).toBe(0);
    return JSON.parse(readFileSync(join(ws.root, 'dist/images/linked.json'), 'utf8')) as {
      result: string;
      contentHash: string;
      digest: string;
    };
  };

  beforeAll(() => {
    ws = new ScratchWorkspace('symlinks-');
    ws.write({
      'images/linked/Dockerfile.real': [
        'FROM debian:trixie-slim',
        // COPY of the link copies its target (BuildKit follows a named link inside the context).
        'COPY scripts/tool/install.sh /opt/install.sh',
        `RUN --mount=type=bind,source=scripts/tool,target=/s echo ${NS} > /opt/ns.txt`,
        '',
      ].join('\n'),
      'lib/real-install.sh': '#!/bin/sh\necho one\n',
      '.dockerignore': '*\n!images/\n!scripts/\n!lib/\n',
    });
    symlinkSync('Dockerfile.real', join(ws.root, 'images/linked/Dockerfile'));
    ws.write({ 'scripts/tool/.keep': '' });
    symlinkSync('../../lib/real-install.sh', join(ws.root, 'scripts/tool/install.sh'));
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  it('the symlinked Dockerfile is a project with its mounted folder as an input', () => {
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['linked']);
    const project = JSON.parse(ws.nx('show', 'project', 'linked', '--json').stdout) as {
      targets: Record<string, { inputs: string[] }>;
    };
    expect(project.targets['image-build'].inputs).toContain('{workspaceRoot}/scripts/tool/**/*');
  });

  it('builds, reuses while nothing changed, and builds again when a link target is edited', async () => {
    const first = await build();
    expect(first.result).toBe('built');
    expect((await build()).result).toBe('reused');

    ws.write({ 'lib/real-install.sh': '#!/bin/sh\necho two\n' });
    const script = await build();
    expect(script.result).toBe('built');
    expect(script.contentHash).not.toBe(first.contentHash);
    const copied = await execa('docker', [
      'run',
      '--rm',
      '--entrypoint',
      'cat',
      `127.0.0.1:5000/symlinks-${NS}/images:linked-content-${script.contentHash}`,
      '/opt/install.sh',
    ]);
    expect(copied.stdout).toBe('#!/bin/sh\necho two');

    ws.write({
      'images/linked/Dockerfile.real': `${readFileSync(join(ws.root, 'images/linked/Dockerfile.real'), 'utf8')}RUN :\n`,
    });
    const dockerfile = await build();
    expect(dockerfile.result).toBe('built');
    expect(new Set([first.contentHash, script.contentHash, dockerfile.contentHash]).size).toBe(3);
  });
});
