#!/usr/bin/env node
// The image plugin's commands (plan, publish, merge, release). In this repository the TypeScript sources
// run through @swc-node/register (no build step); the installed package has only the built dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '../src/cli.ts');
if (existsSync(source)) {
  require('@swc-node/register');
  require(source);
} else {
  require('../dist/cli.js');
}
