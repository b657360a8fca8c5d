import { describe, expect, it } from 'vitest';
import { SHA_LENGTH } from '../core/defaults';
import { ImageConfigError } from '../core/errors';
import type { PublishedRelease } from '../core/github-release';
import type { ImageSpec } from '../core/image-spec';
import { revisionTag } from '../core/tags';
import type { NormalizedPluginOptions } from '../options';
import { MemoryRegistry } from './memory-registry.double';
import type { ReleasesPort } from './ports';
import { releaseImages, type ReleasePorts } from './release';

const R = 'reg/acme/images';
const COMMIT = 'abc1234'.padEnd(40, 'f');
/** The commit's SHA tag suffix, at the default length. */
const SHA = revisionTag(COMMIT, SHA_LENGTH.default);
const OPTIONS = { repository: R, layout: 'single', build: {} } as unknown as NormalizedPluginOptions;
const SPECS = [{ name: 'base' }, { name: 'node' }] as ImageSpec[];
const ENV = { GITHUB_TOKEN: 'token', GITHUB_REPOSITORY: 'acme/images' };

/**
 * A release's world in memory: the commit's SHA tags, the floating tags an earlier release left, and a
 * GitHub whose steps go into the same log as the registry's writes, so the test sees one order.
 */
function releaseWorld(extra: Record<string, string> = {}) {
  const registry = new MemoryRegistry({
    [`${R}:base-${SHA}`]: 'sha256:base2',
    [`${R}:node-${SHA}`]: 'sha256:node2',
    [`${R}:base`]: 'sha256:base1',
    [`${R}:node`]: 'sha256:node1',
    ...extra,
  });
  const log = registry.writes;
  /** `meanwhile`: the release another run publishes just before this one's publish (GitHub then answers 422 already_exists). */
  const fail: { publish: boolean; meanwhile: ((body: string) => PublishedRelease) | null } = {
    publish: false,
    meanwhile: null,
  };
  let drafted = '';
  let other: PublishedRelease | null = null;
  const github: ReleasesPort = {
    byTag: async () => other,
    latestId: async () => null,
    createDraft: async (fields) => ((drafted = fields.body), log.push(`github draft ${fields.tag}`), 7),
    probeUpdate: async () => undefined,
    publish: async (id) => {
      if (fail.publish)
        throw new ImageConfigError('GitHub refused to publish the release (403)', 'grant the token contents: write');
      if (fail.meanwhile) {
        other = fail.meanwhile(drafted);
        return 'exists';
      }
      log.push(`github publish ${id}`);
      return 'published';
    },
    deleteDraft: async (id) => void log.push(`github delete draft ${id}`),
  };
  const ports: ReleasePorts = {
    registry,
    workspace: async () => ({ options: OPTIONS, specs: SPECS }),
    commitOf: async () => COMMIT,
    versionTags: async () => ['v1.1.0', 'v1.2.3'],
    versionTagsAt: async () => ['v1.1.0', 'v1.2.3'],
    changes: async () => '',
    releases: () => github,
  };
  const request = { workspaceRoot: '/nowhere', tag: 'v1.2.3', env: ENV, log: () => undefined };
  return { registry, ports, request, log, fail };
}
const MOVES = [
  `tag ${R}:base-1.2.3 -> sha256:base2`,
  `tag ${R}:node-1.2.3 -> sha256:node2`,
  `tag ${R}:base-1.2 -> sha256:base2`,
  `tag ${R}:node-1.2 -> sha256:node2`,
  `tag ${R}:base-1 -> sha256:base2`,
  `tag ${R}:node-1 -> sha256:node2`,
  `tag ${R}:base -> sha256:base2`,
  `tag ${R}:node -> sha256:node2`,
];

