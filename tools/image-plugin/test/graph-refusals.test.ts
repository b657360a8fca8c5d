import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_FAMILY, ScratchWorkspace } from './scratch-workspace';

/**
 * Issue 27: every refusal of the plugin at graph time reads the same wherever the graph is made.
 * `nx show projects` prints the errors of a failed graph; `nx run-many`, `nx affected` (Nx prints only
 * "Failed to process project graph.") and `images plan` (its own command) print the plugin's message
 * too: exit 1, the file (and line), the fix, once, no stack trace. One row per kind of refusal, a bad
 * Dockerfile or a configuration that makes no sense (core/configuration-check.ts), times each entry
 * point. Real Nx (daemon off, as CI runs it; one row with the daemon on), the built plugin, no engine.
 */

interface Row {
  name: string;
  files?: Record<string, string>;
  /** Changes nx.json (parsed); the test counts the line it expects by hand. */
  nxJson?: (json: NxJson) => void;
  /** How the message starts: `file:line: ` (the line may be computed from the nx.json written). */
  where: string | ((nxJsonText: string) => string);
  says: string;
  fix: string;
}

interface NxJson {
  plugins: Array<{ plugin: string; options: Record<string, unknown> }>;
}

const child = (...lines: string[]) => [...lines, ''].join('\n');
const imageOptions = (json: NxJson) => json.plugins[0].options;
/** The 1-based line of the n-th line holding `text` (counted here, not by the plugin). */
const nthLine = (text: string, needle: string, n = 1) => {
  const lines = text.split('\n');
  let seen = 0;
  return lines.findIndex((l) => l.includes(needle) && ++seen === n) + 1;
};

const ROWS: Row[] = [
  {
    name: 'unknown parent image',
    files: {
      'images/node/Dockerfile': child('ARG BASE_IMAGE=ghcr.io/acme/workspace-images:bsae', 'FROM ${BASE_IMAGE}'),
    },
    where: 'images/node/Dockerfile:2: ',
    says: 'names the image "bsae", which the workspace does not have',
    fix: 'fix: use one of base, cpp, developer, node or add images/bsae/Dockerfile',
  },
  {
    name: 'cycle',
    files: {
      'images/base/Dockerfile': child('ARG BASE_IMAGE=ghcr.io/acme/workspace-images:node', 'FROM ${BASE_IMAGE}'),
    },
    where: 'images/base/Dockerfile:2: ',
    says: 'images/node/Dockerfile:2',
    fix: 'fix: ',
  },
  {
    name: 'missing scripts folder',
    files: {
      'images/cpp/Dockerfile': child(
        'FROM debian:trixie-slim',
        'RUN --mount=type=bind,source=scripts/cmkae,target=/s bash /s/install.sh',
      ),
    },
    where: 'images/cpp/Dockerfile:2: ',
    says: 'scripts/cmkae',
    fix: 'fix: ',
  },
  {
    name: 'an image named base-edge (writes base-edge, the edge tag of base)',
    files: { 'images/base-edge/Dockerfile': child('FROM debian:trixie-slim') },
    where: 'images/base-edge/Dockerfile: ',
    says: 'the image "base-edge" writes the tag base-edge, which is also a tag of the image "base" (images/base/Dockerfile)',
    fix: 'fix: rename the folder images/base-edge so its name does not start with "base-"',
  },
  {
    name: 'an image named base-1 (base-1 is the release tag of base v1)',
    files: { 'images/base-1/Dockerfile': child('FROM debian:trixie-slim') },
    where: 'images/base-1/Dockerfile: ',
    says: 'the image "base-1" writes the tag base-1, which is also a tag of the image "base"',
    fix: 'or set "layout": "per-image"',
  },
  {
    name: 'an image name that cannot be a tag (c++)',
    files: { 'images/c++/Dockerfile': child('FROM debian:trixie-slim') },
    where: 'images/c++/Dockerfile: ',
    says: `the image name "c++" cannot be a tag: its tag "c++" does not fit Docker's tag grammar`,
    fix: 'fix: rename the folder images/c++',
  },
  {
    name: 'two image plugin entries with different options',
    nxJson: (json) =>
      json.plugins.push({ ...json.plugins[0], options: { ...imageOptions(json), layout: 'per-image' } }),
    where: (text) => `nx.json:${nthLine(text, '"plugin":', 2)}: `,
    says: 'nx.json has 2 image plugin entries',
    fix: 'fix: keep one image plugin entry in nx.json "plugins"',
  },
  {
    name: 'buildTargetName "image-test" (the test target\'s name)',
    nxJson: (json) => (imageOptions(json).buildTargetName = 'image-test'),
    where: (text) => `nx.json:${nthLine(text, '"buildTargetName":')}: `,
    says: `plugins[image-plugin].options.buildTargetName "image-test" is also the name of the plugin's test target`,
    fix: 'fix: give the build target a name of its own',
  },
  {
    name: 'build.shaLength "abc" (text for a number)',
    nxJson: (json) => (imageOptions(json).build = { shaLength: 'abc' }),
    where: (text) => `nx.json:${nthLine(text, '"shaLength":')}: `,
    says: 'plugins[image-plugin].options.build.shaLength "abc" is not a number',
    fix: 'fix: write shaLength as a number, e.g. 12',
  },
  {
    name: 'build.shaLength 99 (out of bounds)',
    nxJson: (json) => (imageOptions(json).build = { shaLength: 99 }),
    where: (text) => `nx.json:${nthLine(text, '"shaLength":')}: `,
    says: 'plugins[image-plugin].options.build.shaLength 99 is not a whole number from 7 to 40',
    fix: 'fix: write shaLength as a number from 7 to 40',
  },
  {
    name: 'a project.json with shaLength "abc" (checked by createDependencies)',
    files: {
      'images/base/project.json': JSON.stringify({
        name: 'base',
        targets: { 'image-build': { options: { shaLength: 'abc' } } },
      }),
    },
    where: 'images/base/project.json: ',
    says: 'targets.image-build.options.shaLength "abc" is not a whole number from 7 to 40',
    fix: 'fix: write shaLength as a number from 7 to 40, e.g. 12',
  },
];

