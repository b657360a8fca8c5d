import { defineConfig } from 'vitest/config';

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
