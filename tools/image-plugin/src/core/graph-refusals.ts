import { ImageConfigError } from './errors';

/**
 * The plugin's refusals as Nx hands them back when making the graph failed. Nx wraps what createNodes
 * throws in an AggregateCreateNodesError (`errors: [file, error][]`), what createDependencies throws in
 * a ProcessDependenciesError (`cause`), and all of them in one ProjectGraphError (`errors`); the daemon
 * sends them as plain objects with the same fields. Only the `Failed to process project graph.` line of
 * it reaches the user of `nx run-many` or `nx affected` (docs/errors.md).
 */
export interface Refusal {
  problem: string;
  fix: string;
  file?: string;
  line?: number;
}

const isRefusal = (v: object): v is Refusal & { kind: string } => {
  const r = v as Partial<Refusal> & { kind?: unknown };
  return typeof r.kind === 'string' && typeof r.problem === 'string' && typeof r.fix === 'string';
};

/** Every refusal of the plugin in an error Nx threw, once each, in the order Nx lists them. */
export function refusalsIn(error: unknown): Refusal[] {
  const found = new Map<string, Refusal>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      // AggregateCreateNodesError's entries are [file, error] pairs.
      v.forEach(visit);
      return;
    }
    if (isRefusal(v)) {
      const { problem, fix, file, line } = v;
      found.set(`${file}:${line}:${problem}`, { problem, fix, file, line });
      return;
    }
    const fields = v as { errors?: unknown; error?: unknown; cause?: unknown };
    [fields.errors, fields.error, fields.cause].forEach(visit);
  };
  visit(error);
  return [...found.values()];
}

/**
 * What to tell the user of a failed graph: the plugin's refusals as one ImageConfigError (each with its
 * place and fix), or else Nx's own error with the messages of what failed; any other error as it is.
 */
export function graphFailure(error: unknown): Error {
  const refusals = refusalsIn(error);
  if (refusals.length) {
    const [first, ...more] = refusals;
    const failure = new ImageConfigError(first.problem, first.fix, first.file, first.line);
    const rest = more.map((r) => new ImageConfigError(r.problem, r.fix, r.file, r.line).message);
    failure.message = [failure.message, ...rest].join('\n');
    failure.stack = failure.message;
    return failure;
  }
  const errors = (error as { errors?: unknown }).errors;
  if (!(error instanceof Error) || !Array.isArray(errors) || errors.length === 0) return error as Error;
  const messages = errors.map((e) => `  - ${String((e as { message?: unknown })?.message ?? e)}`);
  const failure = new Error([error.message, ...messages].join('\n'));
  failure.stack = failure.message;
  return failure;
}

/** Set by the `images` commands before they make the graph: they print the refusals they get back. */
export const REFUSALS_REPORTED_ENV = 'IMAGES_REPORT_REFUSALS';

/**
 * Whether the command the plugin runs in prints the plugin's errors itself: the `images` commands
 * (REFUSALS_REPORTED_ENV, which reaches Nx's plugin workers too), and Nx's `show`, `graph` and `run`
 * (`nx run p:t`, `nx p:t`), read from `process.argv`. `run-many`, `affected`, `exec` and the rest print
 * only Nx's summary line, so the plugin prints its refusal.
 */
export function printsPluginErrors(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env[REFUSALS_REPORTED_ENV] === '1') return true;
  const script = (argv[1] ?? '').replace(/\\/g, '/');
  if (!/(^|\/)nx(\/bin\/nx\.js|\.js)?$/.test(script)) return false;
  const command = argv[2] ?? '';
  return ['show', 'graph', 'run'].includes(command) || /^[^-][^:]*:[^:]+/.test(command);
}
