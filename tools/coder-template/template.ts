import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { CODER_CATALOG_FILE, CODER_TEMPLATE_DIR, type CoderCatalog } from '../image-plugin/src/core/coder-catalog';
import { ImageConfigError } from '../image-plugin/src/core/errors';
import { EvalError, Evaluator, UnsupportedError, type Resolver, type Value } from './hcl-eval';

export const WORKSPACE_ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const TEMPLATE_DIR = join(WORKSPACE_ROOT, CODER_TEMPLATE_DIR);

type Body = Record<string, unknown>;
type Json = Record<string, unknown>;

/** What Coder and the providers compute at build time, by address (`coder_agent.main`, `data.coder_workspace.me`). */
export type Computed = Record<string, Record<string, Value>>;

/** One workspace build as Coder runs it: the parameter, template variables and the providers' answers. */
export interface BuildContext {
  /** `data.coder_parameter.<name>.value` of each parameter. */
  parameters: Record<string, string>;
  /** Template variables (`var.*`); the rest keep their defaults. */
  variables?: Record<string, Value>;
  computed: Computed;
  /**
   * Data sources whose provider cannot answer in this build (`data.docker_registry_image.workspace`
   * while the registry is down): reading one fails the build, as Terraform's read would.
   */
  unavailable?: readonly string[];
}

/** A data source the build reads although its provider cannot answer (the registry is down). */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** Meta-arguments and blocks that say how Terraform manages a resource, not what the provider gets. */
const META = new Set(['count', 'for_each', 'lifecycle', 'depends_on', 'provider', 'dynamic']);

/** The template's files as hcl2json reads them, merged: `{ resource: { t: { n: [body] } }, locals: [...] }`. */
export class CoderTemplate {
  private constructor(
    readonly dir: string,
    readonly json: Json,
    private readonly sources: Record<string, string>,
  ) {}

  static async load(dir = TEMPLATE_DIR): Promise<CoderTemplate> {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.tf'))
      .sort();
    const sources: Record<string, string> = {};
    const json: Json = {};
    for (const file of files) {
      sources[file] = readFileSync(join(dir, file), 'utf8');
      let parsed: Json;
      try {
        parsed = (await parse(file, sources[file])) as Json;
      } catch (e) {
        throw new ImageConfigError(
          `not valid HCL: ${(e as Error).message}`,
          'fix the syntax (terraform fmt shows where)',
          relative(WORKSPACE_ROOT, join(dir, file)),
        );
      }
      merge(json, parsed);
    }
    return new CoderTemplate(dir, json, sources);
  }

  /** images.json next to the template's files, as main.tf reads it. */
  catalog(): CoderCatalog {
    return JSON.parse(readFileSync(join(this.dir, basename(CODER_CATALOG_FILE)), 'utf8')) as CoderCatalog;
  }

  /** `file:line` of the first line matching, for messages. */
  where(pattern: RegExp): string {
    for (const [file, text] of Object.entries(this.sources)) {
      const at = text.split('\n').findIndex((line) => pattern.test(line));
      if (at >= 0) return `${relative(WORKSPACE_ROOT, join(this.dir, file))}:${at + 1}`;
    }
    return relative(WORKSPACE_ROOT, this.dir);
  }

  /** The raw (unevaluated) body of a block: `block('resource', 'docker_container', 'workspace')`. */
  block(kind: 'resource' | 'data' | 'variable', type: string, name?: string): Body {
    const found =
      name === undefined
        ? (this.json[kind] as Json | undefined)?.[type]
        : ((this.json[kind] as Json | undefined)?.[type] as Json | undefined)?.[name];
    const bodies = found as Body[] | undefined;
    if (!bodies?.length) {
      const label = [kind, type, name].filter(Boolean).join(' ');
      throw new ImageConfigError(
        `the template has no ${label} block`,
        `add it back (see docs/coder.md)`,
        relative(WORKSPACE_ROOT, this.dir),
      );
    }
    return bodies[0];
  }

  /** The names of the template's resources of a type: `resourceNames('docker_volume')`. */
  resourceNames(type: string): string[] {
    return Object.keys(((this.json.resource as Json | undefined)?.[type] as Json | undefined) ?? {});
  }

