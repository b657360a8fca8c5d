import { coerce } from 'semver';
import type { BuildSettings } from './build-options';
import { EngineError } from './errors';

/** What the preflight learnt about the engine (see adapters/engine.ts). */
export interface EngineFacts {
  version: string;
  /** `linux/amd64` on an x86-64 engine. */
  platform: string;
  containerdStore: boolean;
}

/** One line for the log: what the builds run on. */
export function describeEngine(engine: EngineFacts): string {
  const store = engine.containerdStore ? 'containerd image store' : 'classic image store';
  return `engine ${engine.version} (${engine.platform}, ${store})`;
}

/**
 * What these settings need from the engine that it lacks, as one clear error before anything runs.
 * Loading an image of several platforms into the engine (no push) needs the containerd image store:
 * the classic store holds one platform per tag, and buildx would fail only after the whole build.
 */
export function checkEngineFor(
  engine: EngineFacts,
  settings: Pick<BuildSettings, 'push' | 'platforms' | 'builder'> & Partial<Pick<BuildSettings, 'compression'>>,
): void {
  checkLoadsZstd(engine, settings);
  if (!settings.push && !settings.builder && settings.platforms.length > 1 && !engine.containerdStore) {
    throw new EngineError(
      `loading ${settings.platforms.join(', ')} into the engine needs the containerd image store, and this engine (${engine.version}) uses the classic one`,
      'enable it ("features": {"containerd-snapshotter": true} in /etc/docker/daemon.json, then restart Docker), or pass --push, or build one platform (--platforms=' +
        engine.platform +
        ')',
      'docker engine',
    );
  }
}

/** The first Docker Engine that loads and pulls zstd layers. */
const ZSTD_ENGINE_MAJOR = 23;

/**
 * A local zstd build (no push) loads zstd layers into the engine (core/build-invocation.ts), which an engine
 * before 23.0 refuses only after the whole build; an engine version that is not a number is let through.
 */
function checkLoadsZstd(
  engine: EngineFacts,
  settings: Pick<BuildSettings, 'push'> & Partial<Pick<BuildSettings, 'compression'>>,
): void {
  const version = coerce(engine.version);
  if (settings.push || settings.compression !== 'zstd' || !version || version.major >= ZSTD_ENGINE_MAJOR) return;
  throw new EngineError(
    `loading zstd layers into the engine needs Docker Engine ${ZSTD_ENGINE_MAJOR}.0 or newer, and this engine is ${engine.version}`,
    'upgrade Docker, or build locally with --compression=gzip (the pushed images can stay zstd)',
    'docker engine',
  );
}
