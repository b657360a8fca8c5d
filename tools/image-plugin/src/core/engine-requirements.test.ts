import { describe, expect, it } from 'vitest';
import { checkEngineFor, describeEngine } from './engine-requirements';
import { isImageError } from './errors';

const classic = { version: '26.1.5', platform: 'linux/amd64', containerdStore: false };
const containerd = { ...classic, containerdStore: true };
const two = ['linux/amd64', 'linux/arm64'];
const old = { ...classic, version: '20.10.24+dfsg1' };
const zstdLocal = { push: false, platforms: ['linux/amd64'], compression: 'zstd' as const };

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
    { name: 'zstd loaded by Docker 23', engine: { ...containerd, version: '23.0.0' }, settings: zstdLocal },
    { name: 'zstd pushed from Docker 20.10', engine: old, settings: { ...zstdLocal, push: true } },
    { name: 'gzip loaded by Docker 20.10', engine: old, settings: { ...zstdLocal, compression: 'gzip' as const } },
    { name: 'an engine version that is no number', engine: { ...old, version: 'dev' }, settings: zstdLocal },
  ])('fine: $name', ({ engine, settings }) => {
    expect(() => checkEngineFor(engine, settings)).not.toThrow();
  });

  it('zstd loaded into an engine before 23.0: one error naming the version and both fixes', () => {
    expect(() => checkEngineFor(old, zstdLocal)).toThrow(
      /loading zstd layers into the engine needs Docker Engine 23\.0 or newer, and this engine is 20\.10\.24/,
    );
    expect(() => checkEngineFor(old, zstdLocal)).toThrow(/--compression=gzip/);
  });
});

describe('describeEngine', () => {
  it('says what the builds run on', () => {
    expect(describeEngine(containerd)).toBe('engine 26.1.5 (linux/amd64, containerd image store)');
    expect(describeEngine(classic)).toContain('classic image store');
  });
});
