'use strict';
// The Nx plugin (nx.json loads this file): the JavaScript built ahead of time into dist/ by `npm run build`.
module.exports = require('./load-built.js')('plugin.js');
