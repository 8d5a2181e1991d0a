// The attestation read in pieces (issue 14 item 1, flat memory): the DSSE payload decoded from the
// sidecar's bytes (lib/sigstore/sidecar-payload.ts) and the statement read with its entry list cut
// into slices (lib/attest/statement-stream.ts, lib/sigstore/listed-entries.ts) must mean exactly
// what the whole parse means, whatever the bytes: the same statement, provenance and entries, or
// the same error code and message at the same step. Each case below is run both ways and
// compared; the plain cases must also really take the pieced way (else nothing would be tested).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { Archive, bufferSource, MCPSealError } from '../lib/index.ts';
import {
  buildStatement,
  GITHUB_WORKFLOW_BUILD_TYPE,
  parseStatement,
  provenanceView,
  type ProvenanceView,
  type Statement,
} from '../lib/attest/statement.ts';
import { parseStreamedStatement } from '../lib/attest/statement-stream.ts';
import { attestedProvenance, checkEntryList, readAttestation, type SignatureInputs } from '../lib/sigstore/bundle-steps.ts';
import { parseBundleWithPayload } from '../lib/sigstore/sidecar-payload.ts';
import { parseSigstoreBundle } from '../lib/sigstore/verify.ts';
import { buildZip } from './helpers/zip-builder.ts';

/** 3,000 entries: about 400 KB of statement, so the entry list is read in several 64 KiB slices. */
const COUNT = 3000;
const NAMES = Array.from({ length: COUNT }, (_, i) => `node_modules/pkg-${String(i % 40).padStart(3, '0')}/lib/file-${i.toString(36)}.js`);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const ENTRIES = NAMES.map((name) => ({ name, sha256: sha(name) }));

let archive: Archive;

before(async () => {
  archive = await Archive.open(bufferSource(buildZip(NAMES.map((name) => ({ name, data: 'x' })))));
});

function statementOf(entries: { name: string; sha256: string }[] = ENTRIES): Statement {
  return buildStatement({ fileName: 'big.mcpb', sha256: 'a'.repeat(64), entries, source: { uri: 'git+https://github.com/o/r', commit: 'c'.repeat(40) }, mcpsealVersion: '0.0.0' });
}

const text = (statement: unknown): string => JSON.stringify(statement);
/** The compact text with one replacement (the statement as mcpseal writes it, then edited). */
const edited = (from: string, to: string, statement: unknown = statementOf()): string => {
  const whole = text(statement);
  assert.ok(whole.includes(from), `the statement holds ${from}`);
  return whole.replace(from, to);
};

type Outcome = { step: 'statement' | 'provenance'; code: string; message: string } | { subject: unknown; provenance: Omit<ProvenanceView, 'entries'>; entries: unknown; listed: unknown };

function failure(step: 'statement' | 'provenance', error: unknown): Outcome {
  if (!(error instanceof MCPSealError)) throw error;
  return { step, code: error.code, message: error.message };
}

/** What the archive's files and the other listed names get from a Record of entries (the whole parse). */
function listedFromRecord(entries: Record<string, string> | null): unknown {
  if (entries === null) return null;
  const files = new Set(NAMES);
  return { files: NAMES.map((name) => (Object.hasOwn(entries, name) ? entries[name] : undefined)), extra: Object.keys(entries).filter((name) => !files.has(name)).slice(0, 10), count: Object.keys(entries).length };
}

function wholeOutcome(payload: Buffer): Outcome {
  let statement: Statement;
  try {
    statement = parseStatement(payload);
  } catch (error) {
    return failure('statement', error);
  }
  try {
    const { entries, ...provenance } = provenanceView(statement);
    return { subject: statement.subject, provenance, entries, listed: listedFromRecord(entries) };
  } catch (error) {
    return failure('provenance', error);
  }
}

function inputsOf(payload: Buffer): SignatureInputs {
  return { bundle: { content: { $case: 'dsseEnvelope', dsseEnvelope: { payload, payloadType: 'application/vnd.in-toto+json', signatures: [] } } } } as unknown as SignatureInputs;
}

