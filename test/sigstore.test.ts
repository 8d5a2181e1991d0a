// Signing and verification of bundles, end to end and offline (DESIGN.md "Attestations",
// "Sigstore facts", pipeline steps 3-8): the real @sigstore/sign and @sigstore/verify against
// the loopback fakes (test/helpers/sigstore-fakes.ts), real keys, real child processes for the
// CLI. First the round trips (keyless GitHub Actions and keyed, through the library and the CLI),
// then the negative matrix: every way a bundle, its Sigstore sidecar, the trust material or the
// identity policy can be wrong, each case refused with exactly one code by the library and by
// the CLI (exit 1, or 2 where the program cannot do its job), and `unpack` leaving nothing behind.
//
// Bundles are signed once per shape in `before` and mutated in copies.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign as signData, verify as verifyData, type KeyObject } from 'node:crypto';
import { dsse as sigstoreDsse } from '@sigstore/core';
import { access, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  defaultLimits,
  MCPSealError,
  MCPSEAL_BUILD_TYPE,
  packBundle,
  signBundle,
  SLSA_PROVENANCE_V1,
  STATEMENT_TYPE_V1,
  unpackBundle,
  verifyBundle,
  type BuildContext,
  type ErrorCode,
  type IdentityPolicy,
  type SignResult,
  type Statement,
} from '../lib/index.ts';
import { jsonOf, pool, runCli, tempDir, type CliResult } from './helpers/cli.ts';
import { GITHUB_ACTIONS_ISSUER, githubActionsClaims, signDSSEWithFakes, startSigstoreFakes, type SigstoreFakes, type TrustedRootJSON } from './helpers/sigstore-fakes.ts';
import {
  addToUInt32,
  flipBase64,
  flipBit,
  GITHUB_SAN,
  githubActionsEnv,
  keylessArgs,
  keylessMethod,
  NO_CI_ENV,
  rejection,
  verifyArgs,
  verifyOptions,
  WORKFLOW,
  zipRegions,
  type VerifySpec,
  type ZipRegions,
} from './helpers/signing.ts';
import { assertSameTree, writeTree } from './helpers/tree.ts';
import { dsseSignatureContent } from '../lib/sigstore/dsse-content.ts';
import { signatureBlock } from './helpers/zip-builder.ts';

/** The files of the test bundle, besides manifest.json (which writeTree adds). */
const SOURCE = {
  'server/index.js': 'import { helper } from "./lib/helper.js";\nconsole.log(helper());\n',
  'server/lib/helper.js': 'export function helper() { return "hello from the bundle"; }\n',
  'README.md': `# tree-test\n\n${'A bundle for the signing tests. '.repeat(20)}\n`,
};

/** The policy a GitHub Actions installer would write: the exact workflow identity and issuer. */
const GITHUB_POLICY: IdentityPolicy = { certIdentity: GITHUB_SAN, certOidcIssuer: GITHUB_ACTIONS_ISSUER };

/** What GitHub Actions tells `sign` about the run (the library form of `githubActionsEnv()`). */
const GITHUB_BUILD: BuildContext = {
  source: { uri: `git+https://github.com/${WORKFLOW.repository}@${WORKFLOW.ref}`, commit: WORKFLOW.sha },
  workflow: { repository: `https://github.com/${WORKFLOW.repository}`, path: WORKFLOW.path, ref: WORKFLOW.ref },
  builderId: GITHUB_SAN,
  invocationId: `https://github.com/${WORKFLOW.repository}/actions/runs/${WORKFLOW.runId}/attempts/1`,
};

/** The parts of a Sigstore bundle v0.3 (JSON) the mutations below touch. */
interface SidecarJSON {
  mediaType?: string;
  verificationMaterial: {
    certificate?: { rawBytes: string };
    publicKey?: { hint: string };
    tlogEntries: {
      logIndex: string;
      integratedTime: string;
      canonicalizedBody: string;
      inclusionPromise?: { signedEntryTimestamp: string };
      inclusionProof?: { logIndex: string; checkpoint: { envelope: string } };
    }[];
    timestampVerificationData?: { rfc3161Timestamps: { signedTimestamp: string }[] };
  };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid: string }[] };
}

/** Everything signed once in `before` and shared by the tests. */
interface World {
  fakes: SigstoreFakes;
  dir: string;
  /** The source tree every bundle below was packed from. */
  src: string;
  /** Keyless, GitHub Actions identity, with the workflow in the predicate (signBundle). */
  gh: { file: string; sidecar: string; signed: SignResult; json: SidecarJSON; sha256: string };
  /** The same bytes signed with a local key. */
  keyed: { file: string; sidecar: string; json: SidecarJSON; publicKey: string; hint: string; otherPublicKey: string };
  /** The same bytes signed keyless from a self-hosted runner. */
  selfHosted: { file: string; sidecar: string; json: SidecarJSON };
  /** Another bundle (other content), unsigned. */
  other: string;
  /** Sigstore bundles for gh.mcpb over statements built here, signed by the fakes (by name). */
  statements: Record<StatementShape, string>;
  roots: { caEnded: string; caNoStart: string; tlogNoStart: string };
}

