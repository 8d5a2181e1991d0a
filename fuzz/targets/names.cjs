'use strict';
// The entry-name rules directly (validateEntryName, collisionKey, the name-set index). The input is
// up to 16 names separated by NUL (a NUL can never be in a valid name), each decoded as UTF-8 (or
// Latin-1 when it is not UTF-8). Besides "only MCPSealError escapes", every name the validator
// accepts must be a canonical relative path that stays inside the extraction directory: a name
// that breaks this is a finding even though nothing threw.
const path = require('node:path');
const { makeTarget, importDist } = require('../instrument.cjs');

const LIMITS = { maxPathLength: 256, maxPathDepth: 16, maxEntries: 64 };
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes) {
  try {
    return UTF8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** What an accepted name must be, whatever the rule set grows into. */
function assertSafe(name) {
  const bare = name.endsWith('/') ? name.slice(0, -1) : name;
  const segments = bare.split('/');
  const broken =
    bare.length === 0 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..') ||
    path.posix.normalize(bare) !== bare ||
    !path.posix.resolve('/x/root', bare).startsWith('/x/root/') ||
    Buffer.byteLength(name) > 4 * LIMITS.maxPathLength ||
    segments.length > LIMITS.maxPathDepth;
  if (broken) throw new Error(`validateEntryName accepted an unsafe name ${JSON.stringify(name)}`);
}

module.exports = makeTarget(
  () => importDist({ names: 'archive/names.js', index: 'archive/name-index.js' }),
  ({ names, index }, buf) => {
    const set = new index.EntryNameIndex(LIMITS);
    let start = 0;
    for (let n = 0; n < 16 && start <= buf.length; n++) {
      let end = buf.indexOf(0, start);
      if (end < 0) end = buf.length;
      const name = decode(buf.subarray(start, end));
      start = end + 1;
      const problem = names.validateEntryName(name, LIMITS);
      if (problem !== null) {
        if (typeof problem.code !== 'string' || !problem.code.startsWith('ARCHIVE_')) throw new Error(`a name problem without an ARCHIVE_ code: ${JSON.stringify(problem)}`);
        continue;
      }
      assertSafe(name);
      names.collisionKey(name);
      names.printable(name);
      set.add(name);
    }
  },
  { name: 'names', instrument: ['archive/names', 'archive/name-index'], maxInput: 4096 },
);
