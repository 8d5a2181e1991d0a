'use strict';
// Phase one of the zip reader alone: end records, zip64 records, signature-block framing, every
// central-directory record and the rules over the whole name set (Archive.open), without the scan.
// An archive it accepts must also be consistent with what it promises: every name passes the name
// rules once more and is unique, sizes are within the limits, every local header and the central
// directory lie where the layout says, before the end records.
const { makeTarget, importDist } = require('../instrument.cjs');

const LIMITS = { maxEntries: 1000, maxCentralDirectorySize: 1024 * 1024, maxEntrySize: 16 * 1024 * 1024, maxTotalSize: 64 * 1024 * 1024 };
const LOCAL_HEADER_SIZE = 30;

function assertConsistent(archive, opened) {
  const { layout, entries } = opened;
  const broken = (why) => {
    throw new Error(`Archive.open accepted an inconsistent archive: ${why}`);
  };
  if (entries.length > LIMITS.maxEntries) broken(`${entries.length} entries`);
  if (opened.totalSize > LIMITS.maxTotalSize) broken(`total size ${opened.totalSize}`);
  const end = layout.zip64EndOffset ?? layout.eocdOffset;
  if (layout.centralDirectoryOffset + layout.centralDirectorySize !== end) broken('the central directory does not end at the end records');
  if (layout.eocdOffset + 22 > layout.size) broken('the end record runs past the file');
  const names = new Set();
  for (const entry of entries) {
    if (names.has(entry.name)) broken(`"${entry.name}" twice`);
    names.add(entry.name);
    if (archive.validateEntryName(entry.name, { maxPathLength: 1024, maxPathDepth: 64 }) !== null) broken(`invalid name ${JSON.stringify(entry.name)}`);
    if (entry.size > LIMITS.maxEntrySize || entry.size < 0 || entry.compressedSize < 0) broken(`sizes of "${entry.name}"`);
    if (entry.localHeaderOffset + LOCAL_HEADER_SIZE + entry.rawName.length + entry.compressedSize > layout.centralDirectoryOffset) broken(`"${entry.name}" reaches into the central directory`);
    if (opened.entry(entry.name) !== entry) broken(`lookup of "${entry.name}"`);
  }
}

module.exports = makeTarget(
  () => importDist({ archive: 'archive/index.js' }),
  async ({ archive }, buf) => {
    const opened = await archive.Archive.open(archive.bufferSource(buf), { limits: LIMITS });
    assertConsistent(archive, opened);
  },
  { name: 'central-directory', instrument: ['archive/'] },
);
