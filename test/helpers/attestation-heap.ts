// Run as `node --expose-gc attestation-heap.ts COUNT` (test/memory.test.ts): prints, as JSON, the
// JS heap kept per attested entry by what a signed unpack holds through its pass: the provenance
// view of an mcpseal statement listing COUNT entries (names shaped like a node_modules tree, each
// with a sha256), parsed from the payload bytes, the statement's own tree dropped. Measured
// between two full collections: a structure, not a time.

import { createHash } from 'node:crypto';
import { buildStatement, parseStatement, provenanceView } from '../../lib/attest/statement.ts';

const count = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const entries = Array.from({ length: count }, (_, i) => ({
  name: `node_modules/pkg-${String(i % 100).padStart(3, '0')}/lib-${i % 7}/file-${i.toString(36)}.js`,
  sha256: createHash('sha256').update(String(i)).digest('hex'),
}));
const payload = Buffer.from(JSON.stringify(buildStatement({ fileName: 'big.mcpb', sha256: 'a'.repeat(64), entries, mcpsealVersion: '0.0.0' })));
entries.length = 0;

gc();
gc();
const before = process.memoryUsage().heapUsed;
const provenance = provenanceView(parseStatement(payload));
gc();
gc();
const kept = process.memoryUsage().heapUsed - before;
if (Object.keys(provenance.entries ?? {}).length !== count) throw new Error('entries missing');
process.stdout.write(JSON.stringify({ perEntry: kept / count }));