type StatementShape =
  | 'payload-type-json'
  | 'statement-v0.1'
  | 'predicate-extra-entry'
  | 'predicate-missing-entry'
  | 'predicate-wrong-entry-digest'
  | 'github-build-provenance';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function prepareWorld(): Promise<{ world: World; cleanup: () => Promise<void> }> {
  const fakes = await startSigstoreFakes();
  const tmp = await tempDir('mcpseal-sigstore-');
  try {
    const dir = tmp.path;
    const src = join(dir, 'src');
    await writeTree(src, SOURCE);
    const file = join(dir, 'gh.mcpb');
    await packBundle(src, file);
    const otherSrc = join(dir, 'other-src');
    await writeTree(otherSrc, { ...SOURCE, 'server/index.js': 'console.log("another bundle");\n' });
    const other = join(dir, 'other.mcpb');
    await packBundle(otherSrc, other);
    const keyedFile = join(dir, 'keyed.mcpb');
    const selfHostedFile = join(dir, 'self-hosted.mcpb');
    await Promise.all([copyFile(file, keyedFile), copyFile(file, selfHostedFile)]);
    const key = await generateKeyPair(join(dir, 'publisher.key'), join(dir, 'publisher.pub'));
    const otherKey = await generateKeyPair(join(dir, 'other.key'), join(dir, 'other.pub'));

    const [signed] = await Promise.all([
      signBundle(file, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims())), build: GITHUB_BUILD }),
      signBundle(keyedFile, { method: { kind: 'key', privateKeyPem: await readFile(key.privateKey, 'utf8') } }),
      signBundle(selfHostedFile, { method: keylessMethod(fakes, fakes.identityToken(githubActionsClaims({ runnerEnvironment: 'self-hosted' }))) }),
    ]);
    const readJSON = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as SidecarJSON;

    // Statements signed directly with the fakes' DSSE signer (an outside oracle, not mcpseal's
    // signing code), each with one deliberate difference from what `sign` writes.
    const token = fakes.identityToken(githubActionsClaims());
    const fileSha = sha256(await readFile(file));
    const base = signed.statement;
    const withDependencies = (edit: (deps: { name?: string; uri?: string; digest: Record<string, string> }[]) => void): Statement => {
      const statement = structuredClone(base);
      const definition = statement.predicate!['buildDefinition'] as { resolvedDependencies: { name?: string; digest: Record<string, string> }[] };
      edit(definition.resolvedDependencies);
      return statement;
    };
    const shapes: Record<StatementShape, { statement: unknown; payloadType?: string }> = {
      // A perfectly good statement, but the envelope says it is plain JSON, not in-toto.
      'payload-type-json': { statement: base, payloadType: 'application/json' },
      // The pre-v1 in-toto statement type.
      'statement-v0.1': { statement: { ...base, _type: 'https://in-toto.io/Statement/v0.1' } },
      'predicate-extra-entry': {
        statement: withDependencies((deps) => deps.push({ name: 'server/backdoor.js', digest: { sha256: 'e'.repeat(64) } })),
      },
      'predicate-missing-entry': { statement: withDependencies((deps) => deps.splice(deps.findIndex((d) => d.name === 'README.md'), 1)) },
      'predicate-wrong-entry-digest': {
        statement: withDependencies((deps) => {
          const entry = deps.find((d) => d.name === 'server/lib/helper.js')!;
          entry.digest = { sha256: 'f'.repeat(64) };
        }),
      },
      // What actions/attest-build-provenance writes: SLSA v1 with GitHub's own build type.
      'github-build-provenance': {
        statement: {
          _type: STATEMENT_TYPE_V1,
          subject: [{ name: 'gh.mcpb', digest: { sha256: fileSha } }],
          predicateType: SLSA_PROVENANCE_V1,
          predicate: {
            buildDefinition: {
              buildType: 'https://actions.github.io/buildtypes/workflow/v1',
              externalParameters: { workflow: { ref: WORKFLOW.ref, repository: `https://github.com/${WORKFLOW.repository}`, path: WORKFLOW.path } },
              internalParameters: { github: { event_name: 'push', repository_id: '123456789', repository_owner_id: '987654321', runner_environment: 'github-hosted' } },
              resolvedDependencies: [{ uri: `git+https://github.com/${WORKFLOW.repository}@${WORKFLOW.ref}`, digest: { gitCommit: WORKFLOW.sha } }],
            },
            runDetails: {
              builder: { id: `https://github.com/actions/runner/github-hosted` },
              metadata: { invocationId: `https://github.com/${WORKFLOW.repository}/actions/runs/${WORKFLOW.runId}/attempts/1` },
            },
          },
        },
      },
    };
    await mkdir(join(dir, 'statements'));
    const statements = Object.fromEntries(
      await Promise.all(
        Object.entries(shapes).map(async ([name, shape]) => {
          const bundle = await signDSSEWithFakes(fakes, {
            payload: Buffer.from(JSON.stringify(shape.statement)),
            token,
            ...(shape.payloadType ? { payloadType: shape.payloadType } : {}),
          });
          const path = join(dir, 'statements', `${name}.sigstore.json`);
          await writeFile(path, JSON.stringify(bundle));
          return [name, path];
        }),
      ),
    ) as Record<StatementShape, string>;

    // Trusted roots with one thing wrong each.
    const writeRoot = async (name: string, edit: (root: TrustedRootJSON) => void): Promise<string> => {
      const root = structuredClone(fakes.trustedRoot);
      edit(root);
      const path = join(dir, `${name}.trusted_root.json`);
      await writeFile(path, JSON.stringify(root));
      return path;
    };
    const roots = {
      // The Fulcio CA's validity ends a second before the signing time.
      caEnded: await writeRoot('ca-ended', (root) => {
        const ca = root.certificateAuthorities[0]!;
        ca.validFor = { ...ca.validFor, end: new Date(fakes.clock.getTime() - 1000).toISOString() };
      }),
      caNoStart: await writeRoot('ca-no-start', (root) => {
        delete root.certificateAuthorities[0]!.validFor!.start;
      }),
      tlogNoStart: await writeRoot('tlog-no-start', (root) => {
        delete root.tlogs[0]!.publicKey!.validFor!.start;
      }),
    };

    const world: World = {
      fakes,
      dir,
      src,
      gh: { file, sidecar: signed.sigstoreBundle, signed, json: await readJSON(signed.sigstoreBundle), sha256: fileSha },
      keyed: {
        file: keyedFile,
        sidecar: `${keyedFile}.sigstore.json`,
        json: await readJSON(`${keyedFile}.sigstore.json`),
        publicKey: key.publicKey,
        hint: key.hint,
        otherPublicKey: otherKey.publicKey,
      },
      selfHosted: { file: selfHostedFile, sidecar: `${selfHostedFile}.sigstore.json`, json: await readJSON(`${selfHostedFile}.sigstore.json`) },
      other,
      statements,
      roots,
    };
    const cleanup = async (): Promise<void> => {
      await Promise.all([fakes.close(), tmp.cleanup()]);
    };
    return { world, cleanup };
  } catch (error) {
    await Promise.all([fakes.close(), tmp.cleanup()]);
    throw error;
  }
}

