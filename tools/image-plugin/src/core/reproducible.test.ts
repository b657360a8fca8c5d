import { describe, expect, it } from 'vitest';
import { builderDriver, createdLabel, rewritesTimestamps, timestampNote } from './reproducible';

describe('reproducible builds: the builder decides whether pushed timestamps are rewritten', () => {
  it.each([
    ['Name:          default\nDriver:        docker\nLast Activity: x\n', 'docker'],
    ['Name: ci\nDriver: docker-container\n\nNodes:\nName: ci0\n', 'docker-container'],
    ['Name: k\nDriver:   kubernetes  \n', 'kubernetes'],
    ['ERROR: no builder "x" found\n', null],
    ['Driver:\n', null],
  ])('builderDriver(%j) = %s', (output, driver) => expect(builderDriver(output)).toBe(driver));

  it.each([
    ['docker', false],
    ['docker-container', true],
    ['kubernetes', true],
    ['remote', true],
    [null, false],
  ])('driver %s rewrites timestamps: %s', (driver, rewrites) => expect(rewritesTimestamps(driver)).toBe(rewrites));

  it.each([
    { builder: undefined, driver: 'docker', says: ['the default builder uses the docker driver', 'docker-container'] },
    { builder: 'ci', driver: null, says: ['driver of ci is unknown'] },
  ])('the note for $builder on $driver says why and the fix', ({ builder, driver, says }) => {
    const note = timestampNote(builder, driver);
    for (const s of says) expect(note).toContain(s);
    expect(note).toMatch(/^timestamps are not rewritten: /);
  });

  it('no note where the builder rewrites', () => expect(timestampNote('ci', 'docker-container')).toBeNull());

  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [1700000000, '2023-11-14T22:13:20.000Z'],
  ])('createdLabel(%d) = %s', (epoch, label) => expect(createdLabel(epoch)).toBe(label));
});
