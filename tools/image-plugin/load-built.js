'use strict';
// Loads a module of the plugin's build (dist/, made by `npm run build`), or fails with the fix when the
// plugin was never built. A build older than src/ is refused by the built module itself (build-check).
const { existsSync } = require('node:fs');
const { join, relative } = require('node:path');

module.exports = function loadBuilt(entry) {
  const file = join(__dirname, 'dist', entry);
  if (!existsSync(file)) {
    const where = relative(process.cwd(), join(__dirname, 'dist')) || 'dist';
    const error = new Error(
      `${where}: the image plugin is not built (${entry} is missing)\n  fix: run \`npm run build\` in the workspace root (npm ci runs it too), then run again`,
    );
    error.stack = error.message;
    throw error;
  }
  return require(file);
};
