'use strict';
// An install policy file (lib/policy): JSON, schema, patterns. Key files it names are refused.
const { makeTarget, importDist } = require('../instrument.cjs');

module.exports = makeTarget(
  () => importDist({ policy: 'policy/load.js' }),
  async ({ policy }, buf) => {
    await policy.parsePolicy(buf, { path: 'fuzz-policy.json' });
  },
  { name: 'policy', instrument: ['policy/'] },
);
