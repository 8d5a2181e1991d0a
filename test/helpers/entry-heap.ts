// Run as `node --expose-gc entry-heap.ts COUNT DIR` (test/memory.test.ts): prints, as JSON, the JS
// heap kept per entry by an open archive of COUNT entries and per file by the listing of a tree of
// COUNT files written under DIR, each measured between two full collections. What the test bounds
// is a structure (bytes of heap per entry), not a time.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Archive, bufferSource, collectSourceFiles } from '../../lib/index.ts';
import { buildZip } from './zip-builder.ts';

const count = Number(process.argv[2]);
const dir = process.argv[3]!;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** Names shaped like a node_modules tree: 100 packages, a few directories each. */
const names = Array.from({ length: count }, (_, i) => `node_modules/pkg-${String(i % 100).padStart(3, '0')}/lib-${i % 7}/file-${i.toString(36)}.js`);

function retainedPerItem<T>(make: () => Promise<T>): Promise<{ perItem: number; value: T }> {
  return (async () => {
    gc!();
    gc!();
    const before = process.memoryUsage().heapUsed;
    const value = await make();
    gc!();
    gc!();
    return { perItem: (process.memoryUsage().heapUsed - before) / count, value };
  })();
}

const zip = buildZip([{ name: 'manifest.json', data: '{}' }, ...names.map((name) => ({ name, data: 'x' }))].slice(0, count));
const opened = await retainedPerItem(() => Archive.open(bufferSource(zip)));
if (opened.value.entries.length !== count) throw new Error('entries missing');

for (const name of names.slice(0, count)) {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), 'x');
}
const listed = await retainedPerItem(() => collectSourceFiles(dir));
if (listed.value.files.length !== count) throw new Error('files missing');
process.stdout.write(JSON.stringify({ archivePerEntry: opened.perItem, listingPerFile: listed.perItem }));
