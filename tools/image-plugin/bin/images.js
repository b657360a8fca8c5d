#!/usr/bin/env node
// The image plugin's commands (publish, merge, ...): TypeScript run through @swc-node/register, no build step.
require('@swc-node/register');
require('../src/cli.ts');
