import { execFileSync } from 'node:child_process';

/**
 * The default publishing repository, `ghcr.io/<owner>/<repo>` lowercased: from `GITHUB_REPOSITORY`
 * in GitHub Actions, else from the `origin` remote. Undefined when neither says.
 */
export function defaultRepository(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.GITHUB_REPOSITORY;
  if (fromEnv) return `ghcr.io/${fromEnv}`.toLowerCase();
  let url: string;
  try {
    url = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: workspaceRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
  return repositoryFromRemote(url);
}

/** `git@github.com:Acme/Images.git` or `https://github.com/acme/images` -> `ghcr.io/acme/images`. */
export function repositoryFromRemote(url: string): string | undefined {
  const match = /github\.com[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return match ? `ghcr.io/${match[1]}/${match[2]}`.toLowerCase() : undefined;
}