  /** Every resource or data block, as `[kind, type, name]`. */
  blocks(kind: 'resource' | 'data'): Array<[kind: 'resource' | 'data', type: string, name: string]> {
    const byType = (this.json[kind] as Record<string, Json> | undefined) ?? {};
    return Object.entries(byType).flatMap(([type, names]) =>
      Object.keys(names).map((name) => [kind, type, name] as ['resource' | 'data', string, string]),
    );
  }

  locals(): Body {
    const locals: Body = {};
    for (const block of (this.json.locals as Body[] | undefined) ?? []) Object.assign(locals, block);
    return locals;
  }

  build(context: BuildContext): Build {
    return new Build(this, context);
  }
}

function merge(into: Json, from: Json): void {
  for (const [k, v] of Object.entries(from)) {
    if (Array.isArray(v)) into[k] = [...((into[k] as unknown[]) ?? []), ...(v as unknown[])];
    else if (v && typeof v === 'object') merge((into[k] ??= {}) as Json, v as Json);
    else into[k] = v;
  }
}

/** The template evaluated for one build: locals, resources and checks, each computed once. */
export class Build implements Resolver {
  private readonly localValues = new Map<string, Promise<Value>>();
  private readonly evaluating = new Set<string>();
  private readonly blocks = new Map<string, Promise<Value>>();
  readonly ev: Evaluator;

  constructor(
    readonly template: CoderTemplate,
    readonly context: BuildContext,
  ) {
    this.ev = new Evaluator(this);
  }

  async resolve(names: readonly string[], where: string): Promise<{ value: Value; used: number }> {
    const [root, second, third] = names;
    if (root === 'local' && second) return { value: await this.local(second), used: 2 };
    if (root === 'var' && second) return { value: this.variable(second), used: 2 };
    if (root === 'path' && second === 'module') return { value: this.template.dir, used: 2 };
    if (root === 'data' && second && third) return { value: await this.instances('data', second, third), used: 3 };
    const resources = this.template.json.resource as Json | undefined;
    if (root && second && resources?.[root]) return { value: await this.instances('resource', root, second), used: 2 };
    throw new UnsupportedError(`\`${where}\` refers to ${names.join('.')}, which the template does not declare`);
  }

  local(name: string): Promise<Value> {
    let found = this.localValues.get(name);
    if (found) return found;
    const source = this.template.locals()[name];
    if (source === undefined) throw new UnsupportedError(`local.${name} is not declared in the template`);
    if (this.evaluating.has(name)) throw new UnsupportedError(`local.${name} refers to itself`);
    this.evaluating.add(name);
    found = this.value(source, this.ev).finally(() => this.evaluating.delete(name));
    this.localValues.set(name, found);
    return found;
  }

  variable(name: string): Value {
    if (this.context.variables && name in this.context.variables) return this.context.variables[name];
    const declared = this.template.block('variable', name);
    return (declared.default ?? null) as Value;
  }

  /** A resource or data source: its evaluated arguments plus what the provider computed; a list when it has count. */
  instances(kind: 'resource' | 'data', type: string, name: string): Promise<Value> {
    const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
    let found = this.blocks.get(address);
    if (found) return found;
    found = (async () => {
      const body = this.template.block(kind, type, name);
      const computed = this.context.computed[address] ?? {};
      if (kind === 'data' && type === 'coder_parameter') {
        const value =
          this.context.parameters[String(await this.ev.template(String(body.name)))] ??
          (await this.value(body.default ?? null, this.ev));
        return { ...(await this.body(body, this.ev)), value, ...computed };
      }
      const one = async (ev: Evaluator) => {
        const args = await this.body(body, ev);
        // terraform_data's output is its input, unless the state says otherwise (the context).
        return type === 'terraform_data'
          ? { output: args.input ?? null, ...args, ...computed }
          : { ...args, ...computed };
      };
      const count = await this.count(body, address);
      if (count > 0 && this.context.unavailable?.includes(address))
        throw new UnavailableError(`${address} is read in this build, and its provider cannot answer`);
      if (body.count === undefined) return one(this.ev);
      return Promise.all(Array.from({ length: count }, (_, index) => one(this.ev.bind({ count: { index } }))));
    })();
    this.blocks.set(address, found);
    return found;
  }

