// Run as `node --expose-gc attestation-stream-heap.ts COUNT` (test/memory.test.ts): reads a signed
// bundle's attestation of COUNT entries the way verify and unpack do (the sidecar's bytes to a
// bundle, the statement, its provenance and entry list against an archive of those COUNT files)
// and prints, as JSON:
// - `perEntry`: the JS heap and ArrayBuffer bytes kept per entry, besides the payload itself,
//   measured between two full collections;
// - `largestParse`: the longest text given to JSON.parse on the way: what is built at once.
// Structures, not times.

import { createHash } from 'node:crypto';
import { Archive, bufferSource } from '../../lib/index.ts';
import { buildStatement } from '../../lib/attest/statement.ts';
import { attestedProvenance, checkEntryList, readAttestation, type SignatureInputs } from '../../lib/sigstore/bundle-steps.ts';
import { parseBundleWithPayload } from '../../lib/sigstore/sidecar-payload.ts';
import { buildZip } from './zip-builder.ts';

const count = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const names = Array.from({ length: count }, (_, i) => `node_modules/pkg-${String(i % 100).padStart(3, '0')}/lib-${i % 7}/file-${i.toString(36)}.js`);
const archive = await Archive.open(bufferSource(buildZip(names.map((name) => ({ name, data: 'x' })))));
const entries = names.map((name) => ({ name, sha256: createHash('sha256').update(name).digest('hex') }));
const payload = Buffer.from(JSON.stringify(buildStatement({ fileName: 'big.mcpb', sha256: 'a'.repeat(64), entries, mcpsealVersion: '0.0.0' })));
const sidecar = Buffer.from(
  JSON.stringify(
    {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'aGludA==' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
      dsseEnvelope: { payload: payload.toString('base64'), payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'c2lnbmF0dXJl', keyid: '' }] },
    },
    null,
    2,
  ),
);
entries.length = 0;
names.length = 0;

let largestParse = 0;
const parse = JSON.parse.bind(JSON);
JSON.parse = (text: string, reviver?: Parameters<typeof JSON.parse>[1]): unknown => {
  largestParse = Math.max(largestParse, text.length);
  return parse(text, reviver);
};

const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
gc();
gc();
const before = used();
const bundle = parseBundleWithPayload(sidecar);
if (bundle === null || bundle.content.$case !== 'dsseEnvelope' || !bundle.content.dsseEnvelope.payload.equals(payload)) throw new Error('the payload was not decoded from the bytes');
const inputs = { bundle } as unknown as SignatureInputs;
const attestation = readAttestation(inputs, archive);
const { listed } = attestedProvenance(attestation, archive);
checkEntryList(archive, listed);
gc();
gc();
const kept = used() - before - payload.length;
if (listed?.count !== count) throw new Error('entries missing');
process.stdout.write(JSON.stringify({ perEntry: kept / count, largestParse }));
