import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from '../src/adapters/engine';
import type { ImageResult } from '../src/core/result';
import { ScratchWorkspace } from './scratch-workspace';

/**
 * image-test for real: a two-image chain (root FROM the local trixie base, leaf FROM root) built into
 * the engine, each with an image-test.yaml; leaf's run includes root's checks. A failing check names
 * the image, the check, where it is written and the command's output, and fails the target.
 */
const FILES: Record<string, string> = {
  'images/root/Dockerfile': ['FROM debian:trixie-slim', 'RUN echo hello > /etc/greeting', ''].join('\n'),
  'images/root/image-test.yaml': [
    'checks:',
    '  - name: greeting',
    '    run: cat /etc/greeting',
    "    expect: { stdout: '^hello$' }",
    '',
  ].join('\n'),
  'images/leaf/Dockerfile': [
    'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:root',
    'FROM ${BASE_IMAGE}',
    'RUN echo leaf > /etc/leaf',
    '',
  ].join('\n'),
  'images/leaf/image-test.yaml': [
    'checks:',
    '  - name: leaf file',
    '    run: cat /etc/leaf',
    "    expect: { stdout: '^leaf$' }",
    '  - name: a file that is not there',
    '    run: cat /etc/not-there',
    '  - name: the wrong output',
    '    run: echo actual-output',
    "    expect: { stdout: '^expected$' }",
    '',
  ].join('\n'),
  '.dockerignore': '*\n!images/\n',
};

describe.sequential('image-test on a real engine', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('image-test-');
    ws.write(FILES);
    ws.initGit();
  });
  afterAll(() => ws?.dispose());

  it('all checks pass: the target succeeds and says how many ran', { timeout: 300_000 }, () => {
    const r = ws.nx('run', 'root:image-test', '--outputStyle=stream');
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toContain('✓ root › greeting');
    expect(out).toContain('image-test root: 1 checks passed');
  });

  it(
    "a failing check fails the target, naming the image, the check, its line and the output; the ancestor's checks run too",
    { timeout: 300_000 },
    () => {
      const r = ws.nx('run', 'leaf:image-test', '--outputStyle=stream');
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).not.toBe(0);
      expect(out).toContain('✓ root › greeting');
      expect(out).toContain('✓ leaf › leaf file');
      expect(out).toMatch(/image-test leaf \(.+\): 2 of 4 checks failed/);
      // Nx's stream output puts `leaf: ` before each line.
      expect(out).toMatch(
        /✗ leaf › a file that is not there .*: exit code 1, expected 0\n[^\n]*at images\/leaf\/image-test\.yaml:5\n[^\n]*\| cat: \/etc\/not-there: No such file or directory/,
      );
      expect(out).toMatch(
        /✗ leaf › the wrong output .*: stdout does not match \/\^expected\$\/\n[^\n]*at images\/leaf\/image-test\.yaml:7\n[^\n]*\| actual-output/,
      );
    },
  );

  it(
    "the devcontainer.metadata label is the lineage's entries; a user the image lacks fails a check naming the file",
    { timeout: 300_000 },
    async () => {
      ws.write({
        'images/root/devcontainer-metadata.json': '{\n  "remoteUser": "root",\n  "overrideCommand": false\n}\n',
        'images/leaf/devcontainer-metadata.json':
          '{\n  "containerEnv": { "A": "1" },\n  "containerUser": "nobody-here"\n}\n',
      });
      const r = ws.nx('run', 'leaf:image-test', '--outputStyle=stream');
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).not.toBe(0);
      expect(out).toContain('✓ root › devcontainer.metadata: the remoteUser root exists in the image');
      expect(out).toMatch(
        /✗ leaf › devcontainer\.metadata: the containerUser nobody-here exists in the image .*\n[^\n]*at images\/leaf\/devcontainer-metadata\.json:3\n[^\n]*\| images\/leaf\/devcontainer-metadata\.json names the containerUser nobody-here, which the image lacks; fix: /,
      );
      // The build put the label on: root's entry, then leaf's, each once.
      const leaf = JSON.parse(readFileSync(join(ws.root, 'dist/images/leaf.json'), 'utf8')) as ImageResult;
      const labels = (await engine().getImage(leaf.pinnedReference).inspect()).Config.Labels ?? {};
      expect(JSON.parse(labels['devcontainer.metadata'] ?? 'null')).toEqual([
        { remoteUser: 'root', overrideCommand: false },
        { containerEnv: { A: '1' }, containerUser: 'nobody-here' },
      ]);
      ws.remove('images/leaf/devcontainer-metadata.json');
      ws.remove('images/root/devcontainer-metadata.json');
    },
  );

  it(
    "a spec with a mistake: one message naming the file, the key's line and the fix, before any build",
    { timeout: 300_000 },
    () => {
      ws.write({
        'images/root/image-test.yaml': ['checks:', '  - name: greeting', '    command: cat /etc/greeting', ''].join(
          '\n',
        ),
      });
      const r = ws.nx('run', 'root:image-test', '--outputStyle=stream');
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, out).not.toBe(0);
      expect(out).toContain('images/root/image-test.yaml:3');
      expect(out).toContain('unknown key "command"');
      expect(out).toMatch(/use only name, run/);
      // Read with the graph: the run stops before image-build starts.
      expect(out).not.toMatch(/root: (built|reused|building)/);
    },
  );
});
