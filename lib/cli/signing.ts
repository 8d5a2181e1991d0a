// The signing and verification commands: keygen, sign, verify, verify-blob.

import { basename, join } from 'node:path';
import { ioError, openRegularFile } from '../io.ts';
import { readSidecar } from '../sigstore/sidecar.ts';
import { defaultLimits } from '../limits.ts';
import { MCPSealError } from '../errors.ts';
import type { BuildContext, SigningMethod } from '../sign.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals } from './args.ts';
import { BATCH_HELP, BATCH_OPTIONS, isBatch, refuseInBatch, runBatchCommand } from './batch.ts';
import type { Command } from './command.ts';
import { EXIT_OK, formatBytes } from './output.ts';
import { distinguishedName, registryLines, signatureLines, verifyReport } from './reports.ts';
import { POLICY_HELP, POLICY_OPTION, policyFlag, verifyUnderPolicy } from './policy.ts';
import { readPemFile, VERIFY_HELP, VERIFY_OPTIONS, verifyFlags } from './verify-options.ts';

/** What GitHub Actions says about the build, from its documented variables. */
export function githubBuildContext(env: NodeJS.ProcessEnv): BuildContext | undefined {
  if (env['GITHUB_ACTIONS'] !== 'true') return undefined;
  const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const repository = env['GITHUB_REPOSITORY'];
  const workflowRef = env['GITHUB_WORKFLOW_REF'];
  const context: BuildContext = {};
  if (repository && env['GITHUB_SHA']) context.source = { uri: `git+${server}/${repository}@${env['GITHUB_REF'] ?? ''}`, commit: env['GITHUB_SHA'] };
  if (repository && workflowRef) {
    // GITHUB_WORKFLOW_REF is OWNER/REPO/PATH@REF: the workflow Fulcio certifies as the Build Config URI.
    const [location, ref] = workflowRef.split('@') as [string, string | undefined];
    const path = location.slice(repository.length + 1);
    context.workflow = { repository: `${server}/${repository}`, path, ref: ref ?? '' };
    context.builderId = `${server}/${workflowRef}`;
  }
  if (repository && env['GITHUB_RUN_ID']) {
    context.invocationId = `${server}/${repository}/actions/runs/${env['GITHUB_RUN_ID']}/attempts/${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`;
  }
  return context;
}

async function signLegacyCommand(
  file: string,
  certPath: string | undefined,
  keyPath: string | undefined,
  intermediatePaths: string[],
  out: string | undefined,
  output: import('./output.ts').Output,
): Promise<number> {
  if (certPath === undefined || keyPath === undefined) throw new MCPSealError('USAGE_MISSING_ARGUMENT', '--legacy signing needs --cert and --key');
  const read = readPemFile;
  const { signLegacy } = await import('../legacy/index.ts');
  const result = await signLegacy(file, {
    certPem: await read(certPath),
    keyPem: await read(keyPath),
    intermediatesPem: await Promise.all(intermediatePaths.map(read)),
    ...(out === undefined ? {} : { outputPath: out }),
  });
  for (const warning of result.warnings) output.note(`warning: ${warning}`);
  output.result({ ...result }, () => [
    `signed:        ${result.path} (legacy ${result.block.kind})`,
    `sha256:        ${result.sha256}`,
    `signer:        ${distinguishedName(result.signer.subject)}`,
  ]);
  return EXIT_OK;
}

