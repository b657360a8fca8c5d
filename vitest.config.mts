import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The test environment's mirror serves its own debian:trixie-slim: its digest replaces the Dockerfiles' pin
// (tools/test-env/setup.sh writes it; tools/scripts/test.sh exports it too), also for a run by hand.
const basePins = `${process.env.TEST_ENV_HOME ?? '/var/cache/image-orchestrator-test-env'}/base-pins.json`;
if (!process.env.IMAGE_BASE_PINS && existsSync(basePins)) process.env.IMAGE_BASE_PINS = basePins;

export default defineConfig({
  test: {
    include: ['tools/**/*.test.ts'],
    // The image plugin runs from its build (dist/): build it first when it is missing or older than src/.
    globalSetup: ['tools/image-plugin/test/build-before-tests.ts'],
    // Engine tests share one Docker engine and registry: run files one after another.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default'],
  },
});