describe('releaseImages: the sequence of a release (unit, in-memory ports)', () => {
  it('the draft first, exact tags before floating ones, the release published last', async () => {
    const { ports, request, log } = releaseWorld();
    const outcome = await releaseImages(request, ports);
    expect(log).toEqual(['github draft v1.2.3', ...MOVES, 'github publish 7']);
    expect(outcome.github).toBe('created');
    expect(outcome.moved).toHaveLength(8);
  });

  it('run again: nothing moves', async () => {
    const { ports, request, log, registry } = releaseWorld();
    await releaseImages(request, ports);
    log.length = 0;
    const again = await releaseImages(request, ports);
    expect(again.moved).toEqual([]);
    expect(log.filter((l) => l.startsWith('tag '))).toEqual([]);
    expect(registry.tags.get(`${R}:base`)).toBe('sha256:base2');
  });

  it('a failed move: what moved goes back newest first, the draft is deleted, nothing is published', async () => {
    const { ports, request, log, registry } = releaseWorld();
    registry.failWrite = (ref) => ref === `${R}:node`;
    await expect(releaseImages(request, ports)).rejects.toThrow(
      /moving \S+:node failed: .*put back \S+:base where they were/,
    );
    expect(log).toEqual([
      'github draft v1.2.3',
      ...MOVES.slice(0, 7),
      `tag ${R}:base -> sha256:base1`,
      'github delete draft 7',
    ]);
    expect(registry.tags.get(`${R}:base`)).toBe('sha256:base1');
    expect(registry.tags.get(`${R}:node`)).toBe('sha256:node1');
  });

  it('the GitHub release fails after the moves: every moved tag that existed goes back, the draft is deleted', async () => {
    const { ports, request, log, registry, fail } = releaseWorld();
    fail.publish = true;
    const error = await releaseImages(request, ports).catch((e: Error) => e);
    expect(log.slice(0, 9)).toEqual(['github draft v1.2.3', ...MOVES]);
    expect(log.slice(9)).toEqual([
      `tag ${R}:node -> sha256:node1`,
      `tag ${R}:base -> sha256:base1`,
      'github delete draft 7',
    ]);
    expect(registry.tags.get(`${R}:base`)).toBe('sha256:base1');
    expect((error as Error).message).toMatch(
      /^release: GitHub refused to publish the release \(403\); so the tags it had moved went back: \S+:node, \S+:base; new tag\(s\) .*\n {2}fix: grant the token contents: write/,
    );
  });

  it('another run published this very release first (422 already_exists): done, the moves stay, the draft goes', async () => {
    const { ports, request, log, registry, fail } = releaseWorld();
    fail.meanwhile = (body) => ({ id: 9, tag_name: 'v1.2.3', name: 'v1.2.3', body, prerelease: false });
    const outcome = await releaseImages(request, ports);
    expect(outcome.github).toBe('meanwhile');
    expect(log).toEqual(['github draft v1.2.3', ...MOVES, 'github delete draft 7']);
    expect(registry.tags.get(`${R}:base`)).toBe('sha256:base2');
  });

  it('another release of the tag published meanwhile (notes by hand): refused, the moves go back', async () => {
    const { ports, request, log, registry, fail } = releaseWorld();
    fail.meanwhile = () => ({ id: 9, tag_name: 'v1.2.3', name: 'v1.2.3', body: 'by hand', prerelease: false });
    await expect(releaseImages(request, ports)).rejects.toThrow(
      /^release: v1\.2\.3 was published on GitHub meanwhile with other images or notes .*so the tags it had moved went back/,
    );
    expect(log.slice(-1)).toEqual(['github delete draft 7']);
    expect(registry.tags.get(`${R}:base`)).toBe('sha256:base1');
  });

  it('an exact version tag that names another image: refused before the draft and before any move', async () => {
    const { ports, request, log } = releaseWorld({ [`${R}:node-1.2.3`]: 'sha256:node0' });
    await expect(releaseImages(request, ports)).rejects.toThrow(
      `${R}:node-1.2.3 names sha256:node0, but node at this commit is sha256:node2`,
    );
    expect(log).toEqual([]);
  });
});
