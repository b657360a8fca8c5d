import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';

/**
 * The plugin runs as JavaScript built ahead of time (tools/image-plugin/dist). A missing build and a
 * build older than src/ stop Nx and the `images` bin with the fix; old code never runs silently.
 */
describe('the built plugin', () => {
  let ws: ScratchWorkspace;
  let saved: string;
  const dist = () => join(ws.root, 'tools/image-plugin/dist');
  const images = (...args: string[]) => {
    const r = spawnSync('node', ['tools/image-plugin/bin/images.js', ...args], {
      cwd: ws.root,
      env: ws.env,
      encoding: 'utf8',
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const nxOutput = () => {
    const r = ws.nx('show', 'projects');
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  beforeAll(() => {
    ws = new ScratchWorkspace('built-plugin-');
    ws.write(SAMPLE_FAMILY);
    // npm run build puts the shell helpers the install-script generator hands out into dist/.
    ws.copyFromWorkspace('scripts/lib');
    ws.initGit();
    saved = mkdtempSync(join(tmpdir(), 'built-plugin-dist-'));
    cpSync(dist(), saved, { recursive: true });
  });
  afterAll(() => {
    ws?.dispose();
    if (saved) rmSync(saved, { recursive: true, force: true });
  });

  it('nx.json loads the built plugin', () => {
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  it('no build: Nx and the bin fail naming the fix, no stack trace', () => {
    rmSync(dist(), { recursive: true, force: true });
    for (const r of [nxOutput(), images('plan', '--all')]) {
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain('the image plugin is not built');
      expect(r.output).toContain('fix: run `npm run build` in the workspace root');
      expect(r.output).not.toMatch(/^\s{4}at /m);
    }
    cpSync(saved, dist(), { recursive: true });
  });

  it('a source changed since the build: refused, naming the file; npm run build makes it run again', () => {
    appendFileSync(join(ws.root, 'tools/image-plugin/src/core/tags.ts'), '\n// changed after the build\n');
    for (const r of [nxOutput(), images('plan', '--all')]) {
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain(
        "the image plugin's build is older than its sources (src/core/tags.ts changed since the last build)",
      );
      expect(r.output).toContain('fix: run `npm run build` in the workspace root, then run again');
    }
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ws.root, env: ws.env, encoding: 'utf8' });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  it('--profile: the run ends with where its time went', () => {
    const r = ws.nx(
      'run-many',
      '-t',
      'image-build',
      '--dryRun',
      '--profile',
      '--platforms=linux/amd64',
      '--outputStyle=static',
    );
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status, output).toBe(0);
    expect(output).toContain('base (dry run, nothing built)');
    expect(output).toMatch(
      /^profile: \d+ ms in all; nx start-up, graph and scheduling \d+ ms, executor start-up \d+ ms, engine \d+ ms, git \d+ ms, hashing \d+ ms, lookups \d+ ms, builds 0 ms \(0 built, 0 reused\), tags \d+ ms, results \d+ ms, 0 registry requests$/m,
    );
  });
});
