import { satisfies, validRange } from 'semver';

/**
 * Whether the workspace's nx is one this plugin supports (its `peerDependencies.nx`). npm refuses an
 * install outside the range, unless told to ignore peers (`--legacy-peer-deps`, `--force`): then the
 * plugin would load into an Nx whose API it was not built for, and fail far from the cause.
 */
export function nxVersionProblem(
  version: string | undefined,
  range: string,
): { problem: string; fix: string } | undefined {
  if (version === undefined || !validRange(range)) return undefined; // no nx to compare: Nx itself says so
  if (satisfies(version, range, { includePrerelease: true })) return undefined;
  const newest = range
    .split('||')
    .map((r) => r.trim())
    .at(-1)
    ?.replace(/^\^/, '')
    .split('.')[0];
  return {
    problem: `this workspace has nx ${version}, outside the range the image plugin supports (${range})`,
    fix: `npm install --save-dev nx@${newest ?? 'latest'} (or another version in the range), then run again`,
  };
}
