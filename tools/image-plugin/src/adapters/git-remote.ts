import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The default publishing repository, `ghcr.io/<owner>/<repo>` lowercased: from `GITHUB_REPOSITORY`
 * in GitHub Actions, else from the `origin` remote in the repository's git config (read as a file:
 * graph inference must not start a git process). Undefined when neither says.
 */
export function defaultRepository(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.GITHUB_REPOSITORY;
  if (fromEnv) return `ghcr.io/${fromEnv}`.toLowerCase();
  const config = gitConfigFile(workspaceRoot);
  if (!config) return undefined;
  let text: string;
  try {
    text = readFileSync(config, 'utf8');
  } catch {
    return undefined;
  }
  const url = originUrl(text);
  return url ? repositoryFromRemote(url) : undefined;
}

/**
 * The config file of the git repository holding `dir`: `.git/config`, or for a worktree (`.git` is a
 * file naming its git dir) the config of the main repository (`commondir`).
 */
function gitConfigFile(dir: string): string | undefined {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const dotGit = join(at, '.git');
    let isFile: boolean | undefined;
    try {
      isFile = statSync(dotGit).isFile();
    } catch {
      isFile = undefined;
    }
    if (isFile === false) return join(dotGit, 'config');
    if (isFile === true) {
      const gitDir = resolve(at, /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim() ?? '.git');
      let common = gitDir;
      try {
        common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        // not a linked worktree: its own git dir holds the config
      }
      return join(common, 'config');
    }
    if (dirname(at) === at) return undefined;
  }
}

/** The url of `[remote "origin"]` in a git config file's text. */
export function originUrl(configText: string): string | undefined {
  let inOrigin = false;
  for (const raw of configText.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inOrigin = /^\[remote\s+"origin"\]$/.test(line);
      continue;
    }
    const m = /^url\s*=\s*(.*)$/.exec(line);
    if (inOrigin && m) return m[1].trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** `git@github.com:Acme/Images.git` or `https://github.com/acme/images` -> `ghcr.io/acme/images`. */
export function repositoryFromRemote(url: string): string | undefined {
  const match = /github\.com[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return match ? `ghcr.io/${match[1]}/${match[2]}`.toLowerCase() : undefined;
}