function streamedOutcome(payload: Buffer): Outcome {
  let attestation: ReturnType<typeof readAttestation>;
  try {
    attestation = readAttestation(inputsOf(payload), archive);
  } catch (error) {
    return failure('statement', error);
  }
  let read: ReturnType<typeof attestedProvenance>;
  try {
    read = attestedProvenance(attestation, archive);
  } catch (error) {
    return failure('provenance', error);
  }
  // The entries a result reports are parsed again from the payload when read: outside the try,
  // so that they cannot stand in for an error the checks above missed.
  const { provenance, listed } = read;
  const { buildType, builderId, source, workflow } = provenance;
  const summary = listed === null ? null : { files: NAMES.map((name) => listed.digestOf(name)), extra: listed.extra(10), count: listed.count };
  return { subject: attestation.statement.subject, provenance: { buildType, builderId, source, workflow }, entries: provenance.entries, listed: summary };
}

/** Whether the pieced reading applies to the payload (rather than the whole parse deciding). */
function pieced(payload: Buffer): boolean {
  return parseStreamedStatement(payload, { source: null, entry: () => {} }) !== null;
}

const NAME_0 = NAMES[0]!;
const NAME_9 = NAMES[9]!;
const DIGEST_9 = sha(NAME_9);
const tricky = ENTRIES.map((entry, i) => (i % 500 === 7 ? { name: `odd/${'},{"name":"x","digest":{"sha256":"y"}},{'.repeat(i % 3 === 0 ? 1 : 2)}],[é😀\\"${i}`, sha256: entry.sha256 } : entry));

const STATEMENT_CASES: { name: string; payload: () => string | Buffer; pieced?: boolean }[] = [
  { name: 'the statement as mcpseal writes it', payload: () => text(statementOf()), pieced: true },
  { name: 'names holding `},{"name":`, brackets, quotes, backslashes and non-ASCII (splits inside strings)', payload: () => text(statementOf(tricky)), pieced: true },
  { name: 'every name holding `,{` once (a split that misses moves to the next)', payload: () => text(statementOf(ENTRIES.map((entry) => ({ ...entry, name: `${entry.name},{` })))), pieced: true },
  { name: 'every name holding `,{` 20 times (misses spend the budget, then the whole parse decides)', payload: () => text(statementOf(ENTRIES.map((entry) => ({ ...entry, name: `${entry.name}${',{'.repeat(20)}` })))), pieced: false },
  { name: 'an upper-case digest (lowered), a short one and one that is not hex', payload: () => edited(DIGEST_9, DIGEST_9.toUpperCase(), statementOf(ENTRIES.map((e, i) => (i === 20 ? { ...e, sha256: 'zz' } : i === 21 ? { ...e, sha256: 'abc' } : e)))), pieced: true },
  { name: 'a name listed twice', payload: () => text(statementOf([...ENTRIES, ENTRIES[1234]!])) },
  { name: 'a name that is no archive file, listed twice', payload: () => text(statementOf([...ENTRIES, { name: 'ghost', sha256: 'f'.repeat(64) }, { name: 'ghost', sha256: 'e'.repeat(64) }])) },
  { name: 'a name that is no archive file, and a file not listed', payload: () => text(statementOf([...ENTRIES.slice(1), { name: 'ghost', sha256: 'f'.repeat(64) }])), pieced: true },
  { name: 'an item without a digest in the middle', payload: () => edited(`{"name":"${NAME_9}","digest":{"sha256":"${DIGEST_9}"}}`, `{"name":"${NAME_9}"}`) },
  { name: 'an item without a digest and a predicate type that is not SLSA (the type is reported)', payload: () => edited('"predicateType":"https://slsa.dev/provenance/v1"', '"predicateType":"https://example.com/other"', JSON.parse(edited(`{"name":"${NAME_9}","digest":{"sha256":"${DIGEST_9}"}}`, '7')) as unknown) },
  { name: 'items that are numbers, literals and arrays', payload: () => edited('"resolvedDependencies":[', '"resolvedDependencies":[1,true,null,["a"],') },
  { name: 'resolvedDependencies given again later as a string (the last key wins)', payload: () => edited('"runDetails":', '"x":1},"runDetails":').replace('"x":1}', '"resolvedDependencies":"none"}') },
  { name: 'resolvedDependencies given again later as another array', payload: () => edited('},"runDetails":', `,"resolvedDependencies":[{"name":"${NAME_0}","digest":{"sha256":"${'b'.repeat(64)}"}}]},"runDetails":`) },
  { name: 'a key "resolvedDependencies" earlier, in another object', payload: () => edited('"externalParameters":{', '"externalParameters":{"resolvedDependencies":[{"name":"x"}],') },
  { name: 'the key inside a string value', payload: () => edited('"bundle":"big.mcpb"', '"bundle":"\\"resolvedDependencies\\":[1,2]"') },
  { name: 'a trailing comma in the list', payload: () => edited('}}]},"runDetails"', '}},]},"runDetails"') },
  { name: 'a leading comma in the list', payload: () => edited('"resolvedDependencies":[', '"resolvedDependencies":[,') },
  { name: 'two commas between items', payload: () => edited(`}},{"name":"${NAME_9}"`, `}},,{"name":"${NAME_9}"`) },
  { name: 'no comma between items', payload: () => edited(`}},{"name":"${NAME_9}"`, `}}{"name":"${NAME_9}"`) },
  { name: 'a bad escape inside a name', payload: () => edited(NAME_9, `${NAME_9}\\q`) },
  { name: 'a raw control character inside a name', payload: () => edited(NAME_9, `${NAME_9}\u0001`) },
  { name: 'an unterminated list', payload: () => text(statementOf()).replace(/\]\},"runDetails".*$/u, '') },
  { name: 'an empty list', payload: () => text(statementOf([])), pieced: true },
  { name: 'an empty list with spaces', payload: () => text(statementOf([])).replace('"resolvedDependencies":[', '"resolvedDependencies": [ ') },
  { name: 'a byte order mark before the statement', payload: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(statementOf()))]), pieced: true },
  { name: 'a byte that is not UTF-8 inside a name', payload: () => Buffer.from(edited(NAME_9, `${NAME_9}\u00ff`), 'latin1') },
  { name: 'the statement indented (JSON.stringify with 2 spaces)', payload: () => JSON.stringify(statementOf(), null, 2) },
  { name: '__proto__ and constructor as names', payload: () => text(statementOf([...ENTRIES, { name: '__proto__', sha256: 'f'.repeat(64) }, { name: 'constructor', sha256: 'e'.repeat(64) }])) },
  {
    name: 'GitHub build provenance (no entry list kept, the source still read)',
    payload: () =>
      edited('"buildType":"https://mcpseal.dev/buildtypes/mcpb/v1","externalParameters":{', `"buildType":"${GITHUB_WORKFLOW_BUILD_TYPE}","externalParameters":{"workflow":{"repository":"https://github.com/o/r","path":".github/workflows/r.yml","ref":"refs/tags/v1"},`),
    pieced: true,
  },
];