  /** How many instances a block has in this build: its `count`, or 1. */
  private async count(body: Body, address: string): Promise<number> {
    if (body.count === undefined) return 1;
    const count = await this.value(body.count, this.ev);
    if (typeof count !== 'number') throw new EvalError(`${address}: count is ${JSON.stringify(count)}, not a number`);
    return count;
  }

  /**
   * Every local, data source and resource of the template, as Terraform plans them all in every build:
   * whatever cannot be evaluated (a provider that cannot answer included) fails the build.
   */
  async evaluateAll(): Promise<Record<string, Value>> {
    const out: Record<string, Value> = {};
    for (const name of Object.keys(this.template.locals())) out[`local.${name}`] = await this.local(name);
    for (const [kind, type, name] of [...this.template.blocks('data'), ...this.template.blocks('resource')])
      out[`${kind === 'data' ? 'data.' : ''}${type}.${name}`] = await this.instances(kind, type, name);
    return out;
  }

  /** A block's arguments and nested blocks, evaluated; `dynamic` blocks expanded; meta-arguments left out. */
  async body(body: Body, ev: Evaluator): Promise<Record<string, Value>> {
    const out: Record<string, Value> = {};
    for (const [key, raw] of Object.entries(body)) {
      if (META.has(key)) continue;
      out[key] = await this.value(raw, ev);
    }
    const dynamic = (body.dynamic ?? {}) as Record<string, Body[]>;
    for (const [blockName, specs] of Object.entries(dynamic)) {
      const blocks = ((out[blockName] as Value[] | undefined) ?? []).slice();
      for (const spec of specs) {
        const iterator = spec.iterator ? String(spec.iterator) : blockName;
        const forEach = await this.value(spec.for_each, ev);
        const entries: Array<[Value, Value]> = Array.isArray(forEach)
          ? forEach.map((v, i) => [i, v])
          : forEach && typeof forEach === 'object'
            ? Object.keys(forEach)
                .sort()
                .map((k) => [k, (forEach as Record<string, Value>)[k]])
            : [];
        for (const [k, v] of entries) {
          blocks.push(await this.body((spec.content as Body[])[0], ev.bind({ [iterator]: { key: k, value: v } })));
        }
      }
      out[blockName] = blocks;
    }
    return out;
  }

  /** A value as hcl2json gives it: strings are templates, arrays and objects hold more values or blocks. */
  async value(raw: unknown, ev: Evaluator): Promise<Value> {
    if (typeof raw === 'string') return ev.template(raw);
    if (Array.isArray(raw))
      return Promise.all(raw.map((item) => (isBody(item) ? this.body(item, ev) : this.value(item, ev))));
    if (raw && typeof raw === 'object') return this.body(raw as Body, ev);
    return raw as Value;
  }

  /**
   * The error messages of a resource's preconditions that fail in this build. Terraform checks them
   * per instance: a resource with no instance in this build (count 0, a stop's container) checks none.
   */
  async failedPreconditions(type: string, name: string): Promise<string[]> {
    const body = this.template.block('resource', type, name);
    if ((await this.count(body, `${type}.${name}`)) === 0) return [];
    const ev = this.ev.bind({ count: { index: 0 } });
    const lifecycle = ((body.lifecycle as Body[] | undefined) ?? [])[0] ?? {};
    const failed: string[] = [];
    for (const check of (lifecycle.precondition as Body[] | undefined) ?? []) {
      if ((await this.value(check.condition, ev)) !== true)
        failed.push(String(await this.value(check.error_message, ev)));
    }
    return failed;
  }

  /** Every check that fails in this build: the variables' validations, then every resource's preconditions. */
  async failedChecks(): Promise<string[]> {
    const failed = await this.failedValidations();
    for (const [, type, name] of this.template.blocks('resource'))
      for (const message of await this.failedPreconditions(type, name)) failed.push(`${type}.${name}: ${message}`);
    return failed;
  }

  /** The error messages of the template variables' validations that fail for the context's values. */
  async failedValidations(): Promise<string[]> {
    const failed: string[] = [];
    for (const name of Object.keys((this.template.json.variable as Json | undefined) ?? {})) {
      for (const check of (this.template.block('variable', name).validation as Body[] | undefined) ?? []) {
        if ((await this.value(check.condition, this.ev)) !== true)
          failed.push(`var.${name}: ${String(await this.value(check.error_message, this.ev))}`);
      }
    }
    return failed;
  }
}

const isBody = (v: unknown): v is Body => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
