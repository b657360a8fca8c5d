import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';

/**
 * Issue 25: a fork renames `repository` in nx.json (ghcr.io/acme/workspace-images -> ghcr.io/me/devboxes)
 * and leaves the Dockerfiles' `ARG BASE_IMAGE=ghcr.io/acme/workspace-images:base`. The graph refuses each
 * such reference (file, line, the command that fixes it) instead of taking it for an external base, and
 * `images rename-repository` moves them: `--check` lists and fails, without it the Dockerfiles are
 * rewritten and the parent edges are back. Real Nx (daemon off), the built plugin, no engine.
 */
const CHILDREN = ['cpp', 'developer', 'node'];

describe('a renamed repository: refused at graph time, moved by images rename-repository', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('rename-repository-');
    ws.write(SAMPLE_FAMILY);
    const nxJsonFile = join(ws.root, 'nx.json');
    const nxJson = JSON.parse(readFileSync(nxJsonFile, 'utf8'));
    nxJson.plugins[0].options.repository = 'ghcr.io/me/devboxes';
    writeFileSync(nxJsonFile, JSON.stringify(nxJson, null, 2));
  });
  afterAll(() => ws?.dispose());

  const images = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['tools/image-plugin/bin/images.js', 'rename-repository', ...args], {
      cwd: ws.root,
      env: ws.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const dockerfile = (image: string) => readFileSync(join(ws.root, 'images', image, 'Dockerfile'), 'utf8');
  const moved = CHILDREN.map(
    (image) => `images/${image}/Dockerfile:1: ghcr.io/acme/workspace-images:base -> ghcr.io/me/devboxes:base`,
  );

  it('nx show projects refuses the old repository with the Dockerfile, the line and the command', () => {
    const r = ws.nx('show', 'projects');
    expect(r.status).not.toBe(0);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).toMatch(
      /images\/(cpp|developer|node)\/Dockerfile:2: `ghcr\.io\/acme\/workspace-images:base` \(the default of ARG BASE_IMAGE\) looks like this workspace's image "base" under ghcr\.io\/acme\/workspace-images, not the plugin's repository ghcr\.io\/me\/devboxes/,
    );
    expect(output).toContain('fix: run npx images rename-repository');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('--check lists every reference it would move, changes nothing and fails', () => {
    const before = CHILDREN.map(dockerfile);
    const r = images('--check');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual(moved);
    expect(r.stderr).toContain('3 reference(s) name this workspace');
    expect(r.stderr).toContain('fix: run npx images rename-repository');
    expect(CHILDREN.map(dockerfile)).toEqual(before);
  });

  it('moves them, and the graph has its parent edges again', () => {
    const r = images();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      ...moved,
      'moved 3 reference(s) to ghcr.io/me/devboxes: commit the change',
    ]);
    for (const image of CHILDREN) expect(dockerfile(image)).toContain('ARG BASE_IMAGE=ghcr.io/me/devboxes:base\n');
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', ...CHILDREN]);
    const node = ws.nx('show', 'project', 'node', '--json');
    expect(node.status, node.stderr).toBe(0);
    const metadata = JSON.parse(node.stdout.slice(node.stdout.indexOf('{'))).metadata.image;
    expect(metadata.parents.map((p: { image: string }) => p.image)).toEqual(['base']);
    expect(images('--check')).toMatchObject({ status: 0, stdout: 'every reference names ghcr.io/me/devboxes\n' });
  });
});
