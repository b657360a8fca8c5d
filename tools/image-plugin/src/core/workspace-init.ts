/**
 * What the init generator refuses, decided from facts read once (the git repository's state, the
 * nx.json entry already there, the options typed). Each returns the problem and its fix, or
 * undefined when there is nothing to refuse. Pure.
 */

/** The git repository holding the workspace, as `git rev-parse` tells it. */
export type GitState = 'ready' | 'no-commit' | 'not-a-repository' | 'no-git';

export interface Refusal {
  problem: string;
  fix: string;
}

const WHY_GIT = "the images' tags name the commit they are built from";

/** A workspace init can set up: a git repository with at least one commit. */
export function gitStateProblem(state: GitState): Refusal | undefined {
  switch (state) {
    case 'ready':
      return undefined;
    case 'no-git':
      return { problem: `git is not installed (or not on PATH): ${WHY_GIT}`, fix: 'install git, then run init again' };
    case 'not-a-repository':
      return {
        problem: `this workspace is not a git repository: ${WHY_GIT}`,
        fix: 'git init && git add -A && git commit -m "Initial commit", then run init again',
      };
    case 'no-commit':
      return {
        problem: `the git repository has no commit yet: ${WHY_GIT}`,
        fix: 'git add -A && git commit -m "Initial commit", then run init again',
      };
  }
}

/** The options init writes into the plugin's nx.json entry (only those given). */
export interface InitEntryOptions {
  repository?: string;
  dockerfileGlob?: string;
}

/**
 * An nx.json entry of the plugin is there already (`entryOptions`: its options, {} for a bare name):
 * running init again with no options keeps it; options typed that say something else are refused,
 * since init never rewrites an entry a user may have edited.
 */
export function entryConflict(
  name: string,
  entryOptions: Record<string, unknown>,
  given: InitEntryOptions,
): Refusal | undefined {
  const differing = (Object.keys(given) as Array<keyof InitEntryOptions>).filter(
    (key) => given[key] !== undefined && given[key] !== entryOptions[key],
  );
  if (differing.length === 0) return undefined;
  const has = differing.map((key) =>
    entryOptions[key] === undefined ? `no ${key}` : `${key} ${JSON.stringify(entryOptions[key])}`,
  );
  const asked = differing.map((key) => `--${key} ${given[key]}`);
  return {
    problem: `nx.json already has a ${name} entry with ${has.join(' and ')}, not ${asked.join(' ')}`,
    fix: `change its options in nx.json by hand, or run init without ${differing.map((k) => `--${k}`).join(' and ')} to keep them`,
  };
}
