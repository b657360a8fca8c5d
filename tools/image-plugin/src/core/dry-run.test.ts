import { describe, expect, it } from 'vitest';
import type { BuildxInvocation } from './build-invocation';
import { buildsNothing, dryRunRecord, formatDryRun, wouldDo } from './dry-run';
import { imageTags } from './tags';

const invocation: BuildxInvocation = {
  image: 'node',
  tags: imageTags({
    repository: 'r/images',
    layout: 'single',
    image: 'node',
    revision: '1a2b3c4',
    contentHash: '00ff',
  }),
  platforms: ['linux/amd64'],
  buildArgs: { BASE_IMAGE: 'r/images@sha256:11' },
  labels: {},
  args: ['--file', 'images/node/Dockerfile', '.'],
};

describe('the dry run', () => {
  it.each([
    {
      name: 'push, reuse: FROM the existing digest',
      push: true,
      decision: { kind: 'reuse' as const, digest: 'sha256:22', platforms: [], wrap: false, tagged: false },
      record: { contentHash: '00ff', reference: 'r/images@sha256:22', reuse: true },
    },
    {
      name: 'push, build: the content tag still to build',
      push: true,
      decision: { kind: 'build' as const, reason: 'x' },
      record: { contentHash: '00ff', reference: 'r/images@<digest of r/images:node-content-00ff>', reuse: false },
    },
    {
      name: 'local: the content tag',
      push: false,
      decision: { kind: 'reuse' as const, digest: 'sha256:33', platforms: [], wrap: false, tagged: false },
      record: { contentHash: '00ff', reference: 'r/images:node-content-00ff', reuse: true },
    },
  ])('what it leaves for the children: $name', ({ push, decision, record }) => {
    expect(dryRunRecord(invocation, '00ff', decision, push)).toEqual(record);
  });

  it('prints the tags, what it would do, the build args and the command', () => {
    const reuse = { kind: 'reuse' as const, digest: 'sha256:33', platforms: [], wrap: false, tagged: false };
    expect(formatDryRun({ invocation, decision: reuse }).split('\n')).toEqual([
      'node (dry run, nothing built)',
      '  tags:       r/images:node-1a2b3c4  r/images:node-content-00ff',
      '  would:      reuse r/images:node-content-00ff (it exists) and only add r/images:node-1a2b3c4',
      '  platforms:  linux/amd64',
      '  build arg:  BASE_IMAGE=r/images@sha256:11',
      '  command:    docker buildx build --file images/node/Dockerfile .',
    ]);
    expect(formatDryRun({ invocation, decision: { kind: 'build', reason: 'x' } })).toContain(
      '  would:      build (no image has this content yet)',
    );
    expect(formatDryRun({ invocation })).not.toContain('would:');
  });
});

describe('wouldDo: what a dry run says each decision would do (the one wording)', () => {
  const TAGS = { sha: 'r/images:node-1a2b3c4', content: 'r/images:node-content-00ff' };
  it.each([
    { decision: { kind: 'build' as const, reason: 'x' }, would: 'build (no image has this content yet)' },
    {
      decision: { kind: 'reuse' as const, digest: 'sha256:1', platforms: [], wrap: false, tagged: false },
      would: `reuse ${TAGS.content} (it exists) and only add ${TAGS.sha}`,
    },
    {
      decision: { kind: 'reuse' as const, digest: 'sha256:1', platforms: [], wrap: false, tagged: true },
      would: `reuse ${TAGS.sha} as it is (it names ${TAGS.content} already); nothing to add`,
    },
    {
      decision: { kind: 'kept' as const, digest: 'sha256:1', platforms: [], reason: `${TAGS.content} names sha256:2` },
      would: `keep ${TAGS.sha} as it is (built from other inputs than this run's: ${TAGS.content} names sha256:2); nothing to add`,
    },
  ])('$decision.kind', ({ decision, would }) => {
    expect(wouldDo(decision, TAGS)).toBe(would);
    expect(buildsNothing(decision)).toBe(decision.kind !== 'build');
  });
});
