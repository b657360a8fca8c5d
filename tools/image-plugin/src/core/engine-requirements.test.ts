import { describe, expect, it } from 'vitest';
import { checkEngineFor, describeEngine } from './engine-requirements';
import { isImageError } from './errors';

const classic = { version: '26.1.5', platform: 'linux/amd64', containerdStore: false };
const containerd = { ...classic, containerdStore: true };
const two = ['linux/amd64', 'linux/arm64'];

describe('checkEngineFor', () => {
  it('several platforms loaded into a classic image store: one error with the three fixes', () => {
    let error: unknown;
    try {
      checkEngineFor(classic, { push: false, platforms: two });
    } catch (e) {
      error = e;
    }
    expect(isImageError(error) && error.kind).toBe('engine');
    const message = (error as Error).message;
    expect(message).toContain('linux/amd64, linux/arm64 into the engine needs the containerd image store');
    expect(message).toContain('containerd-snapshotter');
    expect(message).toContain('--push');
    expect(message).toContain('--platforms=linux/amd64');
  });

  it.each([
    { name: 'containerd store', engine: containerd, settings: { push: false, platforms: two } },
    { name: 'pushing', engine: classic, settings: { push: true, platforms: two } },
    { name: 'one platform', engine: classic, settings: { push: false, platforms: ['linux/arm64'] } },
    {
      name: 'another builder (it loads through its own exporter)',
      engine: classic,
      settings: { push: false, platforms: two, builder: 'remote' },
    },
  ])('fine: $name', ({ engine, settings }) => {
    expect(() => checkEngineFor(engine, settings)).not.toThrow();
  });
});

describe('describeEngine', () => {
  it('says what the builds run on', () => {
    expect(describeEngine(containerd)).toBe('engine 26.1.5 (linux/amd64, containerd image store)');
    expect(describeEngine(classic)).toContain('classic image store');
  });
});
