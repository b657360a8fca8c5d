import { closest } from './closest-name';

/** The part of a JSON schema the option checks read (the executors' schema.json, the plugin options). */
export interface PropertySchema {
  type?: 'string' | 'boolean' | 'number' | 'object' | 'array';
  enum?: readonly string[];
  oneOf?: readonly PropertySchema[];
  items?: PropertySchema;
  additionalProperties?: PropertySchema | boolean;
  description?: string;
  default?: unknown;
}

export interface OptionsSchema {
  properties: Record<string, PropertySchema>;
  additionalProperties?: boolean;
}

/** What is wrong with one value, and how to write it instead. */
export interface ValueProblem {
  problem: string;
  fix: string;
}

export type OptionProblem =
  | { kind: 'unknown'; option: string; known: string[]; guess?: string }
  | ({ kind: 'value'; option: string } & ValueProblem);

/** A rule beyond the value's type (a platform list, a repository name); undefined when the value is good. */
export type ValueRule = (value: unknown) => ValueProblem | undefined;

const shown = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** The first problem of a value against its property schema, or undefined. */
function valueProblem(name: string, value: unknown, schema: PropertySchema): ValueProblem | undefined {
  if (schema.oneOf) return oneOfProblem(name, value, schema.oneOf);
  return schema.type ? TYPE_PROBLEMS[schema.type](name, value, schema) : undefined;
}

/** A value fits one of the alternatives, or it is none of their types. */
function oneOfProblem(name: string, value: unknown, oneOf: readonly PropertySchema[]): ValueProblem | undefined {
  const fits = oneOf.filter((alternative) => !valueProblem(name, value, alternative));
  if (fits.length) return undefined;
  const types = oneOf.map((a) => (a.type === 'array' ? 'a list' : (a.type ?? 'a value'))).join(' or ');
  return { problem: `${shown(value)} is not ${types}`, fix: `write ${name} as ${types}` };
}

type TypeCheck = (name: string, value: unknown, schema: PropertySchema) => ValueProblem | undefined;

/** The first problem of a value against its schema's type: one check per JSON schema type. */
const TYPE_PROBLEMS: Record<NonNullable<PropertySchema['type']>, TypeCheck> = {
  boolean: (name, value) =>
    typeof value === 'boolean'
      ? undefined
      : {
          problem: `${shown(value)} is not true or false`,
          fix: `set ${name} to true or false (--${name} or --${name}=false)`,
        },
  number: (name, value, schema) => {
    if (typeof value === 'number' && Number.isFinite(value)) return undefined;
    const example = typeof schema.default === 'number' ? schema.default : 1;
    return { problem: `${shown(value)} is not a number`, fix: `write ${name} as a number, e.g. ${example}` };
  },
  string: (name, value, schema) => {
    if (typeof value !== 'string') return { problem: `${shown(value)} is not text`, fix: `give ${name} a text value` };
    if (!schema.enum || schema.enum.includes(value)) return undefined;
    const choices = schema.enum.join(', ');
    const last = schema.enum.length > 1 ? `${schema.enum.slice(0, -1).join(', ')} or ${schema.enum.at(-1)}` : choices;
    return { problem: `${shown(value)} is not one of ${choices}`, fix: `use ${last}` };
  },
  array: (name, value, schema) => {
    if (!Array.isArray(value)) return { problem: `${shown(value)} is not a list`, fix: `write ${name} as a list` };
    for (const item of value as unknown[]) {
      const p = schema.items && valueProblem(name, item, schema.items);
      if (p) return p;
    }
    return undefined;
  },
  object: (name, value, schema) => {
    if (kindOf(value) !== 'object') return notAMapProblem(name, value);
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof schema.additionalProperties === 'object' && !['string', 'number', 'boolean'].includes(typeof v))
        return {
          problem: `${key} is ${shown(v)}, not text`,
          fix: `--${name}.${key}=<value>, or "${key}": "<value>"`,
        };
    }
    return undefined;
  },
};

/** A map option given as something else; `NAME=value` text gets the two ways to write it. */
function notAMapProblem(name: string, value: unknown): ValueProblem {
  if (typeof value === 'string') {
    const [key, ...rest] = value.split('=');
    const fix = `--${name}.${key || 'NAME'}=${rest.length ? rest.join('=') : '<value>'} on the command line, or "${name}": { "${key || 'NAME'}": "${rest.join('=') || '<value>'}" } in nx.json or project.json`;
    return { problem: `${value} is not NAME=value`, fix };
  }
  return {
    problem: `${shown(value)} is not a map of names to values`,
    fix: `write ${name} as { "NAME": "value" }`,
  };
}

/**
 * The first problem of a set of options against their schema: an unknown option (with the closest
 * known name), a value of the wrong type or not among the allowed ones, or a value a rule refuses.
 * Pure; the callers (the image-build executor, the plugin for nx.json) turn it into a message that
 * names where the options came from.
 */
export function optionProblem(
  options: Readonly<Record<string, unknown>>,
  schema: OptionsSchema,
  rules: Readonly<Record<string, ValueRule>> = {},
): OptionProblem | undefined {
  const known = Object.keys(schema.properties);
  for (const [option, value] of Object.entries(options)) {
    const property = schema.properties[option];
    if (!property) {
      if (schema.additionalProperties === true) continue;
      const guess = closest(option, known);
      return { kind: 'unknown', option, known, ...(guess ? { guess } : {}) };
    }
    if (value === undefined) continue;
    const problem = valueProblem(option, value, property) ?? rules[option]?.(value);
    if (problem) return { kind: 'value', option, ...problem };
  }
  return undefined;
}

/**
 * The schema Nx validates the image-build options with: the same properties, types and defaults (Nx
 * turns `--push=false` into a boolean and `--platforms=a,b` into a list by them) but accepting any value,
 * so a wrong one reaches the executor, which refuses it with the option's name and its allowed values
 * (optionProblem). Nx's own refusal names neither and, in batch mode, ends in an unhandled rejection.
 */
export function nxSchemaOf<T extends OptionsSchema>(schema: T): Record<string, unknown> {
  const lenient = (property: PropertySchema): Record<string, unknown> => {
    const { enum: _enum, additionalProperties: _nested, ...rest } = property;
    if (property.type === 'boolean' || property.type === 'number')
      return { ...rest, type: undefined, oneOf: [{ type: property.type }, { type: 'string' }] };
    if (property.type === 'object')
      return { ...rest, type: undefined, oneOf: [{ type: 'object' }, { type: 'string' }] };
    return rest;
  };
  const { additionalProperties: _additional, ...top } = schema as OptionsSchema & Record<string, unknown>;
  return {
    ...top,
    properties: Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, lenient(p)])),
  };
}
