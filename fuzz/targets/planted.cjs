'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { instrumentOurModules } = require('../instrument.cjs');

instrumentOurModules();
let mod;
async function fuzz(buf) {
  mod ??= await import(pathToFileURL(path.join(__dirname, '..', 'planted.mjs')).href);
  mod.planted(buf);
}
module.exports = { fuzz };
