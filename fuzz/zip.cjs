'use strict';
// A minimal, deterministic zip writer for the fuzz targets that fuzz one part of an archive and
// need the rest valid (APPNOTE 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central header,
// 4.3.16 end record). CommonJS so the jsfuzz worker loads it without the ES-module hook.
const { crc32 } = require('node:zlib');

const DOS_DATE = (1 << 5) | 1; // 1980-01-01
const FLAG_DESCRIPTOR = 0x08;

/**
 * entries: { name, method (0 stored, 8 deflate), data (the bytes stored, compressed or not),
 * crc, size, descriptor (bool) }. Returns the archive bytes, comment length `commentLength`.
 */
function zip(entries, commentLength = 0) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.descriptor ? FLAG_DESCRIPTOR : 0) | 0x800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const parts = [local, name, e.data];
    if (e.descriptor) {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(e.crc >>> 0, 4);
      d.writeUInt32LE(e.data.length, 8);
      d.writeUInt32LE(e.size >>> 0, 12);
      parts.push(d);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    const mode = e.name.endsWith('/') ? 0o40755 : 0o100644;
    central.writeUInt32LE(((mode << 16) | (e.name.endsWith('/') ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    const local_ = Buffer.concat(parts);
    locals.push(local_);
    offset += local_.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentLength, 20);
  return Buffer.concat([...locals, cd, end]);
}

/** A stored entry holding `text`. */
function stored(name, text) {
  const data = Buffer.from(text, 'utf8');
  return { name, method: 0, data, crc: crc32(data), size: data.length, descriptor: false };
}

/** The one small bundle the legacy target appends blocks to (and make-seeds signs). */
function fixedBundle(commentLength = 0) {
  return zip([stored('manifest.json', '{"manifest_version":"0.3","name":"fuzz","version":"1.0.0"}\n'), stored('server/index.js', 'console.log(1);\n')], commentLength);
}

module.exports = { zip, stored, fixedBundle };
