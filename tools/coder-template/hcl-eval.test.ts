import { describe, expect, it } from 'vitest';
import {
  EvalError,
  Evaluator,
  splitTemplate,
  unescapeHcl,
  UnsupportedError,
  type Resolver,
  type Value,
} from './hcl-eval';

/** `local.*` from a table; nothing else is declared. */
const locals: Record<string, Value> = {
  name: 'dev',
  images: { base: { docker: 'host' }, dev: { docker: 'inside' } },
  none: null,
  list: ['a', 'b'],
  pins: { base: `sha256:${'a'.repeat(64)}`, bad: 'latest' },
};
const resolver: Resolver = {
  async resolve(names, where) {
    if (names[0] === 'local' && names[1] in locals) return { value: locals[names[1]], used: 2 };
    throw new UnsupportedError(`${where}: unknown ${names.join('.')}`);
  },
};
const ev = new Evaluator(resolver);

describe('Evaluator: the expressions the template uses, as Terraform evaluates them', () => {
  it.each<[string, Value]>([
    ['${local.name}', 'dev'],
    ['coder-${local.name}-x', 'coder-dev-x'],
    ['${local.images[local.name].docker == "inside" ? 180 : 60}', 180],
    ['${try(local.none.docker, "") == "inside"}', false],
    ['${lookup(local.images, "ruby", null)}', null],
    ['${!false && true}', true],
    ['${one([])}', null],
    ['${local.list[*]}', ['a', 'b']],
    ['${local.none == null ? null : "x"}', null],
    [
      '${replace("http://localhost:3000 127.0.0.1:3000", "/localhost|127\\\\.0\\\\.0\\\\.1/", "host.docker.internal")}',
      'http://host.docker.internal:3000 host.docker.internal:3000',
    ],
    ['${join(", ", keys(local.images))}', 'base, dev'],
    ['${[for name, digest in local.pins : name if can(regex("^sha256:[0-9a-f]{64}$", digest))]}', ['base']],
    ['${{for k, v in local.images : k => v.docker}}', { base: 'host', dev: 'inside' }],
    ['${alltrue([for name in keys(local.pins) : contains(keys(local.images), name)])}', false],
    ['${jsondecode("{\\"digests\\": {}}").digests}', {}],
    ['${coalesce("", "fallback")}', 'fallback'],
    ['${lower("Mixed")}-${length(local.list)}', 'mixed-2'],
    ['${(1 + 2) * 3}', 9],
    ['${format("image %q of %s: %d%%", local.name, join(", ", local.list), 2)}', 'image "dev" of a, b: 2%'],
  ])('%s', async (text, value) => {
    expect(await ev.template(text)).toEqual(value);
  });

  it('a null attribute, a missing key and a bad index are value errors (what try and can catch)', async () => {
    await expect(ev.template('${local.none.docker}')).rejects.toThrow(EvalError);
    await expect(ev.template('${local.images.ruby}')).rejects.toThrow(EvalError);
    await expect(ev.template('${local.list[2]}')).rejects.toThrow(EvalError);
    await expect(ev.template('${one(local.list)}')).rejects.toThrow(EvalError);
  });

  it('what it does not know is named, never guessed', async () => {
    await expect(ev.template('${timestamp()}')).rejects.toThrow(/function timestamp\(\)/);
    await expect(ev.template('${var.nope}')).rejects.toThrow(UnsupportedError);
    await expect(ev.template('%{ if true }x%{ endif }')).rejects.toThrow(/template directives/);
    // try() does not hide an unknown function either.
    await expect(ev.template('${try(timestamp(), "x")}')).rejects.toThrow(UnsupportedError);
  });

  it('iterator variables shadow nothing outside their scope', async () => {
    expect(
      await ev
        .bind({ option: { key: 'dev', value: { docker: 'inside' } } })
        .template('${option.key}: ${option.value.docker}'),
    ).toBe('dev: inside');
    await expect(ev.template('${option.key}')).rejects.toThrow(UnsupportedError);
  });
});

describe('splitTemplate and unescapeHcl', () => {
  it('keeps quoted braces inside an interpolation', () => {
    expect(splitTemplate('a ${join("}", ["x"])} b')).toEqual([
      { literal: 'a ' },
      { expression: 'join("}", ["x"])' },
      { literal: ' b' },
    ]);
  });
  it('keeps $${ and %%{ as the literal text Terraform makes of them, not as interpolations', () => {
    expect(splitTemplate('coder stat disk --path $${HOME} 100%%{x}')).toEqual([
      { literal: 'coder stat disk --path ${HOME} 100%{x}' },
    ]);
    expect(splitTemplate('$${a} ${local.b}')).toEqual([{ literal: '${a} ' }, { expression: 'local.b' }]);
  });
  it('decodes HCL escapes', () => {
    expect(unescapeHcl('a\\"b\\n\\\\ $${x} \\u00e9')).toBe('a"b\n\\ ${x} é');
  });
});
