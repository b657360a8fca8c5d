import type { BuildxInvocation } from './build-invocation';
import type { BuildDecision } from './build-decisions';
import type { DryRunRecord } from './dry-run-record';
import { pinnedReference } from './tags';

export type { DryRunRecord } from './dry-run-record';

/** What `--dryRun` prints for one image: the invocation it would run and what the run would decide. */
export interface DryRunReport {
  invocation: BuildxInvocation;
  /** Undefined when unknown. */
  decision?: BuildDecision;
}

/** Whether a decision builds nothing (reuse, or keep the commit's image): the one reading of it for dry runs. */
export const buildsNothing = (decision: BuildDecision): boolean => decision.kind !== 'build';

/** What a run would do for one image, in the dry run's words; kept and tagged images add nothing. */
export function wouldDo(decision: BuildDecision, tags: { sha: string; content: string }): string {
  if (decision.kind === 'build') return 'build (no image has this content yet)';
  if (decision.kind === 'kept')
    return `keep ${tags.sha} as it is (built from other inputs than this run's: ${decision.reason}); nothing to add`;
  if (decision.tagged) return `reuse ${tags.sha} as it is (it names ${tags.content} already); nothing to add`;
  return `reuse ${tags.content} (it exists) and only add ${tags.sha}`;
}

/** The record a dry run leaves for the children: FROM the existing digest, or the content tag still to build. */
export function dryRunRecord(
  invocation: BuildxInvocation,
  contentHash: string,
  decision: BuildDecision,
  push: boolean,
): DryRunRecord {
  const { tags } = invocation;
  const reuse = buildsNothing(decision);
  const reference = !push
    ? tags.content
    : decision.kind !== 'build'
      ? pinnedReference(tags.repository, decision.digest)
      : `${tags.repository}@<digest of ${tags.content}>`;
  return { contentHash, reference, reuse };
}

export function formatDryRun(report: DryRunReport): string {
  const { invocation: plan, decision } = report;
  const would = decision ? [`  would:      ${wouldDo(decision, plan.tags)}`] : [];
  return [
    `${plan.image} (dry run, nothing built)`,
    `  tags:       ${plan.tags.sha}  ${plan.tags.content}`,
    ...would,
    `  platforms:  ${plan.platforms.join(', ')}`,
    ...Object.entries(plan.buildArgs).map(([k, v]) => `  build arg:  ${k}=${v}`),
    `  command:    docker buildx build ${plan.args.join(' ')}`,
  ].join('\n');
}
