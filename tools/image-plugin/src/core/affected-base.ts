import { ImageConfigError } from './errors';

/**
 * `images plan` asks Nx what changed between a base and HEAD. Without NX_BASE, Nx compares with
 * nx.json's `defaultBase`, or `main` when nx.json names none: in a clone whose default branch is
 * `master` (or a CI checkout that fetched one branch) that revision does not exist, and Nx prints
 * only git's "unknown revision". This says which base was used, where it came from, and the fix.
 */
export interface AffectedBase {
  /** The revision Nx compared with. */
  base: string;
  /** Where it came from: the environment, nx.json, or Nx's own default. */
  from: 'NX_BASE' | 'defaultBase' | 'nx-default';
  /** The line of `defaultBase` in nx.json, when it is there. */
  line?: number;
  head?: string;
}

/** Nx's base when neither NX_BASE nor nx.json's `defaultBase` names one. */
const NX_DEFAULT_BASE = 'main';

/** The base `nx show projects --affected` uses: NX_BASE, else nx.json's defaultBase, else `main`. */
export function affectedBase(env: Readonly<Record<string, string | undefined>>, nxJsonText: string): AffectedBase {
  const head = env.NX_HEAD || undefined;
  if (env.NX_BASE) return { base: env.NX_BASE, from: 'NX_BASE', ...(head ? { head } : {}) };
  const defaultBase = (JSON.parse(nxJsonText) as { defaultBase?: unknown }).defaultBase;
  if (typeof defaultBase !== 'string' || !defaultBase)
    return { base: NX_DEFAULT_BASE, from: 'nx-default', ...(head ? { head } : {}) };
  const line = nxJsonText.split('\n').findIndex((l) => l.includes('"defaultBase"')) + 1;
  return { base: defaultBase, from: 'defaultBase', ...(line ? { line } : {}), ...(head ? { head } : {}) };
}

const UNKNOWN_REVISION =
  /ambiguous argument '([^']+)': unknown revision|bad revision '([^']+)'|not a valid object name:? '?([^'\s]+)'?|(no merge base)/i;

/**
 * The clear error for an affected comparison that failed because git does not know a revision; undefined
 * for any other failure (shown as Nx printed it).
 */
export function affectedRevisionError(output: string, used: AffectedBase): ImageConfigError | undefined {
  const match = UNKNOWN_REVISION.exec(output);
  if (!match) return undefined;
  const revision = match.slice(1, 4).find(Boolean) ?? used.base;
  if (used.head && revision === used.head) {
    return new ImageConfigError(
      `NX_HEAD=${used.head} is not a commit or branch of this clone, so Nx cannot say what changed`,
      'set NX_HEAD to a commit this clone has (in CI: nx-set-shas), or unset it to compare HEAD',
      'images plan',
    );
  }
  const where = {
    NX_BASE: `NX_BASE=${used.base}`,
    defaultBase: `"defaultBase": "${used.base}" in nx.json`,
    'nx-default': `"${used.base}", Nx's default base branch (nx.json has no "defaultBase")`,
  }[used.from];
  return new ImageConfigError(
    `images plan compares HEAD with ${where}, which is not a branch or commit of this clone (git: unknown revision ${revision})`,
    used.from === 'NX_BASE'
      ? 'set NX_BASE to a commit or branch this clone has (in CI: nx-set-shas, and actions/checkout with fetch-depth: 0), or run images plan --all'
      : `set NX_BASE to your default branch or a commit (e.g. NX_BASE=master npx images plan), or set "defaultBase": "<your default branch>" in nx.json (e.g. "master"); images plan --all plans every image`,
    used.from === 'NX_BASE' ? 'images plan' : 'nx.json',
    used.line,
  );
}