const ENTRY_POINTS: Array<{ name: string; run: (ws: ScratchWorkspace) => { status: number | null; output: string } }> =
  [
    { name: 'nx show projects', run: (ws) => joined(ws.nx('show', 'projects')) },
    // --graph=stdout: Nx makes the project graph, then prints the task graph instead of running it.
    {
      name: 'nx run-many -t image-build',
      run: (ws) => joined(ws.nx('run-many', '-t', 'image-build', '--graph=stdout')),
    },
    {
      name: 'nx affected -t image-build',
      run: (ws) => joined(ws.nx('affected', '-t', 'image-build', '--graph=stdout', '--base=HEAD', '--head=HEAD')),
    },
    { name: 'images plan', run: (ws) => joined(images(ws)) },
  ];

const joined = (r: { status: number | null; stdout: string; stderr: string }) => ({
  status: r.status,
  output: `${r.stdout}\n${r.stderr}`,
});

/** A command in the scratch workspace, with its environment and more; never throws. */
const run = (ws: ScratchWorkspace, env: NodeJS.ProcessEnv, command: string, ...args: string[]) => {
  const r = spawnSync(command, args, { cwd: ws.root, env: { ...ws.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** `images plan --all`, from the scratch workspace's copy of the plugin (the build it was made with). */
const images = (ws: ScratchWorkspace, env: NodeJS.ProcessEnv = {}) =>
  run(ws, env, process.execPath, 'tools/image-plugin/bin/images.js', 'plan', '--all');

const occurrences = (text: string, part: string) => text.split(part).length - 1;

let daemonWs: ScratchWorkspace | undefined;

describe('graph-time refusals read the same in every entry point (daemon off)', () => {
  let ws: ScratchWorkspace;
  let nxJson = '';
  beforeAll(() => {
    ws = new ScratchWorkspace('graph-refusals-');
    daemonWs = daemonWorkspace();
    ws.write(SAMPLE_FAMILY);
    ws.initGit();
    nxJson = readFileSync(join(ws.root, 'nx.json'), 'utf8');
  });
  afterAll(() => ws?.dispose());

  it.each(ENTRY_POINTS)('$name succeeds on the good workspace (so the rows below could pass)', ({ run }) => {
    const r = run(ws);
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toMatch(/fix: /);
  });

  const cases = ROWS.flatMap((row) => ENTRY_POINTS.map((entry) => ({ ...row, entry: entry.name, run: entry.run })));

  it.each(cases)('$entry: $name', ({ files, nxJson: change, where, says, fix, run }) => {
    const originals = Object.fromEntries(Object.keys(files ?? {}).map((f) => [f, SAMPLE_FAMILY[f]]));
    let text = nxJson;
    if (change) {
      const json = JSON.parse(nxJson) as NxJson;
      change(json);
      text = `${JSON.stringify(json, null, 2)}\n`;
    }
    try {
      ws.write({ ...(files ?? {}), 'nx.json': text });
      const { status, output } = run(ws);
      const place = typeof where === 'string' ? where : where(text);
      expect(status, output).toBe(1);
      expect(occurrences(output, `${place}`), `the message once, starting with ${place}:\n${output}`).toBe(1);
      expect(output).toContain(says);
      expect(output).toContain(fix);
      expect(output, 'no stack trace').not.toMatch(/^\s+at .+[:(]\d+/m);
    } finally {
      for (const [path, original] of Object.entries(originals)) {
        if (original === undefined) ws.remove(path.endsWith('/Dockerfile') ? path.replace(/\/Dockerfile$/, '') : path);
        else ws.write({ [path]: original });
      }
      ws.write({ 'nx.json': nxJson });
    }
  });
});

/** Copied when the file loads, with the other workspace: one build of the plugin for both. */
const daemonWorkspace = () => {
  const ws = new ScratchWorkspace('graph-refusals-daemon-');
  ws.write(SAMPLE_FAMILY);
  ws.write({ 'images/base-edge/Dockerfile': child('FROM debian:trixie-slim') });
  ws.initGit();
  return ws;
};

describe('with the Nx daemon on', () => {
  let ws: ScratchWorkspace;
  const DAEMON = { NX_DAEMON: 'true' };
  const daemon = (...args: string[]) => run(ws, DAEMON, 'npx', '--no-install', 'nx', ...args);
  beforeAll(() => {
    ws = daemonWs ?? daemonWorkspace();
  });
  afterAll(() => {
    if (ws) daemon('daemon', '--stop');
    ws?.dispose();
  });

  it('nx run-many prints the refusal the daemon met making the graph for it', () => {
    const { status, output } = joined(daemon('run-many', '-t', 'image-build', '--graph=stdout'));
    expect(status, output).toBe(1);
    expect(output).toContain('images/base-edge/Dockerfile: the image "base-edge" writes the tag base-edge');
    expect(output).toContain('fix: rename the folder images/base-edge');
  });

  it('images plan prints it too', () => {
    const { status, output } = joined(images(ws, DAEMON));
    expect(status, output).toBe(1);
    expect(output).toContain('images/base-edge/Dockerfile: the image "base-edge" writes the tag base-edge');
  });
});
