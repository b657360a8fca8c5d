import type { BuildxInvocation } from './build-invocation';
import type { BuildDecision } from './build-decisions';
import type { DryRunRecord } from './dry-run-record';
import { pinnedReference } from './tags';

export type { DryRunRecord } from './dry-run-record';

/** What `--dryRun` prints for one image: the invocation it would run and whether it would reuse instead. */
export interface DryRunReport {
  invocation: BuildxInvocation;
  /** Undefined when unknown; true: the content tag exists, the run would only tag. */
  reuse?: boolean;
}

/** The record a dry run leaves for the children: FROM the existing digest, or the content tag still to build. */
export function dryRunRecord(
  invocation: BuildxInvocation,
  contentHash: string,
  decision: BuildDecision,
  push: boolean,
): DryRunRecord {
  const { tags } = invocation;
  const reuse = decision.kind !== 'build';
  const reference = !push
    ? tags.content
    : reuse
      ? pinnedReference(tags.repository, decision.digest)
      : `${tags.repository}@<digest of ${tags.content}>`;
  return { contentHash, reference, reuse };
}

export function formatDryRun(report: DryRunReport): string {
  const { invocation: plan, reuse } = report;
  const would =
    reuse === undefined
      ? []
      : [
          `  would:      ${reuse ? `reuse ${plan.tags.content} (it exists) and only add ${plan.tags.sha}` : 'build (no image has this content yet)'}`,
        ];
  return [
    `${plan.image} (dry run, nothing built)`,
    `  tags:       ${plan.tags.sha}  ${plan.tags.content}`,
    ...would,
    `  platforms:  ${plan.platforms.join(', ')}`,
    ...Object.entries(plan.buildArgs).map(([k, v]) => `  build arg:  ${k}=${v}`),
    `  command:    docker buildx build ${plan.args.join(' ')}`,
  ].join('\n');
}
