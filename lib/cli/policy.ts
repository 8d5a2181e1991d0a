// `mcpseal policy check`, and the --policy flag that `verify` and `unpack` take instead of the
// identity flags: argument reading and output only; loadPolicy and verifyWithPolicy decide.

import { basename } from 'node:path';
import type { ServerJsonCheck } from '../registry/check.ts';
import { MCPSealError } from '../errors.ts';
import type { Policy, PolicyDecision } from '../policy/model.ts';
import type { VerifiedSignature } from '../sigstore/verify.ts';
import { COMMON_OPTIONS, LIMITS_HELP, LIMIT_OPTIONS, limitsFrom, parse, positionals, type Parsed } from './args.ts';
import type { Command, CommandContext } from './command.ts';
import { EXIT_OK, type Output } from './output.ts';
import { claimLines } from './reports.ts';
import { reviewLines, reviewOf } from './review.ts';
import { VERIFY_HELP, VERIFY_OPTIONS, verifyFlags, type VerifyFlags } from './verify-options.ts';

/** The flag that names a policy file. */
export const POLICY_OPTION = { policy: { type: 'string' } } as const;

/** Flags that name a signer, which a policy replaces (both at once would leave two answers to "who"). */
const SIGNER_FLAGS = ['key', 'cert-identity', 'cert-identity-regexp', 'cert-oidc-issuer', 'repo', 'signer-workflow', 'source-ref', 'source-digest', 'deny-self-hosted-runners'];

export const POLICY_HELP = `Install policy:
  --policy FILE   take the signer rules (publishers per bundle name), unsigned bundles, server
                  types, maxScopes and deny lists from this policy (README "Install policy");
                  replaces --key and the identity flags`;

/** The policy named by --policy, or null; refuses signer flags beside it. */
export async function policyFlag(values: Parsed['values']): Promise<Policy | null> {
  const file = values['policy'];
  if (typeof file !== 'string') return null;
  const given = SIGNER_FLAGS.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new MCPSealError('USAGE_INVALID_ARGUMENT', `--policy names the signers: drop --${given.join(', --')}`);
  const { loadPolicy } = await import('../policy/load.ts');
  return loadPolicy(file);
}

/** The rules table: one line per rule, then every exceeding scope. */
export function decisionLines(decision: PolicyDecision): string[] {
  const lines = ['rule         outcome   code                          detail'];
  for (const rule of decision.rules) {
    lines.push(`${rule.rule.padEnd(12)} ${(rule.allowed ? 'allowed' : 'REFUSED').padEnd(9)} ${(rule.code ?? '-').padEnd(29)} ${rule.message}`);
  }
  for (const excess of decision.exceeded) lines.push(`  exceeds ${excess.pointer}: ${excess.message}`);
  lines.push(decision.allowed ? 'policy:       allowed' : `policy:       REFUSED (${decision.refusal?.code ?? ''})`);
  return lines;
}

/** `verify --policy`: the policy's signers, then every rule; the first refusal is the error. */
export async function verifyUnderPolicy(
  file: string,
  policy: Policy,
  flags: VerifyFlags,
  values: Parsed['values'],
  output: Output,
  context: CommandContext,
  signatureLinesOf: (signature: VerifiedSignature) => string[],
  registry: { serverJson: string | undefined; linesOf: (check: ServerJsonCheck) => string[] },
): Promise<number> {
  const { policy: _identity, publicKey: _key, ...trust } = flags;
  const [{ verifyWithPolicy }, { policyRefusal }, { checkServerJson, registrySigner }, { readServerJson }] = await Promise.all([
    import('../policy/verify.ts'),
    import('../policy/evaluate.ts'),
    import('../registry/check.ts'),
    import('../registry/read.ts'),
  ]);
  // Read (and parse) the server.json before the long pass, as verify does; checked on the verified facts.
  const serverJson = registry.serverJson === undefined ? undefined : await readServerJson(registry.serverJson, { limits: limitsFrom(values) });
  const result = await verifyWithPolicy(file, policy, { ...trust, limits: limitsFrom(values), ...(context.signal ? { signal: context.signal } : {}) });
  const refusal = policyRefusal(result.decision);
  if (refusal) throw refusal;
  const review = reviewOf(result.manifest.summary);
  const verification = result.verification;
  const check = serverJson === undefined ? undefined : checkServerJson(serverJson, { sha256: result.sha256, fileName: basename(file), signer: registrySigner(verification?.identity ?? null) });
  output.result({ ...(verification ?? { file, sha256: result.sha256, manifest: result.manifest.summary, validation: result.validation, signature: null }), publisher: result.publisher?.name ?? null, decision: result.decision, review, ...(check ? { registry: check } : {}) }, () => [
    `verified:      ${file}${verification ? '' : ' (UNSIGNED: the policy sets allowUnsigned)'}`,
    `sha256:        ${result.sha256}`,
    ...(result.publisher ? [`publisher:     ${result.publisher.name} (policy)`] : []),
    ...(verification ? [...signatureLinesOf(verification.signature), ...claimLines(verification.claims)] : []),
    `manifest:      ${result.manifest.summary.name ?? '(none)'} ${result.manifest.summary.version ?? ''} (${result.validation.profile} profile: valid)`,
    'policy:        allowed (every rule)',
    ...(check ? registry.linesOf(check) : []),
    ...reviewLines(review),
  ]);
  return EXIT_OK;
}

