import { describe, expect, it } from 'vitest';
import { isImageConfigError } from './errors';
import { formatSize, parseSizeBudget } from './sizes';

const WHERE = 'images/base/project.json (targets.image-build.options.sizeBudget)';

describe('size budgets', () => {
  it.each([
    { value: '700MiB', bytes: 700 * 1024 ** 2 },
    { value: '700 MiB', bytes: 700 * 1024 ** 2 },
    { value: '700mib', bytes: 700 * 1024 ** 2 },
    { value: '1.5GiB', bytes: 1.5 * 1024 ** 3 },
    { value: '800MB', bytes: 800_000_000 },
    { value: '2GB', bytes: 2_000_000_000 },
    { value: '512KiB', bytes: 512 * 1024 },
    { value: '4096B', bytes: 4096 },
  ])('$value is $bytes bytes', ({ value, bytes }) => {
    expect(parseSizeBudget(value, WHERE)).toBe(bytes);
  });

  it.each([
    { value: 'big', says: 'sizeBudget "big" is not a size' },
    { value: '-5MiB', says: 'sizeBudget "-5MiB" is negative' },
    { value: '-1', says: 'sizeBudget "-1" is negative' },
    { value: '0MiB', says: 'sizeBudget "0MiB" is zero' },
    { value: '0', says: 'sizeBudget "0" has no unit' },
    { value: '700', says: 'sizeBudget "700" has no unit' },
    { value: 700, says: 'sizeBudget 700 is not a size: it needs a unit' },
    { value: '700M', says: 'sizeBudget "700M" is not a size' },
    { value: '700 MiB extra', says: 'is not a size' },
    { value: '', says: 'sizeBudget "" is not a size' },
    { value: true, says: 'sizeBudget true is not a size' },
  ])('$value is refused: the file, the option, the value and the fix', ({ value, says }) => {
    let error: unknown;
    try {
      parseSizeBudget(value, WHERE);
    } catch (e) {
      error = e;
    }
    expect(isImageConfigError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message.startsWith(`${WHERE}: `), message).toBe(true);
    expect(message).toContain(says);
    expect(message).toContain('fix: write the largest compressed size the image may have as a number with a unit');
    expect(message).toContain('"sizeBudget": "700MiB"');
  });

  it.each([
    { bytes: 687_341_568, text: '655.5 MiB' },
    { bytes: 734_003_200, text: '700 MiB' },
    { bytes: 1536, text: '1.5 KiB' },
    { bytes: -18_140_000, text: '-17.3 MiB' },
    { bytes: 2 * 1024 ** 3, text: '2 GiB' },
  ])('$bytes bytes read $text', ({ bytes, text }) => {
    expect(formatSize(bytes)).toBe(text);
  });
});
