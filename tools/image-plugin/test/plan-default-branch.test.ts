import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';

/**
 * Issue 25: `images plan` in a clone whose branch is `master` and no NX_BASE. Nx compares HEAD with
 * nx.json's defaultBase (`main`), which git does not know; the plan says so, with the line in nx.json
 * and the fix, instead of git's "unknown revision" alone. NX_BASE=master then plans. Real Nx and git.
 */
describe('images plan on a master branch without NX_BASE', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('plan-master-');
    ws.write(SAMPLE_FAMILY);
    ws.initGit();
    ws.git('branch', '-m', 'master');
  });
  afterAll(() => ws?.dispose());

  const plan = (env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, ['tools/image-plugin/bin/images.js', 'plan'], {
      cwd: ws.root,
      env: { ...ws.env, ...env },
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('names the base it used, its line in nx.json and the fix', () => {
    const line =
      readFileSync(join(ws.root, 'nx.json'), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('"defaultBase"')) + 1;
    const r = plan();
    expect(r.status, r.stdout).toBe(1);
    expect(r.stderr).toContain(
      `nx.json:${line}: images plan compares HEAD with "defaultBase": "main" in nx.json, which is not a branch or commit of this clone`,
    );
    expect(r.stderr).toContain(
      'fix: set NX_BASE to your default branch or a commit (e.g. NX_BASE=master npx images plan)',
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('plans with NX_BASE=master', () => {
    const r = plan({ NX_BASE: 'master' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('levels');
  });
});