/** Runs the CLI and parses its one JSON document (every run below passes --json). */
async function cli(args: string[], env: NodeJS.ProcessEnv = NO_CI_ENV): Promise<{ run: CliResult; json: Record<string, any> }> {
  const run = await runCli([...args, '--json'], { env });
  let json: Record<string, any>;
  try {
    json = jsonOf(run);
  } catch {
    assert.fail(`stdout is not one JSON document (status ${run.status})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
  return { run, json };
}

/** Asserts a CLI run refused with `code`: the exit status, the one stderr line, the JSON error. */
function assertRefused(result: { run: CliResult; json: Record<string, any> }, code: ErrorCode, status = 1): void {
  const context = `status ${result.run.status}\nstderr: ${result.run.stderr}\nstdout: ${result.run.stdout}`;
  assert.equal(result.json['error']?.['code'], code, context);
  assert.equal(result.json['ok'], false, context);
  assert.equal(result.run.status, status, context);
  assert.match(result.run.stderr, new RegExp(`^mcpseal: ${code}: [^\\n]+\\n$`, 'u'), context);
}

// --- the cases ---------------------------------------------------------------------------------

/** One input to verify: a bundle file and how to verify it. */
type Input = (w: World, dir: string) => Promise<{ file: string; spec: VerifySpec }> | { file: string; spec: VerifySpec };

interface NegativeCase {
  name: string;
  code: ErrorCode;
  /** The CLI's exit status: 1 the input was refused (default), 2 the program could not do its job. */
  status?: 1 | 2;
  input: Input;
}

/** gh.mcpb against the fakes' trusted root with `policy` (default: exact identity and issuer). */
function keyless(policy: IdentityPolicy = GITHUB_POLICY): Input {
  return (w) => ({ file: w.gh.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy } });
}

/** A copy of gh.mcpb with `edit` applied to its bytes, verified with gh.mcpb's own sidecar. */
function tamperedBundle(edit: (zip: Buffer, at: ZipRegions) => Buffer): Input {
  return async (w, dir) => {
    const zip = await readFile(w.gh.file);
    const file = join(dir, 'tampered.mcpb');
    await writeFile(file, edit(zip, zipRegions(zip)));
    return { file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle: w.gh.sidecar } };
  };
}

/** gh.mcpb with a copy of its sidecar changed by `edit` (or replaced by raw text). */
function tamperedSidecar(edit: ((json: SidecarJSON, w: World) => void) | string): Input {
  return async (w, dir) => {
    let text: string;
    if (typeof edit === 'function') {
      const json = structuredClone(w.gh.json);
      edit(json, w);
      text = JSON.stringify(json);
    } else {
      text = edit;
    }
    const bundle = join(dir, 'sidecar.json');
    await writeFile(bundle, text);
    return { file: w.gh.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle } };
  };
}

/** gh.mcpb with one of the statements signed in `before`. */
function statement(shape: StatementShape, policy: IdentityPolicy = GITHUB_POLICY): Input {
  return (w) => ({ file: w.gh.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy, bundle: w.statements[shape] } });
}

/** keyed.mcpb verified with `spec(w)`. */
function keyedInput(spec: (w: World) => VerifySpec): Input {
  return (w) => ({ file: w.keyed.file, spec: spec(w) });
}

const negativeCases: NegativeCase[] = [
  // --- The bundle's bytes, region by region (verified with the untouched sidecar) ---------------
  // The strict reader refuses structural damage first (ARCHIVE_*); whatever it lets through is
  // caught by the subject digest, which covers every byte of the file.
  {
    name: 'entry data: one bit of the first entry’s compressed data (verify inflates nothing; the digest catches it)',
    code: 'ATTESTATION_SUBJECT_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.firstEntryData + 3)),
  },
  {
    name: 'local header: the modification time (not compared with the central directory)',
    code: 'ATTESTATION_SUBJECT_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.firstLocalHeader + 10)),
  },
  {
    name: 'local header: the CRC-32',
    code: 'ARCHIVE_HEADER_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.firstLocalHeader + 14)),
  },
  {
    name: 'local header: the name',
    code: 'ARCHIVE_HEADER_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.firstLocalHeader + 30)),
  },
  {
    name: 'local header: the signature',
    code: 'ARCHIVE_BAD_LOCAL_HEADER',
    input: tamperedBundle((zip, at) => flipBit(zip, at.firstLocalHeader)),
  },
  {
    name: 'central directory: the external attributes (file mode, e.g. making a file executable)',
    code: 'ATTESTATION_SUBJECT_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.centralDirectory + 40)),
  },
  {
    name: 'central directory: the name',
    code: 'ARCHIVE_HEADER_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.centralDirectory + 46)),
  },
  {
    name: 'central directory: the local header offset',
    code: 'ARCHIVE_PREPENDED_DATA',
    input: tamperedBundle((zip, at) => flipBit(zip, at.centralDirectory + 42)),
  },
  {
    name: 'end record: the entry count',
    code: 'ARCHIVE_ENTRY_COUNT_MISMATCH',
    input: tamperedBundle((zip, at) => flipBit(zip, at.endRecord + 8)),
  },
  {
    // One more than it should be (one less reads as one prepended byte, ARCHIVE_PREPENDED_DATA).
    name: 'end record: the central directory offset',
    code: 'ARCHIVE_BAD_CENTRAL_DIRECTORY',
    input: tamperedBundle((zip, at) => addToUInt32(zip, at.endRecord + 16, 1)),
  },
  {
    name: 'end record: the comment length',
    code: 'ARCHIVE_NO_EOCD',
    input: tamperedBundle((zip, at) => flipBit(zip, at.endRecord + 20)),
  },
  {
    name: 'appended: one byte after the end record',
    code: 'ARCHIVE_TRAILING_DATA',
    input: tamperedBundle((zip) => Buffer.concat([zip, Buffer.from([0])])),
  },
  {
    name: 'appended: a second copy of the zip (what a permissive unzip would read)',
    code: 'ARCHIVE_HIDDEN_DATA',
    input: tamperedBundle((zip) => Buffer.concat([zip, zip])),
  },
  {
    name: 'appended: a well-formed MCPB_SIG_V1 block (the reader allows it; the signed digest does not)',
    code: 'ATTESTATION_SUBJECT_MISMATCH',
    input: tamperedBundle((zip) => Buffer.concat([zip, signatureBlock()])),
  },
  {
    name: 'prepended: bytes before the first local header',
    code: 'ARCHIVE_PREPENDED_DATA',
    input: tamperedBundle((zip) => Buffer.concat([Buffer.from('#!/bin/sh\n'), zip])),
  },

  // --- The sidecar ---------------------------------------------------------------------------
  {
    // The attacker changes the bundle and re-encodes the statement to name the new digest: the
    // DSSE signature (and the log entry's payload hash) no longer match.
    name: 'DSSE payload: re-encoded with the subject digest of a tampered file',
    code: 'SIGNATURE_INVALID',
    input: async (w, dir) => {
      const original = await readFile(w.gh.file);
      const zip = flipBit(original, zipRegions(original).firstEntryData + 3);
      const file = join(dir, 'tampered.mcpb');
      await writeFile(file, zip);
      const json = structuredClone(w.gh.json);
      const statement = { ...w.gh.signed.statement, subject: [{ name: 'gh.mcpb', digest: { sha256: sha256(zip) } }] };
      json.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      const bundle = join(dir, 'sidecar.json');
      await writeFile(bundle, JSON.stringify(json));
      return { file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle } };
    },
  },
  {
    name: 'DSSE signature: one bit (the RFC 3161 timestamp is over the signature, so it fails first)',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json) => {
      json.dsseEnvelope.signatures[0]!.sig = flipBase64(json.dsseEnvelope.signatures[0]!.sig, 10);
    }),
  },
  {
    name: 'certificate: one bit of its signature (no longer chains to the Fulcio root)',
    code: 'SIGNATURE_UNTRUSTED',
    input: tamperedSidecar((json) => {
      json.verificationMaterial.certificate!.rawBytes = flipBase64(json.verificationMaterial.certificate!.rawBytes, -1);
    }),
  },
  {
    // A genuine certificate from the same Fulcio (same identity, other key): it chains, but the
    // DSSE signature was not made with its key.
    name: 'certificate: replaced by another genuine one from the same CA',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json, w) => {
      json.verificationMaterial.certificate!.rawBytes = w.selfHosted.json.verificationMaterial.certificate!.rawBytes;
    }),
  },
  {
    name: 'certificate: not DER at all',
    code: 'SIGNATURE_MALFORMED',
    input: tamperedSidecar((json) => {
      json.verificationMaterial.certificate!.rawBytes = Buffer.from('not a certificate').toString('base64');
    }),
  },
  {
    name: 'log entry: logIndex + 1 (covered by the inclusion promise)',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json) => {
      const entry = json.verificationMaterial.tlogEntries[0]!;
      entry.logIndex = String(Number(entry.logIndex) + 1);
    }),
  },
  {
    name: 'log entry: integratedTime + 1 s (covered by the inclusion promise)',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json) => {
      const entry = json.verificationMaterial.tlogEntries[0]!;
      entry.integratedTime = String(Number(entry.integratedTime) + 1);
    }),
  },
  {
    // Timestamps are read before anything else is checked, and the certificate is checked at
    // each of them: an hour earlier the ten-minute certificate was not yet valid, so the chain
    // check fails before the inclusion promise would. Refused either way; this pins which code.
    name: 'log entry: integratedTime an hour earlier (before the certificate’s validity)',
    code: 'SIGNATURE_UNTRUSTED',
    input: tamperedSidecar((json) => {
      const entry = json.verificationMaterial.tlogEntries[0]!;
      entry.integratedTime = String(Number(entry.integratedTime) - 3600);
    }),
  },
  {
    name: 'log entry: the body of another signature’s entry',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json, w) => {
      json.verificationMaterial.tlogEntries[0]!.canonicalizedBody = w.selfHosted.json.verificationMaterial.tlogEntries[0]!.canonicalizedBody;
    }),
  },
  {
    name: 'log entry: another signature’s whole (genuine) entry',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json, w) => {
      json.verificationMaterial.tlogEntries[0] = w.selfHosted.json.verificationMaterial.tlogEntries[0]!;
    }),
  },
  {
    name: 'log entry: the checkpoint’s signed note',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json) => {
      const checkpoint = json.verificationMaterial.tlogEntries[0]!.inclusionProof!.checkpoint;
      checkpoint.envelope = checkpoint.envelope.replace(/\n\d+\n/u, '\n2\n');
    }),
  },
  {
    name: 'RFC 3161 timestamp: one bit of its signature',
    code: 'SIGNATURE_INVALID',
    input: tamperedSidecar((json) => {
      const timestamp = json.verificationMaterial.timestampVerificationData!.rfc3161Timestamps[0]!;
      timestamp.signedTimestamp = flipBase64(timestamp.signedTimestamp, -5);
    }),
  },
  {
    // Keyless signatures always need a log entry (the certificate is public, the log is what
    // makes a signature visible), whatever else proves the time.
    name: 'log entry removed (the RFC 3161 timestamp kept)',
    code: 'SIGNATURE_TLOG_REQUIRED',
    input: tamperedSidecar((json) => {
      json.verificationMaterial.tlogEntries = [];
    }),
  },
  {
    // "Expired certificate", way one: with neither a log entry nor a timestamp nothing proves
    // the signature was made inside the certificate's ten minutes. mcpseal refuses it earlier,
    // for the missing log entry.
    name: 'log entry and RFC 3161 timestamp both removed',
    code: 'SIGNATURE_TLOG_REQUIRED',
    input: tamperedSidecar((json) => {
      json.verificationMaterial.tlogEntries = [];
      json.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [] };
    }),
  },
  {
    name: 'wrong subject: another file verified with this file’s sidecar',
    code: 'ATTESTATION_SUBJECT_MISMATCH',
    input: (w) => ({ file: w.other, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle: w.gh.sidecar } }),
  },
  { name: 'sidecar absent', code: 'SIGNATURE_ABSENT', input: (w, dir) => ({ file: w.gh.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle: join(dir, 'absent.json') } }) },
  { name: 'sidecar malformed: not JSON', code: 'SIGNATURE_MALFORMED', input: tamperedSidecar('this is not JSON\n') },
  { name: 'sidecar malformed: JSON, but an array', code: 'SIGNATURE_MALFORMED', input: tamperedSidecar('[]') },
  { name: 'sidecar malformed: JSON null', code: 'SIGNATURE_MALFORMED', input: tamperedSidecar('null') },
  { name: 'sidecar malformed: JSON, but not a bundle', code: 'SIGNATURE_MALFORMED', input: tamperedSidecar('{"payload": "x"}') },
  {
    name: 'sidecar malformed: mediaType is not a Sigstore bundle’s',
    code: 'SIGNATURE_MALFORMED',
    input: tamperedSidecar((json) => {
      json.mediaType = 'application/vnd.in-toto+json';
    }),
  },
  {
    // @sigstore/bundle only checks the media type's prefix (`bundle.v<d>.<d>+json`), so a
    // bundle version this verifier knows nothing about would be verified as v0.3.
    name: 'sidecar malformed: mediaType of an unknown bundle version (v9.9)',
    code: 'SIGNATURE_MALFORMED',
    input: tamperedSidecar((json) => {
      json.mediaType = 'application/vnd.dev.sigstore.bundle.v9.9+json';
    }),
  },
  {
    name: 'sidecar malformed: no DSSE signatures',
    code: 'SIGNATURE_MALFORMED',
    input: tamperedSidecar((json) => {
      json.dsseEnvelope.signatures = [];
    }),
  },
  {
    // The genuine sidecar padded with whitespace to one byte over the cap: still valid JSON, so
    // only the size check can refuse it.
    name: `sidecar oversized: ${defaultLimits.maxSigstoreBundleSize + 1} bytes of otherwise valid JSON`,
    code: 'SIGNATURE_MALFORMED',
    input: async (w, dir) => {
      const padded = Buffer.alloc(defaultLimits.maxSigstoreBundleSize + 1, 0x20);
      Buffer.from(JSON.stringify(w.gh.json)).copy(padded);
      const bundle = join(dir, 'sidecar.json');
      await writeFile(bundle, padded);
      return { file: w.gh.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle } };
    },
  },

  // --- The statement -------------------------------------------------------------------------
  { name: 'DSSE payloadType application/json (a valid statement inside)', code: 'ATTESTATION_PAYLOAD_TYPE', input: statement('payload-type-json') },
  { name: 'statement: in-toto Statement v0.1, not v1', code: 'ATTESTATION_MALFORMED', input: statement('statement-v0.1') },
  { name: 'predicate: lists an entry the archive lacks', code: 'ATTESTATION_PREDICATE_MISMATCH', input: statement('predicate-extra-entry') },
  { name: 'predicate: omits an entry the archive holds', code: 'ATTESTATION_PREDICATE_MISMATCH', input: statement('predicate-missing-entry') },

  // --- Trust material --------------------------------------------------------------------------
  {
    // "Expired certificate", way two: the trusted root says the Fulcio CA stopped issuing a
    // second before the signing time, so the chain is not valid at the (proven) signing time.
    name: 'trusted root: the Fulcio CA’s validFor ends before the signing time',
    code: 'SIGNATURE_UNTRUSTED',
    input: (w) => ({ file: w.gh.file, spec: { trustedRoot: w.roots.caEnded, policy: GITHUB_POLICY } }),
  },
  {
    name: 'trusted root: a certificate authority without validFor.start',
    code: 'TRUST_ROOT_INVALID',
    status: 2,
    input: (w) => ({ file: w.gh.file, spec: { trustedRoot: w.roots.caNoStart, policy: GITHUB_POLICY } }),
  },
  {
    name: 'trusted root: a transparency log key without validFor.start',
    code: 'TRUST_ROOT_INVALID',
    status: 2,
    input: (w) => ({ file: w.gh.file, spec: { trustedRoot: w.roots.tlogNoStart, policy: GITHUB_POLICY } }),
  },

  // --- The identity policy (SAN https://github.com/owner/repo/.github/workflows/release.yml@refs/tags/v1.0.0)
  { name: 'no identity policy for a keyless signature', code: 'IDENTITY_POLICY_REQUIRED', status: 2, input: keyless({}) },
  {
    // An issuer alone is not an identity: every GitHub Actions workflow in the world has it
    // (cosign requires an identity with the issuer; the error message itself says so).
    name: 'only an issuer: any GitHub Actions workflow would pass',
    code: 'IDENTITY_POLICY_REQUIRED',
    status: 2,
    input: keyless({ certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  { name: 'only a source ref: not an identity', code: 'IDENTITY_POLICY_REQUIRED', status: 2, input: keyless({ sourceRef: WORKFLOW.ref }) },
  {
    name: 'identity: a prefix of the SAN (the workflow without its ref)',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: GITHUB_SAN.split('@')[0]!, certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  {
    name: 'identity: a suffix of the SAN (no scheme)',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: GITHUB_SAN.replace('https://', ''), certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  { name: 'identity: a substring of the SAN (owner/repo)', code: 'IDENTITY_MISMATCH', input: keyless({ certIdentity: 'owner/repo', certOidcIssuer: GITHUB_ACTIONS_ISSUER }) },
  {
    name: 'identity: the SAN plus a trailing character',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: `${GITHUB_SAN}x`, certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  {
    name: 'identity regexp: owner/repo (sigstore-js would match it unanchored)',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentityRegexp: 'owner/repo', certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  {
    name: 'identity regexp: a prefix pattern of the SAN',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentityRegexp: 'https://github\\.com/owner/repo/', certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  {
    // Naive anchoring (`^a|b$`) would let the first alternative match a prefix.
    name: 'identity regexp: an alternation whose first branch is a prefix',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentityRegexp: 'https://github\\.com/owner/repo/|unrelated', certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  {
    name: 'issuer: another issuer',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: GITHUB_SAN, certOidcIssuer: 'https://accounts.example.test' }),
  },
  {
    name: 'issuer: the right one with a trailing slash',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: GITHUB_SAN, certOidcIssuer: `${GITHUB_ACTIONS_ISSUER}/` }),
  },
  {
    name: 'issuer: a prefix of the right one',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ certIdentity: GITHUB_SAN, certOidcIssuer: 'https://token.actions.githubusercontent' }),
  },
  { name: '--repo: another repository', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/other' }) },
  { name: '--repo: a prefix of the name (owner/rep)', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/rep' }) },
  { name: '--repo: a longer name (owner/repo-fork)', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/repo-fork' }) },
  { name: '--repo: a suffix of the owner (wner/repo)', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'wner/repo' }) },
  { name: '--source-ref: a branch', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/repo', sourceRef: 'refs/heads/main' }) },
  { name: '--source-ref: a prefix of the tag (refs/tags/v1.0)', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/repo', sourceRef: 'refs/tags/v1.0' }) },
  { name: '--source-digest: another commit', code: 'IDENTITY_MISMATCH', input: keyless({ repo: 'owner/repo', sourceDigest: 'a'.repeat(40) }) },
  {
    name: '--signer-workflow: another workflow of the same repository',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ repo: 'owner/repo', signerWorkflow: 'owner/repo/.github/workflows/other.yml' }),
  },
  {
    name: '--signer-workflow: a prefix of the workflow path',
    code: 'IDENTITY_MISMATCH',
    input: keyless({ repo: 'owner/repo', signerWorkflow: '.github/workflows/release' }),
  },
  {
    name: '--deny-self-hosted-runners: signed on a self-hosted runner',
    code: 'IDENTITY_MISMATCH',
    input: (w) => ({ file: w.selfHosted.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: { ...GITHUB_POLICY, denySelfHostedRunners: true } } }),
  },
  { name: 'standard GitHub provenance from another repository', code: 'IDENTITY_MISMATCH', input: statement('github-build-provenance', { repo: 'owner/other' }) },

  // --- Keyed signatures ------------------------------------------------------------------------
  {
    // The bundle names its key (hint); the installer trusts another. The signature itself may be
    // perfectly valid, just not by a trusted key: README, "SIGNATURE_UNTRUSTED: ... the key is
    // not the given one".
    name: 'keyed: verified with another keygen pair’s public key',
    code: 'SIGNATURE_UNTRUSTED',
    input: keyedInput((w) => ({ key: w.keyed.otherPublicKey })),
  },
  {
    name: 'keyed: the right key, one bit of the signature changed',
    code: 'SIGNATURE_INVALID',
    input: async (w, dir) => {
      const json = structuredClone(w.keyed.json);
      json.dsseEnvelope.signatures[0]!.sig = flipBase64(json.dsseEnvelope.signatures[0]!.sig, 10);
      const bundle = join(dir, 'sidecar.json');
      await writeFile(bundle, JSON.stringify(json));
      return { file: w.keyed.file, spec: { key: w.keyed.publicKey, bundle } };
    },
  },
  { name: 'keyed: no --key (only a keyless policy)', code: 'SIGNATURE_UNTRUSTED', input: keyedInput((w) => ({ trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY })) },
  { name: 'keyed: --require-tlog and no log entry', code: 'SIGNATURE_TLOG_REQUIRED', input: keyedInput((w) => ({ key: w.keyed.publicKey, requireTlog: true })) },
  {
    name: 'keyed: --key is not a public key',
    code: 'TRUST_ROOT_INVALID',
    status: 2,
    input: keyedInput((w) => ({ key: join(w.dir, 'src', 'README.md') })),
  },
];

interface PositiveCase {
  name: string;
  input: Input;
}

const positiveCases: PositiveCase[] = [
  {
    name: 'identity regexp anchored over the whole SAN',
    input: keyless({ certIdentityRegexp: 'https://github\\.com/owner/repo/\\.github/workflows/release\\.yml@refs/tags/v[0-9.]+', certOidcIssuer: GITHUB_ACTIONS_ISSUER }),
  },
  { name: 'identity regexp that asks for a substring explicitly', input: keyless({ certIdentityRegexp: '.*owner/repo.*', certOidcIssuer: GITHUB_ACTIONS_ISSUER }) },
  { name: '--repo compares owner and name case-insensitively (as GitHub does)', input: keyless({ repo: 'Owner/Repo', certOidcIssuer: GITHUB_ACTIONS_ISSUER }) },
  {
    name: 'every GitHub field at once: repo, ref, commit, workflow, hosted runner',
    input: keyless({ ...GITHUB_POLICY, repo: 'owner/repo', sourceRef: WORKFLOW.ref, sourceDigest: WORKFLOW.sha, signerWorkflow: WORKFLOW.path, denySelfHostedRunners: true }),
  },
  { name: '--signer-workflow as a github.com URL (with --repo)', input: keyless({ repo: 'owner/repo', signerWorkflow: `https://github.com/owner/repo/${WORKFLOW.path}` }) },
  { name: 'a self-hosted runner is accepted unless denied', input: (w) => ({ file: w.selfHosted.file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY } }) },
  {
    // The log entry's integrated time (under its inclusion promise) is the one timestamp needed.
    name: 'RFC 3161 timestamp removed: the log entry still proves the time',
    input: tamperedSidecar((json) => {
      json.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [] };
    }),
  },
  {
    // The subject's name is informational; the digest is the binding (the registry renames files).
    name: 'the same bytes under another file name',
    input: async (w, dir) => {
      const file = join(dir, 'renamed.mcpb');
      await copyFile(w.gh.file, file);
      return { file, spec: { trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY, bundle: w.gh.sidecar } };
    },
  },
];

