'use strict';
// manifest.json: parseManifest (UTF-8, JSON, depth, duplicate keys), then the hardened profile.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ load: 'manifest/load.js', validate: 'scopes/validate.js' }),
  ({ load, validate }, buf) => {
    const manifest = load.parseManifest(buf);
    validate.validateManifest(manifest, { profile: 'hardened' });
  },
  { name: 'manifest', instrument: ['manifest/', '!manifest/generated', 'scopes/'] },
);
