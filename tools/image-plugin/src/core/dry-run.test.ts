import { describe, expect, it } from 'vitest';
import type { BuildxInvocation } from './build-invocation';
import { dryRunRecord, formatDryRun } from './dry-run';
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
    expect(formatDryRun({ invocation, reuse: true }).split('\n')).toEqual([
      'node (dry run, nothing built)',
      '  tags:       r/images:node-1a2b3c4  r/images:node-content-00ff',
      '  would:      reuse r/images:node-content-00ff (it exists) and only add r/images:node-1a2b3c4',
      '  platforms:  linux/amd64',
      '  build arg:  BASE_IMAGE=r/images@sha256:11',
      '  command:    docker buildx build --file images/node/Dockerfile .',
    ]);
    expect(formatDryRun({ invocation, reuse: false })).toContain('  would:      build (no image has this content yet)');
    expect(formatDryRun({ invocation })).not.toContain('would:');
  });
});