describe('sigstore: signing and verifying bundles', function () {
  this.timeout(60_000);
  let w: World;
  let cleanup: (() => Promise<void>) | undefined;

  before(async () => {
    ({ world: w, cleanup } = await prepareWorld());
  });
  after(async () => {
    await cleanup?.();
  });

  describe('round trips', () => {
    it('keyless (GitHub Actions) through the library: signBundle, verifyBundle, unpackBundle', async () => {
      const { signed } = w.gh;
      assert.equal(signed.kind, 'keyless');
      assert.equal(signed.sha256, w.gh.sha256);
      assert.equal(w.gh.json.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
      assert.equal(w.gh.json.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
      // The statement binds the exact file bytes and lists every entry with its digest.
      assert.deepEqual(signed.statement.subject, [{ name: 'gh.mcpb', digest: { sha256: w.gh.sha256 } }]);
      const definition = signed.statement.predicate!['buildDefinition'] as Record<string, any>;
      assert.equal(definition['buildType'], MCPSEAL_BUILD_TYPE);
      assert.deepEqual(definition['externalParameters']['workflow'], GITHUB_BUILD.workflow);
      const entries = Object.fromEntries(
        (definition['resolvedDependencies'] as { name?: string; digest: { sha256: string } }[]).filter((d) => d.name).map((d) => [d.name, d.digest.sha256]),
      );
      for (const name of ['manifest.json', ...Object.keys(SOURCE)]) {
        assert.equal(entries[name], sha256(await readFile(join(w.src, name))), name);
      }

      const verified = await verifyBundle(w.gh.file, { trustedRoot: w.fakes.trustedRoot, policy: GITHUB_POLICY });
      assert.equal(verified.sha256, w.gh.sha256);
      assert.equal(verified.signature.kind, 'certificate');
      assert.equal(verified.identity?.subject, GITHUB_SAN);
      assert.equal(verified.identity?.issuer, GITHUB_ACTIONS_ISSUER);
      assert.equal(verified.identity?.github.sourceRepositoryUri, 'https://github.com/owner/repo');
      assert.equal(verified.identity?.github.sourceRepositoryRef, WORKFLOW.ref);
      assert.equal(verified.identity?.github.sourceRepositoryDigest, WORKFLOW.sha);
      assert.equal(verified.identity?.github.runnerEnvironment, 'github-hosted');
      assert.deepEqual(
        verified.signature.tlog.map((entry) => entry.logIndex),
        w.gh.json.verificationMaterial.tlogEntries.map((entry) => entry.logIndex),
      );
      // The RFC 3161 timestamp and the log's integrated time, both the fakes' clock (to the second).
      const clock = new Date(Math.floor(w.fakes.clock.getTime() / 1000) * 1000).toISOString();
      assert.deepEqual(verified.signature.timestamps, [clock, clock]);
      assert.deepEqual(verified.provenance.workflow, GITHUB_BUILD.workflow);
      assert.deepEqual(verified.provenance.source, GITHUB_BUILD.source);
      assert.equal(Object.keys(verified.provenance.entries ?? {}).length, 4);

      const out = join(w.dir, 'roundtrip-lib', 'out');
      const unpacked = await unpackBundle(w.gh.file, out, { trustedRoot: w.fakes.trustedRoot, policy: GITHUB_POLICY });
      assert.equal(unpacked.sha256, w.gh.sha256);
      assert.equal(unpacked.verification?.identity?.subject, GITHUB_SAN);
      await assertSameTree(out, w.src);
    });

    it('keyless (GitHub Actions) through the CLI: sign in a workflow run, verify, verify-blob, unpack', async () => {
      const dir = join(w.dir, 'roundtrip-cli');
      await mkdir(dir);
      const file = join(dir, 'release.mcpb');
      await copyFile(w.gh.file, file);
      const token = w.fakes.identityToken(githubActionsClaims());

      // `sign` reads the GitHub Actions variables of the run into the predicate.
      const signed = await cli(['sign', file, ...keylessArgs(w.fakes, token)], githubActionsEnv());
      assert.equal(signed.run.status, 0, signed.run.stderr);
      assert.equal(signed.json['kind'], 'keyless');
      assert.equal(signed.json['sha256'], w.gh.sha256);
      assert.equal(signed.json['sigstoreBundle'], `${file}.sigstore.json`);
      const predicate = signed.json['statement']['predicate'];
      assert.deepEqual(predicate['buildDefinition']['externalParameters']['workflow'], GITHUB_BUILD.workflow);
      assert.deepEqual(predicate['buildDefinition']['resolvedDependencies'][0], { uri: GITHUB_BUILD.source!.uri, digest: { gitCommit: WORKFLOW.sha } });
      assert.equal(predicate['runDetails']['builder']['id'], GITHUB_SAN);
      assert.equal(predicate['runDetails']['metadata']['invocationId'], GITHUB_BUILD.invocationId);
      const sidecar = JSON.parse(await readFile(`${file}.sigstore.json`, 'utf8')) as SidecarJSON;

      // Everything after signing reads the same two files: run it side by side.
      const trust = ['--trusted-root', w.fakes.trustedRootPath];
      const blobPolicy = ['--bundle', `${file}.sigstore.json`, ...trust, '--repo', 'owner/repo'];
      const out = join(dir, 'out');
      const [verified, github, blobFile, blobDigest, unpacked] = await Promise.all([
        cli(['verify', file, ...trust, '--cert-identity', GITHUB_SAN, '--cert-oidc-issuer', GITHUB_ACTIONS_ISSUER]),
        // The GitHub-shaped policy: repository, ref and workflow, every one compared exactly.
        cli(['verify', file, ...trust, '--repo', 'owner/repo', '--source-ref', WORKFLOW.ref, '--signer-workflow', `owner/repo/${WORKFLOW.path}`]),
        // verify-blob: the same Sigstore bundle for the file's bytes, and for its digest alone.
        cli(['verify-blob', file, ...blobPolicy]),
        cli(['verify-blob', `sha256:${w.gh.sha256}`, ...blobPolicy]),
        cli(['unpack', file, out, ...trust, '--repo', 'owner/repo', '--cert-oidc-issuer', GITHUB_ACTIONS_ISSUER]),
      ]);
      assert.equal(verified.run.status, 0, verified.run.stderr);
      assert.equal(verified.run.stderr, '');
      const { identity, signature } = verified.json;
      assert.equal(verified.json['sha256'], w.gh.sha256);
      assert.equal(identity['subject'], GITHUB_SAN);
      assert.equal(identity['issuer'], GITHUB_ACTIONS_ISSUER);
      assert.equal(identity['github']['sourceRepositoryUri'], 'https://github.com/owner/repo');
      assert.equal(identity['github']['sourceRepositoryRef'], WORKFLOW.ref);
      assert.equal(identity['github']['sourceRepositoryDigest'], WORKFLOW.sha);
      assert.equal(identity['github']['buildConfigUri'], GITHUB_SAN);
      assert.equal(signature['tlog'].length, 1);
      assert.equal(signature['tlog'][0]['logIndex'], sidecar.verificationMaterial.tlogEntries[0]!.logIndex);
      const clock = new Date(Math.floor(w.fakes.clock.getTime() / 1000) * 1000).toISOString();
      assert.equal(signature['tlog'][0]['integratedTime'], clock);
      assert.deepEqual(signature['timestamps'], [clock, clock]);
      assert.deepEqual(signature['statement']['subject'], [{ name: 'release.mcpb', digest: { sha256: w.gh.sha256 } }]);
      // The predicate's workflow was cross-checked with the certificate, and is reported.
      assert.deepEqual(verified.json['provenance']['workflow'], GITHUB_BUILD.workflow);
      assert.deepEqual(verified.json['provenance']['source'], GITHUB_BUILD.source);

      assert.equal(github.run.status, 0, github.run.stderr);
      assert.equal(github.json['identity']['subject'], GITHUB_SAN);
      for (const blob of [blobFile, blobDigest]) {
        assert.equal(blob.run.status, 0, blob.run.stderr);
        assert.equal(blob.json['artifactSha256'], w.gh.sha256);
        assert.equal(blob.json['identity']['subject'], GITHUB_SAN);
      }
      assert.equal(unpacked.run.status, 0, unpacked.run.stderr);
      assert.equal(unpacked.json['sha256'], w.gh.sha256);
      assert.equal(unpacked.json['verification']['identity']['subject'], GITHUB_SAN);
      await assertSameTree(out, w.src);
    });

    it('a predicate naming another workflow than the certificate is ATTESTATION_PREDICATE_MISMATCH', async () => {
      const dir = join(w.dir, 'workflow-mismatch');
      await mkdir(dir);
      const file = join(dir, 'bundle.mcpb');
      await copyFile(w.gh.file, file);
      // The token (and so the certificate) is release.yml's; the run's variables claim other.yml.
      // Signing cannot tell; verification must.
      const signed = await cli(['sign', file, ...keylessArgs(w.fakes, w.fakes.identityToken(githubActionsClaims()))], githubActionsEnv('.github/workflows/other.yml'));
      assert.equal(signed.run.status, 0, signed.run.stderr);
      assert.equal(signed.json['statement']['predicate']['buildDefinition']['externalParameters']['workflow']['path'], '.github/workflows/other.yml');

      const policy = ['--trusted-root', w.fakes.trustedRootPath, '--repo', 'owner/repo'];
      assertRefused(await cli(['verify', file, ...policy]), 'ATTESTATION_PREDICATE_MISMATCH');
      assertRefused(await cli(['unpack', file, join(dir, 'out'), ...policy]), 'ATTESTATION_PREDICATE_MISMATCH');
      assert.deepEqual(await readdir(dir), ['bundle.mcpb', 'bundle.mcpb.sigstore.json']);
      const error = await rejection(verifyBundle(file, { trustedRoot: w.fakes.trustedRoot, policy: { repo: 'owner/repo' } }));
      assert.equal(error.code, 'ATTESTATION_PREDICATE_MISMATCH');
    });

    it('keyed through the library: signBundle with a key, verifyBundle and unpackBundle with its public key', async () => {
      const { keyed } = w;
      assert.ok(keyed.json.verificationMaterial.publicKey, 'a keyed bundle names its key by hint');
      assert.equal(keyed.json.verificationMaterial.publicKey.hint, keyed.hint);
      // Keyed signing is offline by default: no log entry (the JSON form omits the empty list).
      assert.deepEqual(keyed.json.verificationMaterial.tlogEntries ?? [], []);
      const publicKey = await readFile(keyed.publicKey, 'utf8');
      const verified = await verifyBundle(keyed.file, { publicKey });
      assert.equal(verified.signature.kind, 'public-key');
      assert.equal(verified.signature.keyHint, keyed.hint);
      assert.equal(verified.identity, null);
      assert.deepEqual(verified.signature.tlog, []);
      assert.equal(verified.sha256, w.gh.sha256);
      const out = join(w.dir, 'keyed-lib', 'out');
      await unpackBundle(keyed.file, out, { publicKey });
      await assertSameTree(out, w.src);
    });

    it('keyed through the CLI: keygen, sign --key, verify --key, verify-blob --key, unpack --key', async () => {
      const dir = join(w.dir, 'keyed-cli');
      await mkdir(dir);
      const keys = await cli(['keygen', '--out-dir', dir, '--name', 'release']);
      assert.equal(keys.run.status, 0, keys.run.stderr);
      assert.equal(keys.json['privateKey'], join(dir, 'release.key'));
      assert.equal((await stat(join(dir, 'release.key'))).mode & 0o777, 0o600, 'the private key is private');
      const file = join(dir, 'bundle.mcpb');
      await copyFile(w.gh.file, file);

      const signed = await cli(['sign', file, '--key', join(dir, 'release.key')]);
      assert.equal(signed.run.status, 0, signed.run.stderr);
      assert.equal(signed.json['kind'], 'key');
      assert.equal(signed.json['sha256'], w.gh.sha256);

      const pub = join(dir, 'release.pub');
      const [verified, blob, unpacked] = await Promise.all([
        cli(['verify', file, '--key', pub]),
        cli(['verify-blob', file, '--bundle', `${file}.sigstore.json`, '--key', pub]),
        cli(['unpack', file, join(dir, 'out'), '--key', pub]),
      ]);
      assert.equal(verified.run.status, 0, verified.run.stderr);
      assert.equal(verified.json['signature']['kind'], 'public-key');
      assert.equal(verified.json['signature']['keyHint'], keys.json['hint']);
      assert.equal(verified.json['identity'], null);
      assert.deepEqual(verified.json['signature']['tlog'], []);
      assert.deepEqual(verified.json['signature']['statement']['subject'], [{ name: 'bundle.mcpb', digest: { sha256: w.gh.sha256 } }]);

      assert.equal(blob.run.status, 0, blob.run.stderr);
      assert.equal(blob.json['artifactSha256'], w.gh.sha256);
      assert.equal(unpacked.run.status, 0, unpacked.run.stderr);
      await assertSameTree(join(dir, 'out'), w.src);
    });

    it('keyed with a log entry (sign --key --tlog): verify --key --require-tlog checks it against the trusted root', async () => {
      const dir = join(w.dir, 'keyed-tlog');
      await mkdir(dir);
      const file = join(dir, 'bundle.mcpb');
      await copyFile(w.gh.file, file);
      const signed = await cli(['sign', file, '--key', join(w.dir, 'publisher.key'), '--tlog', '--rekor-url', w.fakes.rekorURL]);
      assert.equal(signed.run.status, 0, signed.run.stderr);
      const verified = await cli(['verify', file, '--key', w.keyed.publicKey, '--require-tlog', '--trusted-root', w.fakes.trustedRootPath]);
      assert.equal(verified.run.status, 0, verified.run.stderr);
      assert.equal(verified.json['signature']['tlog'].length, 1);
      assert.equal(verified.json['signature']['keyHint'], w.keyed.hint);
    });

    it('sign refuses a manifest that fails the hardened profile (MANIFEST_INVALID) unless --profile compat', async () => {
      const dir = join(w.dir, 'compat');
      const src = join(dir, 'src');
      // No scope declarations: what the official schema accepts, what the hardened profile refuses.
      const { _meta: _scopes, ...compatManifest } = JSON.parse(await readFile(join(w.src, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      await writeTree(src, { ...SOURCE, 'manifest.json': JSON.stringify(compatManifest) });
      const file = join(dir, 'compat.mcpb');
      await packBundle(src, file, { profile: 'compat' });
      const key = ['--key', join(w.dir, 'publisher.key')];

      assertRefused(await cli(['sign', file, ...key]), 'MANIFEST_INVALID');
      assert.equal(await exists(`${file}.sigstore.json`), false, 'nothing is signed');
      const signed = await cli(['sign', file, ...key, '--profile', 'compat']);
      assert.equal(signed.run.status, 0, signed.run.stderr);
      // The installer's profile applies at verification too.
      const [hardened, compat] = await Promise.all([
        cli(['verify', file, '--key', w.keyed.publicKey]),
        cli(['verify', file, '--key', w.keyed.publicKey, '--profile', 'compat']),
      ]);
      assertRefused(hardened, 'MANIFEST_INVALID');
      assert.equal(compat.run.status, 0, compat.run.stderr);
    });

    it('unpack --allow-unsigned extracts a bundle with no sidecar, but never overrides a failing signature', async () => {
      const dir = join(w.dir, 'allow-unsigned');
      await mkdir(dir);
      const file = join(dir, 'bundle.mcpb');
      await copyFile(w.gh.file, file);
      const trust = ['--trusted-root', w.fakes.trustedRootPath, '--repo', 'owner/repo', '--allow-unsigned'];

      // A sidecar whose signature was tampered with.
      const tampered = structuredClone(w.gh.json);
      tampered.dsseEnvelope.signatures[0]!.sig = flipBase64(tampered.dsseEnvelope.signatures[0]!.sig, 8);
      await writeFile(`${file}.sigstore.json`, JSON.stringify(tampered));
      assertRefused(await cli(['unpack', file, join(dir, 'out'), ...trust]), 'SIGNATURE_INVALID');
      // A sidecar that is not a Sigstore bundle at all.
      await writeFile(`${file}.sigstore.json`, '{"not": "a bundle"}');
      assertRefused(await cli(['unpack', file, join(dir, 'out'), ...trust]), 'SIGNATURE_MALFORMED');
      assert.equal(await exists(join(dir, 'out')), false);
      assert.deepEqual((await readdir(dir)).sort(), ['bundle.mcpb', 'bundle.mcpb.sigstore.json']);
      const error = await rejection(unpackBundle(file, join(dir, 'out'), { trustedRoot: w.fakes.trustedRoot, policy: { repo: 'owner/repo' }, allowUnsigned: true }));
      assert.equal(error.code, 'SIGNATURE_MALFORMED');

      // Without any sidecar the switch does what it says.
      await rm(`${file}.sigstore.json`);
      const unsigned = await cli(['unpack', file, join(dir, 'out'), ...trust]);
      assert.equal(unsigned.run.status, 0, unsigned.run.stderr);
      assert.equal(unsigned.json['verification'], null);
      await assertSameTree(join(dir, 'out'), w.src);
      // ... and without the switch an unsigned bundle is refused.
      assertRefused(await cli(['unpack', file, join(dir, 'out2'), '--repo', 'owner/repo']), 'SIGNATURE_ABSENT');
    });

    it('standard GitHub build provenance for the file is accepted with --repo, and still bound by subject and identity', async () => {
      const bundle = w.statements['github-build-provenance'];
      const verified = await verifyBundle(w.gh.file, { sigstoreBundle: bundle, trustedRoot: w.fakes.trustedRoot, policy: { repo: 'owner/repo' } });
      assert.equal(verified.provenance.buildType, 'https://actions.github.io/buildtypes/workflow/v1');
      assert.equal(verified.provenance.entries, null, 'no mcpseal entry list to cross-check');
      assert.equal(verified.identity?.subject, GITHUB_SAN);

      const trust = ['--bundle', bundle, '--trusted-root', w.fakes.trustedRootPath, '--repo', 'owner/repo'];
      const out = join(w.dir, 'github-provenance', 'out');
      const [viaCli, unpacked, otherFile] = await Promise.all([
        cli(['verify', w.gh.file, ...trust]),
        cli(['unpack', w.gh.file, out, ...trust]),
        // The same attestation names no other file (nor another repository: see the matrix).
        cli(['verify', w.other, ...trust]),
      ]);
      assert.equal(viaCli.run.status, 0, viaCli.run.stderr);
      assert.equal(viaCli.json['signature']['statement']['predicateType'], SLSA_PROVENANCE_V1);
      assert.equal(unpacked.run.status, 0, unpacked.run.stderr);
      await assertSameTree(out, w.src);
      assertRefused(otherFile, 'ATTESTATION_SUBJECT_MISMATCH');
    });

    it('entry digests are checked at extraction: verify passes (names match), unpack refuses and extracts nothing', async () => {
      const spec: VerifySpec = { bundle: w.statements['predicate-wrong-entry-digest'], trustedRoot: w.fakes.trustedRootPath, policy: GITHUB_POLICY };
      // verify binds the file by its subject digest and checks the entry *names*; it inflates nothing.
      const verified = await verifyBundle(w.gh.file, await verifyOptions(spec));
      assert.equal(verified.provenance.entries?.['server/lib/helper.js'], 'f'.repeat(64));
      const viaCli = await cli(['verify', w.gh.file, ...verifyArgs(spec)]);
      assert.equal(viaCli.run.status, 0, viaCli.run.stderr);

      const dir = join(w.dir, 'entry-digest');
      await mkdir(join(dir, 'lib'), { recursive: true });
      await mkdir(join(dir, 'cli'));
      const error = await rejection(unpackBundle(w.gh.file, join(dir, 'lib', 'out'), await verifyOptions(spec)));
      assert.equal(error.code, 'ATTESTATION_PREDICATE_MISMATCH');
      assert.equal(error.details.entry, 'server/lib/helper.js');
      assertRefused(await cli(['unpack', w.gh.file, join(dir, 'cli', 'out'), ...verifyArgs(spec)]), 'ATTESTATION_PREDICATE_MISMATCH');
      // No target, no staging directory: the parents are as empty as they were.
      assert.deepEqual(await readdir(join(dir, 'lib')), []);
      assert.deepEqual(await readdir(join(dir, 'cli')), []);
    });
  });

  describe('the negative matrix', () => {
    /** What one case did, through the library and the CLI. */
    interface Outcome {
      libraryVerify: unknown;
      libraryUnpack: unknown;
      /**
       * `mcpseal verify`, run for the first case of each error family: `unpack` runs the same
       * verification (one child process per case keeps the suite inside its time budget).
       */
      cliVerify: { run: CliResult; json: Record<string, any> } | null;
      cliUnpack: { run: CliResult; json: Record<string, any> };
      /** What is left in the (empty beforehand) parents of the two unpack targets. */
      leftByLibrary: string[];
      leftByCli: string[];
    }

    const outcomes = new Map<string, Promise<Outcome>>();

    // Every case's child processes are started up front, a few at a time (as in
    // hostile.test.ts); each test then checks its own case's outcome.
    before(() => {
      const run = pool(Math.min(4, Math.max(2, availableParallelism())));
      const familiesSeen = new Set<string>();
      negativeCases.forEach((negative, index) => {
        const family = negative.code.split('_')[0]!;
        const runVerify = !familiesSeen.has(family);
        familiesSeen.add(family);
        const outcome = run(async (): Promise<Outcome> => {
          const dir = join(w.dir, 'cases', String(index));
          await mkdir(join(dir, 'lib'), { recursive: true });
          await mkdir(join(dir, 'cli'));
          const { file, spec } = await negative.input(w, dir);
          const options = await verifyOptions(spec);
          const settle = (promise: Promise<unknown>) => promise.then((value) => value, (error: unknown) => error);
          const [libraryVerify, libraryUnpack, cliVerify, cliUnpack] = await Promise.all([
            settle(verifyBundle(file, options)),
            settle(unpackBundle(file, join(dir, 'lib', 'out'), options)),
            runVerify ? cli(['verify', file, ...verifyArgs(spec)]) : null,
            cli(['unpack', file, join(dir, 'cli', 'out'), ...verifyArgs(spec)]),
          ]);
          return { libraryVerify, libraryUnpack, cliVerify, cliUnpack, leftByLibrary: await readdir(join(dir, 'lib')), leftByCli: await readdir(join(dir, 'cli')) };
        });
        outcome.catch(() => {}); // reported by the case's own test
        outcomes.set(negative.name, outcome);
      });
    });

    it('has distinct case names', () => {
      const names = negativeCases.map((negative) => negative.name);
      assert.equal(new Set(names).size, names.length);
    });

    for (const negative of negativeCases) {
      it(`${negative.code}: ${negative.name}`, async () => {
        const outcome = await outcomes.get(negative.name)!;
        const status = negative.status ?? 1;
        for (const [what, error] of [
          ['verifyBundle', outcome.libraryVerify],
          ['unpackBundle', outcome.libraryUnpack],
        ] as const) {
          assert.ok(error instanceof MCPSealError, `${what} did not refuse: ${error instanceof Error ? error.stack : 'it accepted the input'}`);
          assert.equal(error.code, negative.code, `${what}: ${error.message}`);
        }
        if (outcome.cliVerify) assertRefused(outcome.cliVerify, negative.code, status);
        assertRefused(outcome.cliUnpack, negative.code, status);
        // Nothing extracted: no target, no staging directory, through either path.
        assert.deepEqual(outcome.leftByLibrary, [], 'unpackBundle left something behind');
        assert.deepEqual(outcome.leftByCli, [], 'mcpseal unpack left something behind');
      });
    }
  });

  describe('policies and trust that must pass (controls for the matrix)', () => {
    const outcomes = new Map<string, Promise<{ library: unknown; viaCli: { run: CliResult; json: Record<string, any> }; sha256: string }>>();
    before(() => {
      const run = pool(Math.min(4, Math.max(2, availableParallelism())));
      positiveCases.forEach((control, index) => {
        const outcome = run(async () => {
          const dir = join(w.dir, 'controls', String(index));
          await mkdir(dir, { recursive: true });
          const { file, spec } = await control.input(w, dir);
          const [library, viaCli] = await Promise.all([
            verifyBundle(file, await verifyOptions(spec)).then((value) => value, (error: unknown) => error),
            cli(['verify', file, ...verifyArgs(spec)]),
          ]);
          return { library, viaCli, sha256: sha256(await readFile(file)) };
        });
        outcome.catch(() => {}); // reported by the case's own test
        outcomes.set(control.name, outcome);
      });
    });

    for (const control of positiveCases) {
      it(control.name, async () => {
        const { library, viaCli, sha256: expected } = await outcomes.get(control.name)!;
        assert.ok(!(library instanceof Error), `verifyBundle refused: ${String(library)}`);
        assert.equal((library as Awaited<ReturnType<typeof verifyBundle>>).sha256, expected);
        assert.equal(viaCli.run.status, 0, viaCli.run.stderr);
        assert.equal(viaCli.json['ok'], true);
        assert.equal(viaCli.json['sha256'], expected);
      });
    }
  });

  describe('what a verification reports is what was verified', () => {
    it('a log entry without its inclusion promise: its logIndex and integratedTime are not reported as verified', async () => {
      const json = structuredClone(w.gh.json);
      const entry = json.verificationMaterial.tlogEntries[0]!;
      // Only the inclusion promise (Rekor v1's signed entry timestamp) signs the top-level logIndex
      // and integratedTime. The inclusion proof authenticates the body and its own (shard-local)
      // index; @sigstore/verify takes no timestamp from an entry without a promise (the RFC 3161
      // timestamp is the one it counts), so without the promise both fields are whatever the
      // sidecar says: here a made-up index and a time years before the certificate existed.
      delete entry.inclusionPromise;
      entry.logIndex = '7';
      entry.integratedTime = '1500000000';
      const forgedTime = new Date(1500000000 * 1000).toISOString();
      const bundle = join(w.dir, 'unsigned-log-fields.sigstore.json');
      await writeFile(bundle, JSON.stringify(json));

      const outcome = await verifyBundle(w.gh.file, { sigstoreBundle: bundle, trustedRoot: w.fakes.trustedRoot, policy: GITHUB_POLICY }).then(
        (result) => result,
        (error: unknown) => error,
      );
      if (outcome instanceof Error) {
        // Refusing a Rekor v1 entry that lacks its promise is one right answer.
        assert.ok(outcome instanceof MCPSealError, String(outcome));
        assert.equal(outcome.code, 'SIGNATURE_INVALID', outcome.message);
        return;
      }
      // Accepting it (the proof and the RFC 3161 timestamp do verify) is the other, if the report
      // carries only verified values.
      const { signature } = outcome as Awaited<ReturnType<typeof verifyBundle>>;
      assert.ok(!signature.timestamps.includes(forgedTime), `an unsigned integratedTime is reported as a verified timestamp: ${signature.timestamps.join(', ')}`);
      assert.notEqual(signature.tlog[0]?.integratedTime, forgedTime, 'an unsigned integratedTime is reported as the integration time');
      assert.notEqual(signature.tlog[0]?.logIndex, '7', 'an unsigned logIndex is reported as the log index');
    });

    it('verify --json lists the attested entries and their digests', async () => {
      const verified = await cli(['verify', w.gh.file, '--trusted-root', w.fakes.trustedRootPath, '--repo', 'owner/repo']);
      assert.equal(verified.run.status, 0, verified.run.stderr);
      // The library returns a Map; JSON.stringify turns a Map into {}, which reads as "no entries".
      const expected = await Promise.all(['manifest.json', ...Object.keys(SOURCE)].map(async (name) => [name, sha256(await readFile(join(w.src, name)))] as const));
      const reported = JSON.stringify(verified.json['provenance']['entries']);
      for (const [name, digest] of expected) {
        assert.ok(reported.includes(JSON.stringify(name)) && reported.includes(digest), `${name} (${digest}) is missing from provenance.entries: ${reported}`);
      }
    });
  });
});

describe('issue 14 (memory): the DSSE PAE fed in parts checks exactly what sigstore-js checks', () => {
  // sigstore-js: crypto.verify(undefined, PAE, key, sig) over the concatenated PAE (DSSE spec, "Protocol").
  const keyTypes: [string, string, object][] = [
    ['ECDSA P-256', 'ec', { namedCurve: 'P-256' }],
    ['ECDSA P-384', 'ec', { namedCurve: 'P-384' }],
    ['RSA', 'rsa', { modulusLength: 2048 }],
    ['RSA-PSS', 'rsa-pss', { modulusLength: 2048 }],
    ['Ed25519', 'ed25519', {}],
  ];
  for (const [label, type, options] of keyTypes) {
    it(`${label}: the same verdict as the concatenated PAE for a good signature, a changed payload, a changed type and another digest`, () => {
      const { publicKey, privateKey } = (generateKeyPairSync as (type: string, options: object) => { publicKey: KeyObject; privateKey: KeyObject })(type, options);
      const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ digest: { sha256: 'a'.repeat(64) } }], pad: 'é'.repeat(5000) }));
      const payloadType = 'application/vnd.in-toto+json';
      const sig = signData(undefined, sigstoreDsse.preAuthEncoding(payloadType, payload), privateKey);
      const sha384 = type === 'ed25519' ? null : signData('sha384', sigstoreDsse.preAuthEncoding(payloadType, payload), privateKey);
      const envelope = (p: Buffer, t: string, s: Buffer) => ({ payload: p, payloadType: t, signatures: [{ sig: s, keyid: '' }] });
      const cases = [
        envelope(payload, payloadType, sig),
        envelope(Buffer.concat([payload.subarray(0, -1), Buffer.from('x')]), payloadType, sig),
        envelope(payload, 'application/json', sig),
        envelope(Buffer.concat([payload, Buffer.from(' ')]), payloadType, sig),
        ...(sha384 ? [envelope(payload, payloadType, sha384)] : []),
      ];
      const verdicts = cases.map((env) => {
        const pae = sigstoreDsse.preAuthEncoding(env.payloadType, env.payload);
        const content = dsseSignatureContent(env);
        assert.equal(content.verifySignature(publicKey), verifyData(undefined, pae, publicKey, env.signatures[0]!.sig));
        assert.ok(content.compareSignedDigest(createHash('sha256').update(pae).digest()));
        assert.ok(content.compareDigest(createHash('sha256').update(env.payload).digest()));
        assert.ok(!content.compareDigest(createHash('sha256').update(pae).digest()));
        assert.ok(content.compareSignature(sig) === env.signatures[0]!.sig.equals(sig));
        return content.verifySignature(publicKey);
      });
      assert.deepEqual(verdicts, [true, false, false, false, ...(sha384 ? [false] : [])]);
    });
  }
});
