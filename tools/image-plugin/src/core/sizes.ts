import bytes from 'bytes-iec';
import { ImageConfigError } from './errors';

/** The option that holds the largest compressed size an image may have. */
export const SIZE_BUDGET_OPTION = 'sizeBudget';

const UNIT = /^\s*\d+(\.\d+)?\s*(b|[kmgt]i?b)\s*$/i;

/**
 * A size budget as the user writes it (`700MiB`, `1.5 GiB`, `800MB`: binary units are powers of 1024,
 * metric ones of 1000) in bytes, or an ImageConfigError naming where it was set, the value and the fix.
 * A number without a unit is refused: `700` would be 700 bytes, which no one means.
 */
export function parseSizeBudget(value: unknown, where: string): number {
  const refuse = (why: string) =>
    new ImageConfigError(
      `${SIZE_BUDGET_OPTION} ${JSON.stringify(value)} ${why}`,
      `write the largest compressed size the image may have as a number with a unit, e.g. "${SIZE_BUDGET_OPTION}": "700MiB" (MiB, GiB: powers of 1024; MB, GB: powers of 1000), or leave the option out for no budget`,
      where,
    );
  if (typeof value !== 'string') throw refuse('is not a size: it needs a unit');
  if (/^\s*-/.test(value)) throw refuse('is negative');
  if (!UNIT.test(value)) {
    throw refuse(/^\s*\d+(\.\d+)?\s*$/.test(value) ? 'has no unit' : 'is not a size');
  }
  const parsed = bytes.parse(value.trim(), { mode: 'metric' });
  if (parsed === null || !Number.isFinite(parsed)) throw refuse('is not a size');
  if (parsed < 1) throw refuse('is zero: no image fits in it');
  return Math.floor(parsed);
}

/** `655.5 MiB`: sizes are shown in binary units with one decimal, as docs/benchmarks.md writes them. */
export function formatSize(n: number): string {
  return bytes.format(n, { mode: 'binary', decimalPlaces: 1, unitSeparator: ' ' }) ?? `${n} B`;
}
