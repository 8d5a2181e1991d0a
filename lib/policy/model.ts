// The install policy (DESIGN.md "Install policy, store and lockfile"): what an organisation
// accepts, said once, as validated data (the shape of sigstore policy-controller's
// ClusterImagePolicy and Kyverno's verifyImages: authorities per name glob, every rule's outcome
// reported). The file format is schemas/policy.schema.json; lib/policy/load.ts turns a file into
// a `Policy`, lib/policy/evaluate.ts holds a bundle to it.

import type { PolicyErrorCode } from '../errors.ts';
import type { IdentityPolicy } from '../sigstore/identity.ts';
import type { Grant } from '../scopes/model.ts';

/** A publisher: who may sign which bundle names. Exactly one of `keyless` or `publicKey`. */
export interface PolicyPublisher {
  name: string;
  /** Globs (`*` only) over the manifest name this publisher may ship (namespace squatting, risk 9). */
  bundles: string[];
  /** Keyless: the identity policy the certificate must satisfy (names a repo, or an identity with its issuer). */
  keyless: IdentityPolicy | null;
  /** Keyed: the PEM public key read from the file the policy names. */
  publicKey: string | null;
  /** The key file as written in the policy (relative to the policy file), for messages. */
  keyFile: string | null;
}

/** `maxScopes`: the most the policy grants; an absent key grants nothing. */
export interface MaxScopes {
  filesystem: { read: string[]; write: string[]; roots: Grant; cwd: Grant };
  network: {
    /** `host:port`, host exact or with one leading `*.` label, the port explicit. */
    egress: string[];
    listen: boolean;
    /** User-driven egress: not at all (false), on any port (true), or on these ports. */
    userDriven: boolean | { ports: number[] };
  };
  process: { spawn: string[]; workers: boolean; native_addons: boolean };
  env: { read: string[]; secrets: string[] };
}

export interface Policy {
  version: 1;
  publishers: PolicyPublisher[];
  /**
   * Accept bundles with no signature at all. Dangerous: nothing then says who built a bundle. A
   * signature that is present but fails is never accepted because of it.
   */
  allowUnsigned: boolean;
  serverTypes: string[];
  maxScopes: MaxScopes;
  deny: { names: string[]; sha256: string[] };
  /** Where the policy was read from and the sha256 of its bytes (recorded by install). */
  source: { path: string | null; sha256: string };
}

/** The refusal codes of an evaluation (POLICY_INVALID is the loader's). */
export type PolicyRefusalCode = Exclude<PolicyErrorCode, 'POLICY_INVALID'>;

/** Why one tried publisher did not verify the signature. */
export interface PublisherAttempt {
  publisher: string;
  code: string;
  message: string;
}

/**
 * What the signature check found (sigstore verification is not pure, so the caller runs it:
 * verifyWithPolicy does). `verified`: the publisher whose rules verified the signature;
 * `unsigned`: no Sigstore bundle at all; `unverified`: a signature no publisher verified.
 */
export type SignerFact =
  | { kind: 'verified'; publisher: string; identity: string | null }
  | { kind: 'unsigned' }
  | { kind: 'unverified'; attempts: PublisherAttempt[] };

/** One rule of the policy and what it said about the bundle. */
export interface RuleOutcome {
  rule: 'deny' | 'signer' | 'serverType' | 'scopes';
  allowed: boolean;
  /** The refusal code, when refused. */
  code: PolicyRefusalCode | null;
  message: string;
  /** JSON Pointer into the manifest of what was refused (the first exceeding scope), when there is one. */
  pointer: string | null;
}

/** A declared scope that reaches beyond maxScopes. */
export interface ScopeExcess {
  pointer: string;
  message: string;
}

export interface PolicyDecision {
  allowed: boolean;
  /** Every rule, in order: deny, signer, serverType, scopes. */
  rules: RuleOutcome[];
  /** Every declared scope that exceeds (empty when the scopes rule passed). */
  exceeded: ScopeExcess[];
  /** The first refused rule, or null. */
  refusal: RuleOutcome | null;
}
