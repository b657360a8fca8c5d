#!/usr/bin/env node
// The image plugin's commands (plan, publish, merge, release): the JavaScript built into dist/ by `npm run build`.
require('../load-built.js')('cli.js');