export const POLICY_COMMANDS: Record<string, Command> = {
  policy: {
    help: `Usage: mcpseal policy check <file.mcpb> --policy <policy.json> [trust options] [options]

Verifies the bundle as "mcpseal verify" does, with the signers taken from the policy: the
manifest is read and validated first, each publisher whose "bundles" globs match the manifest's
name (never the file name) is tried, the first that verifies wins. Then every rule is evaluated
and shown: deny lists, signer, server type, scopes against maxScopes (each exceeding scope with
its JSON Pointer). Nothing is extracted.

${POLICY_HELP}

${VERIFY_HELP.split('\n\nIdentity policy')[0]!.split('\n').filter((line) => !line.includes('--key PEM')).join('\n')}

Options:
  --profile P   hardened (default) or compat
  --json        print one JSON document on stdout ({ ok, decision: { allowed, rules, exceeded } })
  -h, --help    show this help

${LIMITS_HELP}

Exit status: 0 allowed; 1 refused (POLICY_DENIED, POLICY_UNSIGNED, POLICY_PUBLISHER_UNTRUSTED,
POLICY_NAME_NOT_ALLOWED, POLICY_SERVER_TYPE, POLICY_SCOPE_EXCEEDED: the first refusal's code on
stderr; or the bundle itself was refused: ARCHIVE_*, MANIFEST_INVALID, SIGNATURE_*,
ATTESTATION_*); 2 POLICY_INVALID, usage or I/O error.`,
    async run(args, output, context) {
      const { values, positionals: given } = parse(args, { ...COMMON_OPTIONS, ...LIMIT_OPTIONS, ...VERIFY_OPTIONS, ...POLICY_OPTION });
      const [action, file] = positionals(given, ['action', 'file.mcpb']);
      if (action !== 'check') throw new MCPSealError('USAGE_UNKNOWN_COMMAND', `unknown policy action "${action}"; the one action is "check"`);
      if (typeof values['policy'] !== 'string') throw new MCPSealError('USAGE_MISSING_ARGUMENT', 'policy check needs --policy <policy.json>');
      const policy = (await policyFlag(values))!;
      const { policy: _identity, publicKey: _key, ...trust } = await verifyFlags(values);
      const { verifyWithPolicy } = await import('../policy/verify.ts');
      const { policyRefusal } = await import('../policy/evaluate.ts');
      const result = await verifyWithPolicy(file!, policy, { ...trust, limits: limitsFrom(values), ...(context.signal ? { signal: context.signal } : {}) });
      const report = {
        file,
        sha256: result.sha256,
        name: result.manifest.summary.name,
        version: result.manifest.summary.version,
        publisher: result.publisher?.name ?? null,
        policy: policy.source,
        decision: result.decision,
      };
      const lines = (): string[] => [`file:         ${file}`, `sha256:       ${result.sha256}`, `name:         ${result.manifest.summary.name ?? '(none)'} ${result.manifest.summary.version ?? ''}`, ...decisionLines(result.decision)];
      const refusal = policyRefusal(result.decision);
      if (refusal) return output.rejected(report, refusal, lines);
      output.result(report, lines);
      return EXIT_OK;
    },
  },
};
