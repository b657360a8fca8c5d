import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';

/**
 * A bad Dockerfile makes Nx itself fail: non-zero exit, one message naming file:line and the fix,
 * no stack trace. Real Nx, real plugin (transpiled by Nx), scratch workspace.
 */
describe('nx show projects with a bad Dockerfile', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('image-plugin-errors-');
    ws.write(SAMPLE_FAMILY);
  });
  afterAll(() => ws?.dispose());

  it('lists the images when the Dockerfiles are good', () => {
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  const cases: Array<{ name: string; files: Record<string, string>; where: string; says: RegExp }> = [
    {
      name: 'unknown parent image',
      files: { 'images/node/Dockerfile': 'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:bsae\nFROM ${BASE_IMAGE}\n' },
      where: 'images/node/Dockerfile:2',
      says: /"bsae"/,
    },
    {
      name: 'missing scripts folder',
      files: {
        'images/cpp/Dockerfile':
          'FROM debian:trixie-slim\nRUN --mount=type=bind,source=scripts/cmkae,target=/s bash /s/install.sh\n',
      },
      where: 'images/cpp/Dockerfile:2',
      says: /scripts\/cmkae/,
    },
    {
      name: 'variable without a value',
      files: { 'images/developer/Dockerfile': '# developer\nARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n' },
      where: 'images/developer/Dockerfile:3',
      says: /BASE_IMAGE/,
    },
    {
      name: 'cycle',
      files: { 'images/base/Dockerfile': 'ARG BASE_IMAGE=ghcr.io/acme/workspace-images:node\nFROM ${BASE_IMAGE}\n' },
      where: 'images/base/Dockerfile:2',
      says: /cycle.*images\/node\/Dockerfile:2/,
    },
    {
      name: 'no FROM',
      files: { 'images/node/Dockerfile': 'RUN echo hi\n' },
      where: 'images/node/Dockerfile',
      says: /no FROM/,
    },
  ];

  it.each(cases)('$name: exits non-zero with file:line and fix, no stack trace', ({ files, where, says }) => {
    const originals = Object.fromEntries(Object.keys(files).map((f) => [f, SAMPLE_FAMILY[f]]));
    ws.write(files);
    try {
      const result = ws.nx('show', 'projects');
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.status, output).not.toBe(0);
      expect(output).toContain(`${where}: `);
      expect(output).toMatch(says);
      expect(output).toContain('fix:');
      expect(output, output).not.toMatch(/^\s{4}at /m);
    } finally {
      ws.write(originals);
    }
  });
});
