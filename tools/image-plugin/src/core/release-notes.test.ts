import { describe, expect, it } from 'vitest';
import { releaseNotes, type ReleasedImage } from './release-notes';

const R = 'reg/acme/images';
const img = (image: string, tags: string[], platforms = ['linux/amd64', 'linux/arm64']): ReleasedImage => ({
  image,
  digest: `sha256:${image.padEnd(64, '0')}`,
  platforms,
  tags: tags.map((t) => `${R}:${t}`),
});

describe('releaseNotes', () => {
  it.each([
    {
      name: 'two images, given out of order',
      version: '1.2.0',
      images: [
        img('node', ['node-1.2.0', 'node-1.2', 'node-1', 'node']),
        img('base', ['base-1.2.0', 'base-1.2', 'base-1', 'base']),
      ],
      rows: [
        `| base | \`sha256:${'base'.padEnd(64, '0')}\` | linux/amd64, linux/arm64 | \`base-1.2.0\` \`base-1.2\` \`base-1\` \`base\` |`,
        `| node | \`sha256:${'node'.padEnd(64, '0')}\` | linux/amd64, linux/arm64 | \`node-1.2.0\` \`node-1.2\` \`node-1\` \`node\` |`,
      ],
    },
    {
      name: 'a pre-release, one platform',
      version: '1.3.0-rc.1',
      images: [img('base', ['base-1.3.0-rc.1'], ['linux/amd64'])],
      rows: [`| base | \`sha256:${'base'.padEnd(64, '0')}\` | linux/amd64 | \`base-1.3.0-rc.1\` |`],
    },
    { name: 'no images', version: '1.0.0', images: [], rows: [] },
  ])('$name', ({ version, images, rows }) => {
    const body = releaseNotes(version, images);
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- images-release-table -->');
    expect(lines[1]).toBe(`Images of ${version}:`);
    expect(lines).toContain('| image | digest | platforms | tags |');
    expect(lines.filter((l) => l.startsWith('| ') && !l.startsWith('| image') && !l.startsWith('| ---'))).toEqual(rows);
  });

  it('is stable: the same images in any order give the same text (re-runs change nothing)', () => {
    const a = [img('base', ['base-1.0.0']), img('cpp', ['cpp-1.0.0']), img('node', ['node-1.0.0'])];
    expect(releaseNotes('1.0.0', a)).toBe(releaseNotes('1.0.0', [...a].reverse()));
    expect(releaseNotes('1.0.0', a)).not.toBe(releaseNotes('1.0.1', a));
  });
});
