import { describe, expect, it } from 'vitest';
import { ImageConfigError } from './errors';
import { devcontainerLabel, labelUsers, parseMetadataFile, type MetadataSource } from './devcontainer-metadata';

const source = (image: string, value: unknown): MetadataSource => ({
  image,
  file: `images/${image}/devcontainer-metadata.json`,
  text: typeof value === 'string' ? value : JSON.stringify(value, null, 2),
});
const BASE = source('base', {
  remoteUser: 'coder',
  containerUser: 'root',
  overrideCommand: false,
  privileged: true,
  containerEnv: { WORKSPACE_USER: 'coder' },
});
const refusal = (fn: () => unknown): ImageConfigError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ImageConfigError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('devcontainerLabel', () => {
  it.each([
    { case: 'no file in the lineage: no label', lineage: [null, null], label: null },
    {
      case: 'the root image alone: one entry',
      lineage: [BASE],
      label: JSON.stringify([JSON.parse(BASE.text)]),
    },
    {
      case: "a child: its ancestors' entries, then its own",
      lineage: [BASE, source('developer', { mounts: [{ type: 'volume', source: 'v', target: '/var/lib/docker' }] })],
      label: JSON.stringify([
        JSON.parse(BASE.text),
        { mounts: [{ type: 'volume', source: 'v', target: '/var/lib/docker' }] },
      ]),
    },
    {
      case: "a child without a file: its parent's entries",
      lineage: [BASE, null],
      label: JSON.stringify([JSON.parse(BASE.text)]),
    },
    {
      case: 'a child may change what an ancestor set (another value)',
      lineage: [BASE, source('x', { remoteUser: 'root', containerEnv: { WORKSPACE_USER: 'dev', OTHER: '1' } })],
      label: JSON.stringify([
        JSON.parse(BASE.text),
        { remoteUser: 'root', containerEnv: { WORKSPACE_USER: 'dev', OTHER: '1' } },
      ]),
    },
  ])('$case', ({ lineage, label }) => {
    expect(devcontainerLabel(lineage)).toBe(label);
  });

  it.each([
    {
      case: 'not valid JSON: the line where the parser stopped',
      file: source('base', '{\n  "remoteUser": "coder",\n  "privileged": true,\n}\n'),
      problem: /not valid JSON/,
      fix: /one JSON object/,
      line: 4,
    },
    {
      case: 'a list instead of an object',
      file: source('base', [{ remoteUser: 'coder' }]),
      problem: /must be a JSON object/,
      fix: /remoteUser/,
      line: 1,
    },
    {
      case: 'a property the CLI does not read from a label',
      file: source('base', { remoteUser: 'coder', runArgs: ['--init'] }),
      problem: /"runArgs" is not a property the dev containers CLI reads/,
      fix: /devcontainer\.json/,
      line: 3,
    },
    {
      case: 'a user name that is no user name',
      file: source('base', { remoteUser: 'co der' }),
      problem: /"remoteUser" is "co der"/,
      fix: /a user name/,
      line: 2,
    },
    {
      case: 'overrideCommand as text',
      file: source('base', { overrideCommand: 'false' }),
      problem: /"overrideCommand" is "false"/,
      fix: /true or false/,
      line: 2,
    },
    {
      case: 'containerEnv with a value that is not text',
      file: source('base', { containerEnv: { A: 1 } }),
      problem: /"containerEnv"/,
      fix: /"A" is not/,
      line: 2,
    },
  ])('refuses $case, naming the file and line', ({ file, problem, fix, line }) => {
    const e = refusal(() => parseMetadataFile(file));
    expect(e.file).toBe(file.file);
    expect(e.problem).toMatch(problem);
    expect(e.fix).toMatch(fix);
    expect(e.line).toBe(line);
  });

  it.each([
    { case: 'a property with the same value', own: { overrideCommand: false }, twice: /false/ },
    {
      case: 'a variable with the same value',
      own: { containerEnv: { WORKSPACE_USER: 'coder' } },
      twice: /WORKSPACE_USER/,
    },
  ])("refuses a child's file that repeats its ancestor: $case", ({ own, twice }) => {
    const child = source('node', own);
    const e = refusal(() => devcontainerLabel([BASE, child]));
    expect(e.file).toBe(child.file);
    expect(e.problem).toMatch(twice);
    expect(e.problem).toContain(BASE.file);
    expect(e.fix).toMatch(/remove it here/);
    expect(e.line).toBe(2);
  });
});

describe('labelUsers', () => {
  it('names each user once, with the file and line that name it', () => {
    expect(labelUsers([BASE, source('x', { remoteUser: 'dev' })])).toEqual([
      { user: 'coder', property: 'remoteUser', file: BASE.file, line: 2 },
      { user: 'root', property: 'containerUser', file: BASE.file, line: 3 },
      { user: 'dev', property: 'remoteUser', file: 'images/x/devcontainer-metadata.json', line: 2 },
    ]);
  });
});
