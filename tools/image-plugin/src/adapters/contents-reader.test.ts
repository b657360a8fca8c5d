import { describe, expect, it } from 'vitest';
import { allInOrder } from './contents-reader';

const after = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('allInOrder', () => {
  it('every value, in the given order', async () => {
    expect(await allInOrder([after(20, 'a'), after(1, 'b')])).toEqual(['a', 'b']);
  });

  it('the first failure in the given order, not the first to happen (a release body stays the same)', async () => {
    await expect(allInOrder([after(30, 'first', true), after(1, 'second', true), after(1, 'ok')])).rejects.toThrow(
      'first',
    );
  });
});
