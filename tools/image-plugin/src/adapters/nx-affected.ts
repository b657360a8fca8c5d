import { execa } from 'execa';

/** `nx show projects --affected` failed: what Nx printed, for the caller to explain. */
export class AffectedFailure extends Error {
  constructor(readonly output: string) {
    super(`nx show projects --affected failed:\n${output}`);
  }
}

/** What `nx show projects --affected -t <target>` prints between base and head (nx-set-shas' NX_BASE/NX_HEAD). */
export async function affectedProjects(cwd: string, target: string, base?: string, head?: string): Promise<string[]> {
  const args = ['nx', 'show', 'projects', '--affected', '-t', target, '--json'];
  if (base) args.push(`--base=${base}`);
  if (head) args.push(`--head=${head}`);
  const r = await execa('npx', ['--no-install', ...args], { cwd, reject: false, env: { NX_DAEMON: 'false' } });
  if (r.exitCode !== 0) throw new AffectedFailure(r.stderr.trim() || r.stdout.trim());
  return JSON.parse(r.stdout) as string[];
}
