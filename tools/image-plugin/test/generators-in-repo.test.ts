import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScratchWorkspace } from './scratch-workspace';

/**
 * The generators as this repository runs them (`npx nx g @workspace-images/image-plugin:<generator>`, from
 * the TypeScript sources through the npm workspace link) on a copy of the real family: the new image and
 * script join the graph as the docs say.
 */
describe.sequential('generators in this repository', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('generators-');
    for (const dir of ['images', 'scripts', 'docs']) ws.copyFromWorkspace(dir);
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  it('--dry-run lists what it would write and writes nothing', () => {
    const r = ws.nx(
      'g',
      '@workspace-images/image-plugin:image',
      'python',
      '--parent',
      'base',
      '--scripts',
      'gdb',
      '--dry-run',
    );
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    for (const file of [
      'images/python/Dockerfile',
      'images/python/image-test.yaml',
      'images/python/README.md',
      'docs/images/python.md',
    ]) {
      expect(r.stdout).toContain(`CREATE ${file}`);
    }
    expect(ws.git('status', '--porcelain')).toBe('');
  });

  it('install-script then image: the new image is a child of cpp whose inputs are its scripts, the helpers and the contents record', () => {
    for (const args of [
      ['install-script', 'ripgrep', '--apt', 'ripgrep'],
      ['image', 'python', '--parent', 'cpp', '--scripts', 'ripgrep,gdb'],
    ]) {
      const r = ws.nx('g', `@workspace-images/image-plugin:${args[0]}`, ...args.slice(1));
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    }
    const show = ws.nx('show', 'project', 'python', '--json');
    expect(show.status, show.stderr).toBe(0);
    const project = JSON.parse(show.stdout) as {
      metadata: { image: { parents: Array<{ image: string }>; mountedInputs: string[] } };
    };
    expect(project.metadata.image.parents.map((p) => p.image)).toEqual(['cpp']);
    expect(project.metadata.image.mountedInputs).toEqual([
      'scripts/contents-record',
      'scripts/gdb',
      'scripts/lib',
      'scripts/ripgrep',
    ]);
    expect(readFileSync(join(ws.root, 'images/python/Dockerfile'), 'utf8')).toContain(
      '\nARG BASE_IMAGE=ghcr.io/acme/workspace-images:cpp\n',
    );
  });
});