describe('the statement read in slices means what the whole parse means (issue 14 item 1)', () => {
  for (const testCase of STATEMENT_CASES) {
    it(`${testCase.name}: the same statement, provenance and entries, or the same error at the same step`, () => {
      const raw = testCase.payload();
      const payload = typeof raw === 'string' ? Buffer.from(raw) : raw;
      assert.deepEqual(streamedOutcome(payload), wholeOutcome(payload));
      if (testCase.pieced !== undefined) assert.equal(pieced(payload), testCase.pieced, 'the entry list was read in slices, or not');
    });
  }

  it('the entry list check reports the same missing and extra names as before the slices', () => {
    const payload = Buffer.from(text(statementOf([...ENTRIES.slice(1), { name: 'ghost', sha256: 'f'.repeat(64) }])));
    const { listed } = attestedProvenance(readAttestation(inputsOf(payload), archive), archive);
    assert.throws(
      () => checkEntryList(archive, listed),
      (error: unknown) => {
        assert.ok(error instanceof MCPSealError);
        assert.equal(error.code, 'ATTESTATION_PREDICATE_MISMATCH');
        assert.deepEqual(error.details, { expected: COUNT, found: COUNT, missing: [NAME_0], extra: ['ghost'] });
        return true;
      },
    );
  });
});

/** A Sigstore bundle v0.3 (keyed) around `payload`, as JSON text. */
function sidecarText(payload: string, options: { indent?: number; edit?: (json: string) => string } = {}): string {
  const document = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'aGludA==' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
    dsseEnvelope: { payload, payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'c2lnbmF0dXJl', keyid: '' }] },
  };
  const json = JSON.stringify(document, null, options.indent);
  return options.edit ? options.edit(json) : json;
}

