// Holds a bundle to a policy: pure, and every rule is reported with its outcome (not only the
// first failure), as Kyverno and policy-controller report theirs. The signature check itself is
// not pure (sigstore verification), so its result comes in as a SignerFact (verifyWithPolicy).

import type { ErrorObject } from 'ajv';
import { MCPSealError } from '../errors.ts';
import { validateScopes } from '../manifest/generated/manifest-validators.ts';
import { SCOPES_POINTER, scopesOf, type Scopes } from '../scopes/model.ts';
import { scopeExcesses } from './contain.ts';
import type { Policy, PolicyDecision, PolicyRefusalCode, RuleOutcome, ScopeExcess, SignerFact } from './model.ts';
import { anyGlobMatches } from './patterns.ts';

const validScopes = validateScopes as { (data: unknown): boolean; errors?: ErrorObject[] | null };

/** What evaluation reads of a bundle: its manifest (name, server.type, scopes), its sha256, the signer. */
export interface PolicySubject {
  manifest: Record<string, unknown>;
  sha256: string;
  signer: SignerFact;
}

function allowed(rule: RuleOutcome['rule'], message: string): RuleOutcome {
  return { rule, allowed: true, code: null, message, pointer: null };
}

function refused(rule: RuleOutcome['rule'], code: PolicyRefusalCode, message: string, pointer: string | null = null): RuleOutcome {
  return { rule, allowed: false, code, message, pointer };
}

/** Every rule of `policy` applied to `subject`. */
export function evaluatePolicy(policy: Policy, subject: PolicySubject): PolicyDecision {
  const name = typeof subject.manifest['name'] === 'string' ? subject.manifest['name'] : '';
  const exceeded = scopeRuleExcesses(policy, subject.manifest);
  const rules = [denyRule(policy, name, subject.sha256), signerRule(policy, name, subject.signer), serverTypeRule(policy, subject.manifest), scopesRule(exceeded)];
  const refusal = rules.find((rule) => !rule.allowed) ?? null;
  return { allowed: refusal === null, rules, exceeded, refusal };
}

function denyRule(policy: Policy, name: string, sha256: string): RuleOutcome {
  if (policy.deny.sha256.includes(sha256.toLowerCase())) return refused('deny', 'POLICY_DENIED', `the file's sha256 ${sha256} is on the deny list`);
  if (anyGlobMatches(policy.deny.names, name)) return refused('deny', 'POLICY_DENIED', `the name "${name}" is on the deny list`);
  return allowed('deny', 'not on the deny list');
}

function signerRule(policy: Policy, name: string, signer: SignerFact): RuleOutcome {
  if (signer.kind === 'unsigned') {
    return policy.allowUnsigned ? allowed('signer', 'unsigned, and the policy sets allowUnsigned') : refused('signer', 'POLICY_UNSIGNED', 'the bundle is not signed and the policy does not set allowUnsigned');
  }
  if (signer.kind === 'unverified') {
    const why = signer.attempts.map((attempt) => `${attempt.publisher}: ${attempt.code}`).join('; ');
    return refused('signer', 'POLICY_PUBLISHER_UNTRUSTED', `no publisher for "${name}" verified the signature${why ? ` (${why})` : ' (no publisher of the policy may ship that name)'}`);
  }
  const publisher = policy.publishers.find((candidate) => candidate.name === signer.publisher);
  // The name comes from the signed manifest: a valid signature for another name is squatting (risk 9).
  if (!publisher || !anyGlobMatches(publisher.bundles, name)) {
    return refused('signer', 'POLICY_NAME_NOT_ALLOWED', `signed by publisher "${signer.publisher}", who may not ship "${name}" (bundles: ${publisher?.bundles.join(', ') ?? 'none'})`);
  }
  return allowed('signer', `signed by publisher "${publisher.name}"${signer.identity ? ` (${signer.identity})` : ''}`);
}

function serverTypeRule(policy: Policy, manifest: Record<string, unknown>): RuleOutcome {
  const server = manifest['server'];
  const type = typeof server === 'object' && server !== null ? (server as Record<string, unknown>)['type'] : undefined;
  if (typeof type === 'string' && policy.serverTypes.includes(type)) return allowed('serverType', `server type "${type}" is listed`);
  return refused('serverType', 'POLICY_SERVER_TYPE', `server type ${JSON.stringify(type ?? null)} is not in the policy's serverTypes (${policy.serverTypes.join(', ') || 'none'})`, '/server/type');
}

function scopeRuleExcesses(policy: Policy, manifest: Record<string, unknown>): ScopeExcess[] {
  const declared = scopesOf(manifest);
  // No declaration (a compat-profile bundle) reaches anything: nothing bounds it.
  if (declared === undefined) return [{ pointer: SCOPES_POINTER, message: 'the manifest declares no scopes, so nothing bounds what the server touches' }];
  if (!validScopes(declared)) return [{ pointer: SCOPES_POINTER, message: 'the scopes block does not match the scope schema' }];
  return scopeExcesses(declared as Scopes, policy.maxScopes, SCOPES_POINTER);
}

function scopesRule(exceeded: ScopeExcess[]): RuleOutcome {
  const first = exceeded[0];
  if (!first) return allowed('scopes', 'every declared scope is within maxScopes');
  return refused('scopes', 'POLICY_SCOPE_EXCEEDED', `${first.message}${exceeded.length > 1 ? ` (and ${exceeded.length - 1} more)` : ''}`, first.pointer);
}

/** The decision's first refusal as an error (for verify/unpack/install), or null when allowed. */
export function policyRefusal(decision: PolicyDecision): MCPSealError | null {
  const refusal = decision.refusal;
  if (!refusal?.code) return null;
  return new MCPSealError(refusal.code, refusal.message, {
    details: { ...(refusal.pointer === null ? {} : { pointer: refusal.pointer }), rules: decision.rules, exceeded: decision.exceeded },
  });
}
