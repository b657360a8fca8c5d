import { describe, expect, it } from 'vitest';
import { nxSchemaOf, optionProblem, type OptionsSchema } from './option-check';

const SCHEMA: OptionsSchema = {
  properties: {
    push: { type: 'boolean', default: false },
    shaLength: { type: 'number', default: 7 },
    layout: { type: 'string', enum: ['single', 'per-image'] },
    platforms: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
    buildArgs: { type: 'object', additionalProperties: { type: 'string' } },
  },
  additionalProperties: false,
};

describe('optionProblem', () => {
  it.each([
    [{ pusj: true }, { kind: 'unknown', option: 'pusj', guess: 'push' }],
    [{ zzzzzz: 1 }, { kind: 'unknown', option: 'zzzzzz' }],
    [{ push: 'yes' }, { kind: 'value', option: 'push', problem: '"yes" is not true or false' }],
    [
      { shaLength: 'abc' },
      {
        kind: 'value',
        option: 'shaLength',
        problem: '"abc" is not a number',
        fix: 'write shaLength as a number, e.g. 7',
      },
    ],
    [
      { layout: 'flat' },
      {
        kind: 'value',
        option: 'layout',
        problem: '"flat" is not one of single, per-image',
        fix: 'use single or per-image',
      },
    ],
    [{ platforms: 3 }, { kind: 'value', option: 'platforms', problem: '3 is not a list or string' }],
    [{ platforms: ['a', 3] }, { kind: 'value', option: 'platforms', problem: '["a",3] is not a list or string' }],
    [{ buildArgs: 'FOO' }, { kind: 'value', option: 'buildArgs', problem: 'FOO is not NAME=value' }],
    [
      { buildArgs: 'FOO=bar' },
      { kind: 'value', option: 'buildArgs', fix: expect.stringMatching(/^--buildArgs.FOO=bar /) },
    ],
    [{ buildArgs: { A: ['x'] } }, { kind: 'value', option: 'buildArgs', problem: 'A is ["x"], not text' }],
  ])('%j', (options, expected) => {
    expect(optionProblem(options, SCHEMA)).toMatchObject(expected);
  });

  it('takes good options, and what a rule refuses is its problem', () => {
    const good = { push: true, shaLength: 8, layout: 'single', platforms: 'linux/amd64', buildArgs: { A: 'x' } };
    expect(optionProblem(good, SCHEMA)).toBeUndefined();
    const rule = (v: unknown) => (v === 'linux/amd64' ? { problem: 'no', fix: 'yes' } : undefined);
    expect(optionProblem(good, SCHEMA, { platforms: rule })).toEqual({
      kind: 'value',
      option: 'platforms',
      problem: 'no',
      fix: 'yes',
    });
  });
});

describe('nxSchemaOf: what Nx validates with accepts any value, keeping the types Nx converts by', () => {
  const nx = nxSchemaOf(SCHEMA) as {
    properties: Record<string, Record<string, unknown>>;
    additionalProperties?: unknown;
  };
  it('has no additionalProperties: false and no enum', () => {
    expect(nx.additionalProperties).toBeUndefined();
    expect(nx.properties.layout.enum).toBeUndefined();
  });
  it('keeps the declared type first, so Nx still turns "false" into false and "8" into 8', () => {
    expect(nx.properties.push.oneOf).toEqual([{ type: 'boolean' }, { type: 'string' }]);
    expect(nx.properties.shaLength.oneOf).toEqual([{ type: 'number' }, { type: 'string' }]);
    expect(nx.properties.buildArgs.oneOf).toEqual([{ type: 'object' }, { type: 'string' }]);
    expect(nx.properties.push.default).toBe(false);
    expect(nx.properties.platforms).toEqual(SCHEMA.properties.platforms);
  });
});
