export interface ReleasedImage {
  image: string;
  digest: string;
  platforms: string[];
  tags: string[];
}

const MARKER = '<!-- images-release-table -->';

/** The release body: one table of images, digests and platforms (stable text, so re-runs change nothing). */
export function releaseNotes(version: string, images: readonly ReleasedImage[]): string {
  const rows = [...images]
    .sort((a, b) => a.image.localeCompare(b.image))
    .map(
      (i) =>
        `| ${i.image} | \`${i.digest}\` | ${i.platforms.join(', ')} | ${i.tags.map((t) => `\`${t.slice(t.lastIndexOf(':') + 1)}\``).join(' ')} |`,
    );
  return [
    MARKER,
    `Images of ${version}:`,
    '',
    '| image | digest | platforms | tags |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
