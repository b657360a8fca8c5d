import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace, WORKSPACE, hasRealFamily } from './scratch-workspace';

/**
 * Affected precision with real git and real Nx: each case is one commit on top of the initial one,
 * and `nx show projects --affected -t image-build --base=HEAD~1 --head=HEAD` must name exactly the
 * images that commit can change.
 */
const affected = (ws: ScratchWorkspace) =>
  ws.showProjects('--affected', '-t', 'image-build', '--base=HEAD~1', '--head=HEAD');

/** Makes `change` the only commit on top of the initial one (a fresh branch from it each time). */
function commitOnTop(ws: ScratchWorkspace, name: string, change: () => void): void {
  ws.git('checkout', '-q', '-B', name.replace(/[^a-z0-9-]+/gi, '-'), 'initial');
  change();
  ws.commitAll(name);
}

describe('affected: a self-contained family (base; node, cpp, developer FROM base)', () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('image-plugin-affected-');
    ws.write(SAMPLE_FAMILY);
    ws.initGit();
    ws.git('tag', 'initial');
  });
  afterAll(() => ws?.dispose());

  it('sees the whole family', () => {
    expect(ws.showProjects('--with-target', 'image-build')).toEqual(['base', 'cpp', 'developer', 'node']);
  });

  const cases: Array<{ name: string; change: (ws: ScratchWorkspace) => void; expected: string[] }> = [
    {
      name: 'a script used by cpp alone',
      change: (w) => w.write({ 'scripts/cmake/install.sh': '#!/usr/bin/env bash\necho cmake 4\n' }),
      expected: ['cpp'],
    },
    {
      name: 'a new file in a script folder used by developer alone',
      change: (w) => w.write({ 'scripts/docker-engine/daemon.json': '{}\n' }),
      expected: ['developer'],
    },
    {
      name: 'a script used by base (so by everything built FROM it)',
      change: (w) => w.write({ 'scripts/git/install.sh': '#!/usr/bin/env bash\necho git 3\n' }),
      expected: ['base', 'cpp', 'developer', 'node'],
    },
    {
      name: "the base image's Dockerfile",
      change: (w) =>
        w.write({ 'images/base/Dockerfile': `${SAMPLE_FAMILY['images/base/Dockerfile']}RUN echo changed\n` }),
      expected: ['base', 'cpp', 'developer', 'node'],
    },
    {
      name: "a leaf image's Dockerfile",
      change: (w) =>
        w.write({ 'images/node/Dockerfile': `${SAMPLE_FAMILY['images/node/Dockerfile']}RUN echo changed\n` }),
      expected: ['node'],
    },
    {
      name: "another file in a leaf image's folder",
      change: (w) => w.write({ 'images/cpp/tests/cpp.bats': '@test "cmake" { cmake --version; }\n' }),
      expected: ['cpp'],
    },
    {
      name: 'docs only',
      change: (w) => w.write({ 'docs/README.md': '# docs, changed\n', 'docs/ci.md': '# ci\n' }),
      expected: [],
    },
    {
      name: 'a script folder no image mounts',
      change: (w) => w.write({ 'scripts/unused/install.sh': '#!/usr/bin/env bash\n' }),
      expected: [],
    },
  ];

  it.each(cases)('$name -> $expected', ({ name, change, expected }) => {
    commitOnTop(ws, name, () => change(ws));
    expect(affected(ws)).toEqual(expected);
  });
});

describe.runIf(hasRealFamily())("affected: a copy of the real workspace's images/ and scripts/", () => {
  let ws: ScratchWorkspace;
  beforeAll(() => {
    ws = new ScratchWorkspace('image-plugin-affected-real-');
    ws.copyFromWorkspace('images');
    ws.copyFromWorkspace('scripts');
    ws.write({ 'docs/README.md': '# docs\n' });
    ws.initGit();
    ws.git('tag', 'initial');
  });
  afterAll(() => ws?.dispose());

  interface ImageMetadata {
    mountedInputs: string[];
    parents: Array<{ image: string }>;
  }
  const metadataOf = (project: string): ImageMetadata => {
    const result = ws.nx('show', 'project', project, '--json');
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))).metadata.image as ImageMetadata;
  };

  it('a script folder mounted by cpp alone -> exactly cpp and what builds FROM it', () => {
    const projects = ws.showProjects('--with-target', 'image-build');
    expect(projects).toEqual(expect.arrayContaining(['base', 'cpp', 'developer', 'node']));
    const metadata = Object.fromEntries(projects.map((p) => [p, metadataOf(p)]));
    const mountedByOthers = new Set(projects.filter((p) => p !== 'cpp').flatMap((p) => metadata[p].mountedInputs));
    const covers = (outer: string, inner: string) => outer === '.' || inner === outer || inner.startsWith(`${outer}/`);
    const cppOnly = metadata.cpp.mountedInputs.find(
      (dir) =>
        dir.startsWith('scripts/') && ![...mountedByOthers].some((other) => covers(other, dir) || covers(dir, other)),
    );
    expect(
      cppOnly,
      `cpp mounts ${metadata.cpp.mountedInputs.join(', ')}; the others ${[...mountedByOthers].join(', ')}`,
    ).toBeDefined();

    // cpp and, transitively, every image that builds FROM it.
    const expected = new Set(['cpp']);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of projects) {
        if (!expected.has(p) && metadata[p].parents.some((parent) => expected.has(parent.image))) {
          expected.add(p);
          grew = true;
        }
      }
    }
    const file = readdirSync(join(WORKSPACE, cppOnly as string)).find((f) => f.endsWith('.sh')) ?? 'install.sh';
    commitOnTop(ws, 'cpp-only-script', () =>
      ws.write({ [`${cppOnly}/${file}`]: '#!/usr/bin/env bash\necho changed\n' }),
    );
    expect(affected(ws)).toEqual([...expected].sort());
  });

  it('images/base/Dockerfile -> every image', () => {
    const all = ws.showProjects('--with-target', 'image-build');
    commitOnTop(ws, 'real-base', () =>
      ws.write({ 'images/base/Dockerfile': `${ws.git('show', 'initial:images/base/Dockerfile')}\n# changed\n` }),
    );
    expect(affected(ws)).toEqual(all);
  });

  it('docs/ -> none', () => {
    commitOnTop(ws, 'real-docs', () => ws.write({ 'docs/README.md': '# docs, changed\n' }));
    expect(affected(ws)).toEqual([]);
  });
});
