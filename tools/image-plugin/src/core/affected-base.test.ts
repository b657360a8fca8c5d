import { describe, expect, it } from 'vitest';
import { affectedBase, affectedRevisionError } from './affected-base';

const NX_UNKNOWN_MAIN = [
  'NX   Command failed: git diff --name-only --no-renames --relative main HEAD',
  '',
  "fatal: ambiguous argument 'main': unknown revision or path not in the working tree.",
].join('\n');

describe('affectedBase: NX_BASE, else nx.json defaultBase, else main', () => {
  it.each([
    {
      env: { NX_BASE: 'origin/dev' },
      nxJson: '{ "defaultBase": "main" }',
      used: { base: 'origin/dev', from: 'NX_BASE' },
    },
    {
      env: {},
      nxJson: '{\n  "a": 1,\n  "defaultBase": "trunk"\n}',
      used: { base: 'trunk', from: 'defaultBase', line: 3 },
    },
    { env: { NX_BASE: '' }, nxJson: '{}', used: { base: 'main', from: 'nx-default' } },
    { env: { NX_HEAD: 'abc1234' }, nxJson: '{}', used: { base: 'main', from: 'nx-default', head: 'abc1234' } },
  ])('$env $nxJson', ({ env, nxJson, used }) => {
    expect(affectedBase(env, nxJson)).toEqual(used);
  });
});

describe('affectedRevisionError: which revision, from where, and the fix', () => {
  it.each([
    {
      name: 'main on a master clone (Nx default)',
      output: NX_UNKNOWN_MAIN,
      used: { base: 'main', from: 'nx-default' as const },
      where: 'nx.json: ',
      says: `"main", Nx's default base branch (nx.json has no "defaultBase"), which is not a branch or commit of this clone`,
      fix: 'set NX_BASE to your default branch or a commit (e.g. NX_BASE=master npx images plan)',
    },
    {
      name: 'nx.json defaultBase, with its line',
      output: NX_UNKNOWN_MAIN,
      used: { base: 'main', from: 'defaultBase' as const, line: 17 },
      where: 'nx.json:17: ',
      says: '"defaultBase": "main" in nx.json, which is not a branch or commit',
      fix: '"defaultBase": "<your default branch>" in nx.json',
    },
    {
      name: 'NX_BASE not fetched',
      output: "fatal: bad revision 'origin/main...HEAD'",
      used: { base: 'origin/main', from: 'NX_BASE' as const },
      where: 'images plan: ',
      says: 'NX_BASE=origin/main, which is not a branch or commit',
      fix: 'fetch-depth: 0',
    },
    {
      name: 'NX_HEAD unknown',
      output: "fatal: ambiguous argument 'deadbee': unknown revision",
      used: { base: 'main', from: 'defaultBase' as const, head: 'deadbee' },
      where: 'images plan: ',
      says: 'NX_HEAD=deadbee is not a commit',
      fix: 'unset it to compare HEAD',
    },
  ])('$name', ({ output, used, where, says, fix }) => {
    const message = affectedRevisionError(output, used)?.message ?? '';
    expect(message.startsWith(where), message).toBe(true);
    expect(message).toContain(says);
    expect(message.slice(message.indexOf('fix: '))).toContain(fix);
  });

  it('any other failure is left as Nx printed it', () => {
    expect(affectedRevisionError('NX   Cannot find project "x"', { base: 'main', from: 'nx-default' })).toBeUndefined();
  });
});