export const SIGNING_COMMANDS: Record<string, Command> = {
  keygen: {
    help: `Usage: mcpseal keygen [--out-dir DIR] [--name NAME] [--json]

Writes NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub (SPKI PEM) in DIR (default: the current
directory, name "mcpseal"). Never overwrites a file. Keep the .key secret; give verifiers the .pub.
mcpseal pack never packs *.key or *.pem files.

Exit status: 0 written, 2 usage or I/O error (including an existing file).`,
    async run(args, output) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, 'out-dir': { type: 'string' }, name: { type: 'string' } });
      positionals(given, []);
      const dir = typeof values['out-dir'] === 'string' ? values['out-dir'] : '.';
      const name = typeof values['name'] === 'string' ? values['name'] : 'mcpseal';
      const { generateKeyPair } = await import('../keygen.ts');
      const result = await generateKeyPair(join(dir, `${name}.key`), join(dir, `${name}.pub`));
      output.result({ ...result }, () => [`private key: ${result.privateKey} (keep it secret)`, `public key:  ${result.publicKey}`, `key hint:    ${result.hint}`]);
      return EXIT_OK;
    },
  },

  sign: {
    help: `Usage: mcpseal sign <file.mcpb> [--key PRIVATE.pem | keyless options] [--out PATH] [options]

Checks the bundle (strict archive rules; the manifest must pass --profile, default hardened),
hashes the file and every entry, and writes <file.mcpb>.sigstore.json: a Sigstore bundle v0.3
holding a DSSE envelope of an in-toto Statement v1 whose subject is the file's name and sha256
and whose SLSA Provenance v1 predicate lists every entry's sha256 (and, in GitHub Actions, the
repository, commit and workflow).

Keyless (default): a Fulcio certificate for your OIDC identity, a Rekor log entry and an RFC 3161
timestamp. The identity token comes from --identity-token, SIGSTORE_ID_TOKEN, or the GitHub
Actions ambient OIDC endpoint (needs "permissions: id-token: write").
  --identity-token JWT   the OIDC token
  --fulcio-url URL       default https://fulcio.sigstore.dev
  --rekor-url URL        default https://rekor.sigstore.dev
  --tsa-url URL          default https://timestamp.sigstore.dev/api/v1/timestamp

Keyed (offline): --key PRIVATE.pem (ECDSA P-256 PKCS#8, see mcpseal keygen); no log entry
unless --tlog (then --rekor-url, default the public-good Rekor).

Legacy: --legacy --cert CERT.pem --key KEY.pem [--intermediate PEM]... appends an MCPB_SIG_V1
block (CMS SignedData, what Claude Desktop reads) with the end record's comment length set to
the block's length before the digest, so the file opens in strict zip readers and verifies.
Sign legacy first, then Sigstore: the attestation then covers the final bytes.

Options:
  --out PATH        where to write the Sigstore bundle (never replaced unless --force)
  --force           replace an existing Sigstore bundle (it may be another key's signature)
  --profile P       hardened (default) or compat
  --json            print one JSON document on stdout
  -h, --help        show this help

${LIMITS_HELP}

Exit status: 0 signed, 1 refused (unsafe archive, manifest fails the profile), 2 usage, I/O or signing service error.`,
    async run(args, output, streams) {
      const { values, positionals: given } = parse(args, {
        ...COMMON_OPTIONS,
        ...LIMIT_OPTIONS,
        key: { type: 'string' },
        'identity-token': { type: 'string' },
        'fulcio-url': { type: 'string' },
        'rekor-url': { type: 'string' },
        'tsa-url': { type: 'string' },
        tlog: { type: 'boolean' },
        out: { type: 'string' },
        profile: { type: 'string' },
        legacy: { type: 'boolean' },
        force: { type: 'boolean' },
        cert: { type: 'string' },
        intermediate: { type: 'string', multiple: true },
      });
      const [file] = positionals(given, ['file.mcpb']);
      const profile = values['profile'] ?? 'hardened';
      if (profile !== 'hardened' && profile !== 'compat') throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--profile must be hardened or compat');
      const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
      if (values['legacy'] === true) return signLegacyCommand(file!, str('cert'), str('key'), (values['intermediate'] as unknown as string[] | undefined) ?? [], str('out'), output);
      if (str('cert') !== undefined || values['intermediate'] !== undefined) throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--cert and --intermediate belong to --legacy signing');
      let method: SigningMethod;
      const keyPath = str('key');
      if (keyPath !== undefined) {
        if (str('identity-token') !== undefined || str('fulcio-url') !== undefined || str('tsa-url') !== undefined) {
          throw new MCPSealError('USAGE_INVALID_ARGUMENT', '--key signs offline; --identity-token, --fulcio-url and --tsa-url are for keyless signing');
        }
        const privateKeyPem = await readPemFile(keyPath);
        const rekorURL = values['tlog'] === true ? (str('rekor-url') ?? 'https://rekor.sigstore.dev') : undefined;
        method = { kind: 'key', privateKeyPem, ...(rekorURL ? { rekorURL } : {}) };
      } else {
        const { identityTokenSource } = await import('../sigstore/oidc.ts');
        const tokens = identityTokenSource(str('identity-token'), streams.env);
        if (!tokens) {
          throw new MCPSealError(
            'USAGE_MISSING_ARGUMENT',
            'keyless signing needs an OIDC identity token: --identity-token, SIGSTORE_ID_TOKEN, or GitHub Actions with id-token: write; or sign offline with --key',
          );
        }
        method = {
          kind: 'keyless',
          identityToken: tokens,
          ...(str('fulcio-url') ? { fulcioURL: str('fulcio-url')! } : {}),
          ...(str('rekor-url') ? { rekorURL: str('rekor-url')! } : {}),
          ...(str('tsa-url') ? { tsaURL: str('tsa-url')! } : {}),
        };
      }
      const build = githubBuildContext(streams.env);
      const progress = output.progress('hashing');
      try {
        const { signBundle } = await import('../sign.ts');
        const result = await signBundle(file!, {
          method,
          profile,
          limits: limitsFrom(values),
          ...(str('out') ? { out: str('out')! } : {}),
          ...(build ? { build } : {}),
          ...(values['force'] === true ? { force: true } : {}),
          ...(progress ? { onProgress: progress } : {}),
        });
        progress?.finish();
        output.result({ ...result }, () => [
          `signed:        ${result.file} (${result.kind === 'key' ? 'local key' : 'keyless'})`,
          `sha256:        ${result.sha256}`,
          `attestation:   ${result.sigstoreBundle}`,
          `entries:       ${(result.statement.predicate?.['buildDefinition'] as { resolvedDependencies: unknown[] }).resolvedDependencies.length} attested`,
        ]);
        return EXIT_OK;
      } finally {
        progress?.finish();
      }
    },
  },

  verify: {
    help: `Usage: mcpseal verify <file.mcpb> [trust and identity options] [options]
       mcpseal verify <file.mcpb | dir>... [--recursive] [--jobs N] [trust and identity options] [options]

Verifies before anything is extracted, through one open handle: the strict archive rules and the
file's sha256 in one pass; the Sigstore bundle (<file>.sigstore.json) against the trust material;
the identity policy against the certificate (or the --key); the in-toto statement from the
verified payload only (its subject must be this file's sha256; mcpseal's predicate must list
exactly the archive's entries, and a recorded workflow must be the certificate's); then the
manifest against --profile, and prints what the server can touch (its scopes) and the
user_config options (--json: manifest.scopes, manifest.userConfig, review). Standard GitHub build provenance for the file (for example from
actions/attest-build-provenance) is accepted with the same policy; any other statement (a test
result, an SBOM) is ATTESTATION_PREDICATE_TYPE. With --key only that key is trusted: a
certificate-signed bundle is SIGNATURE_UNTRUSTED.

${VERIFY_HELP}

MCP registry (--server-json F): F must validate against the registry's server.schema.json, list
an mcpb package whose fileSha256 is this file's sha256, and, for an io.github.OWNER/... name, OWNER
must be the owner of the repository that signed (keyless, GitHub Actions). Other namespaces and
key signatures are reported "namespace: unchecked" with the reason.

${POLICY_HELP} (one file at a time)

${BATCH_HELP}

Options:
  --server-json F  the MCP registry server.json that must describe this file
  --profile P   hardened (default) or compat
  --json        print one JSON document on stdout
  -h, --help    show this help

${LIMITS_HELP}

Exit status: 0 verified; 1 refused (SIGNATURE_ABSENT, SIGNATURE_MALFORMED, SIGNATURE_INVALID,
SIGNATURE_UNTRUSTED, IDENTITY_MISMATCH, ATTESTATION_*, MANIFEST_INVALID, ARCHIVE_*, REGISTRY_*, POLICY_* with --policy); 2 usage
error (a keyless verification whose policy names no signer is IDENTITY_POLICY_REQUIRED), I/O error, or an
unusable trust root (TRUST_ROOT_*).`,
    async run(args, output, streams) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...VERIFY_OPTIONS, 'server-json': { type: 'string' }, ...POLICY_OPTION, ...BATCH_OPTIONS });
      if (isBatch(given, values)) {
        refuseInBatch(values, ['bundle', 'server-json', 'policy']);
        const settings = { ...(await verifyFlags(values)), limits: limitsFrom(values) };
        return runBatchCommand(output, streams, { job: 'verify', paths: given, values, settings });
      }
      const [file] = positionals(given, ['file.mcpb']);
      const installPolicy = await policyFlag(values);
      const flags = await verifyFlags(values);
      const serverJson = values['server-json'];
      if (installPolicy) {
        return verifyUnderPolicy(file!, installPolicy, flags, values, output, streams, signatureLines, {
          serverJson: typeof serverJson === 'string' ? serverJson : undefined,
          linesOf: registryLines,
        });
      }
      const progress = output.progress('verifying');
      try {
        const { verifyBundle } = await import('../verify.ts');
        const result = await verifyBundle(file!, {
          ...flags,
          ...(typeof serverJson === 'string' ? { serverJson } : {}),
          limits: limitsFrom(values),
          ...(progress ? { onProgress: progress } : {}),
          ...(streams.signal ? { signal: streams.signal } : {}),
        });
        progress?.finish();
        const report = verifyReport(result);
        output.result(report.value, report.lines);
        return EXIT_OK;
      } finally {
        progress?.finish();
      }
    },
  },

  'verify-blob': {
    help: `Usage: mcpseal verify-blob <file | sha256:HEX> --bundle BUNDLE.json [trust and identity options]

The same Sigstore verification as verify, for release assets other than bundles: message
signatures and DSSE attestations (whose subject must be the artifact's sha256). Give the digest
as sha256:<64 hex digits> to verify without the file.

${VERIFY_HELP}

Exit status: 0 verified, 1 refused, 2 usage, I/O or trust root error.`,
    async run(args, output) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...VERIFY_OPTIONS });
      const [target] = positionals(given, ['file | sha256:HEX']);
      const flags = await verifyFlags(values);
      if (flags.sigstoreBundle === undefined) throw new MCPSealError('USAGE_MISSING_ARGUMENT', 'verify-blob needs --bundle');
      const bundle = await readSidecar(flags.sigstoreBundle, defaultLimits.maxSigstoreBundleSize);
      let artifact: Buffer | string;
      if (/^sha256:/iu.test(target!)) artifact = target!;
      else {
        // A regular file only: a FIFO or a device would hang or never end (openRegularFile).
        const handle = await openRegularFile(target!);
        try {
          artifact = await handle.readAll();
        } catch (cause) {
          throw ioError(cause, target!, 'read');
        } finally {
          await handle.close();
        }
      }
      const { verifyArtifact } = await import('../verify-artifact.ts');
      const result = await verifyArtifact({
        artifact,
        bundle,
        policy: flags.policy,
        ...(flags.trustedRoot === undefined ? {} : { trustedRoot: flags.trustedRoot }),
        ...(flags.publicKey === undefined ? {} : { publicKey: flags.publicKey }),
        ...(flags.requireTlog === undefined ? {} : { requireTlog: flags.requireTlog }),
      });
      output.result({ ...result }, () => [
        `verified:      ${typeof artifact === 'string' ? artifact : basename(target!)} (${typeof artifact === 'string' ? 'digest' : formatBytes(artifact.length)})`,
        `sha256:        ${result.artifactSha256}`,
        ...signatureLines(result),
      ]);
      return EXIT_OK;
    },
  },
};
