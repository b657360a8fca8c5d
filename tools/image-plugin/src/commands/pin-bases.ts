import { UsageError } from '../core/errors';
import { pinBases } from '../services/pin-bases';
import { pinBasesPullRequest } from '../services/pin-bases-pull-request';

export interface PinBasesArgs {
  workspaceRoot: string;
  check: boolean;
  /** Commit the bump to the branch pin-bases and open (or update) its one pull request. */
  pullRequest?: boolean;
  log: (line: string) => void;
}

/**
 * `images pin-bases [--check | --pull-request]`: the pins with an upstream (external bases, Node.js, npm)
 * moved to what it publishes now; --pull-request brings the move to main as one reviewed pull request.
 */
export async function pinBasesCommand(args: PinBasesArgs): Promise<void> {
  const { workspaceRoot, check, pullRequest, log } = args;
  if (check && pullRequest) {
    throw new UsageError(
      '--check and --pull-request exclude each other',
      'use --check to fail on stale pins, or --pull-request to propose the move (images pin-bases --help)',
      'images pin-bases',
      '--pull-request',
    );
  }
  if (pullRequest) await pinBasesPullRequest({ workspaceRoot, env: process.env, log });
  else await pinBases({ workspaceRoot, check, env: process.env, log });
}
