'use strict';
// A self-check of the failure bars of fuzz/instrument.cjs (not fuzzed; test/fuzz-smoke.test.ts
// replays it): `SLOW` spins 1.2 s, `HOLD` keeps 80 MiB past the input, `TYPE` throws a
// TypeError, `CODE` throws an MCPSealError (a refusal, not a finding); anything else returns.
const { makeTarget, importDist } = require('../instrument.cjs');

const held = [];

module.exports = makeTarget(
  () => importDist({}),
  ({ errors }, buf) => {
    const word = buf.toString('latin1', 0, 4);
    if (word === 'SLOW') for (const end = performance.now() + 1200; performance.now() < end; );
    if (word === 'HOLD') held.push(Buffer.alloc(80 * 1024 * 1024, 1));
    if (word === 'TYPE') throw new TypeError('not a coded error');
    if (word === 'CODE') throw new errors.MCPSealError('ARCHIVE_NO_EOCD', 'a refusal');
  },
  { name: 'bars', instrument: [] },
);