type BundleOutcome = { code: string; message: string } | { payloadSha256: string | null; rest: string };

/** A bundle, or its error; the payload by its digest (a failing comparison then prints a line, not megabytes). */
function bundleOutcome(parse: () => Bundle): BundleOutcome {
  try {
    const bundle = parse();
    const payload = bundle.content.$case === 'dsseEnvelope' ? createHash('sha256').update(bundle.content.dsseEnvelope.payload).digest('hex') : null;
    return { payloadSha256: payload, rest: JSON.stringify(bundle, (key, value: unknown) => (key === 'payload' ? undefined : value)) };
  } catch (error) {
    if (!(error instanceof MCPSealError)) throw error;
    return { code: error.code, message: error.message };
  }
}

const LARGE = Buffer.from(text(statementOf()));
const b64 = (bytes: Buffer): string => bytes.toString('base64');
/** 65,532 base64 characters: with "QQ==" after them, the padding ends the first 64 KiB piece. */
const FIRST_PIECE = b64(LARGE.subarray(0, 49149));

const SIDECAR_CASES: { name: string; text: () => string; pieced?: boolean }[] = [
  { name: 'a large payload, indented as mcpseal writes it', text: () => sidecarText(b64(LARGE), { indent: 2 }), pieced: true },
  { name: 'a large payload, compact', text: () => sidecarText(b64(LARGE)), pieced: true },
  { name: 'one and two padding characters', text: () => sidecarText(b64(LARGE.subarray(1))), pieced: true },
  { name: 'two padding characters', text: () => sidecarText(b64(LARGE.subarray(2))), pieced: true },
  { name: 'a payload without its padding', text: () => sidecarText(b64(LARGE.subarray(1)).replace(/=+$/u, '')) },
  { name: 'a payload in base64url', text: () => sidecarText(LARGE.toString('base64url')) },
  { name: 'non-zero bits in the padding', text: () => sidecarText('QR==') },
  { name: 'padding that ends the first piece, then more base64', text: () => sidecarText(`${FIRST_PIECE}QQ==${b64(LARGE)}`) },
  { name: 'escapes inside the base64 (\\u0041 and \\/)', text: () => sidecarText(b64(LARGE)).replace('"payload":"eyJ', '"payload":"\\u0065yJ').replace('+', '\\/') },
  { name: 'a raw newline inside the base64', text: () => sidecarText(b64(LARGE)).replace('"payload":"eyJ', '"payload":"ey\nJ') },
  { name: 'an empty payload', text: () => sidecarText('') },
  { name: 'a payload that is a number', text: () => sidecarText('x', { edit: (json) => json.replace('"payload":"x"', '"payload":12') }) },
  { name: 'the payload key twice (the last wins)', text: () => sidecarText(b64(LARGE), { edit: (json) => json.replace('"payloadType"', `"payload":"${b64(Buffer.from('{}'))}","payloadType"`) }) },
  { name: 'a payload key earlier, in another object', text: () => sidecarText(b64(LARGE), { edit: (json) => json.replace('"publicKey":{', `"publicKey":{"payload":"${b64(Buffer.from('x'))}",`) }) },
  { name: 'the key inside a string value', text: () => sidecarText(b64(LARGE), { edit: (json) => json.replace('"hint":"aGludA=="', '"hint":"\\"payload\\":\\"QQ==\\""') }) },
  { name: 'no mediaType the verifier knows', text: () => sidecarText(b64(LARGE)).replace('v0.3+json', 'v9+json') },
  { name: 'text after the document', text: () => `${sidecarText(b64(LARGE))} x` },
];

describe('the DSSE payload decoded from the sidecar bytes means what the whole parse means (issue 14 item 1)', () => {
  for (const testCase of SIDECAR_CASES) {
    it(`${testCase.name}: the same bundle, or the same error`, () => {
      const json = testCase.text();
      const bytes = Buffer.from(json);
      const whole = bundleOutcome(() => parseSigstoreBundle(json));
      const fast = parseBundleWithPayload(bytes);
      assert.deepEqual(bundleOutcome(() => fast ?? parseSigstoreBundle(bytes.toString('utf8'))), whole);
      if (testCase.pieced) assert.ok(fast !== null, 'the payload was decoded in pieces');
    });
  }
});
