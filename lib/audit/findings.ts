// The audit's finding codes: one table, the README's "Audit findings" section is this table
// (test/audit-codes.test.ts compares them both ways). Each code belongs to one risk and has one
// severity; a risk's status follows from its findings' severities (statusOf) unless the evaluator
// says the evidence ran out (`unknown`) or the risk does not apply (`n/a`).

import type { AuditEvidence, AuditFinding, RiskId, RiskStatus, Severity } from './model.ts';

interface CodeRow {
  risk: RiskId;
  severity: Severity;
  meaning: string;
}

export const AUDIT_CODES = {
  AUDIT_UNSIGNED: { risk: 1, severity: 'high', meaning: 'no Sigstore signature (an MCPB_SIG_V1 block alone binds no identity and does not count)' },
  AUDIT_SIGNATURE_INVALID: { risk: 1, severity: 'critical', meaning: 'a signature or attestation that does not verify, or that no publisher of the policy made' },
  AUDIT_SIGNER_UNCHECKED: { risk: 1, severity: 'info', meaning: 'a Sigstore signature is present but no signer was named (--policy, --repo, --cert-identity or --key): the risk stays unknown' },
  AUDIT_SIGNED: { risk: 1, severity: 'info', meaning: 'the signature verified for the signer named by the policy or the identity flags' },
  AUDIT_MANIFEST_INVALID: { risk: 1, severity: 'high', meaning: 'manifest.json fails the hardened validation' },
  AUDIT_EGRESS_UNDECLARED: { risk: 1, severity: 'high', meaning: "the server's own code contacts a host that network.egress does not declare, or hosts a tool's input picks without network.userDriven" },
  AUDIT_LISTEN_UNDECLARED: { risk: 1, severity: 'high', meaning: "the server's own code listens for connections and network.listen is not true" },
  AUDIT_ENV_UNDECLARED: { risk: 1, severity: 'medium', meaning: "the server's own code reads an environment variable that env.read does not declare" },
  AUDIT_HOME_SECRET_ACCESS: { risk: 1, severity: 'high', meaning: 'the bundled code reaches into a home-directory secret store (.ssh, .gnupg, .netrc, keychains, browser profiles, ...)' },
  AUDIT_DYNAMIC_CODE: { risk: 1, severity: 'medium', meaning: "the server's own code runs code it computes (eval, new Function, require or import of a computed name)" },
  AUDIT_OBFUSCATED_CODE: { risk: 1, severity: 'high', meaning: 'the bundled code evaluates fetched or decoded code, or is obfuscated' },
  AUDIT_CODE_UNREAD: { risk: 1, severity: 'info', meaning: "some of the server's own code could not be analyzed (too large, a parse error, no python3): code risks without other findings stay unknown" },
  AUDIT_TOOL_HIDDEN_INSTRUCTION: { risk: 2, severity: 'critical', meaning: 'a tool description holds instructions to the model ("ignore previous", IMPORTANT tags, "do not tell the user")' },
  AUDIT_TOOL_INVISIBLE_TEXT: { risk: 2, severity: 'high', meaning: 'a tool name or description holds invisible, bidirectional or tag Unicode characters' },
  AUDIT_TOOL_UNTRUSTED_CONTENT: { risk: 2, severity: 'medium', meaning: 'a tool reads untrusted content (web pages, email, issues, messages) while the bundle holds write or egress scopes' },
  AUDIT_TOOLS_UNDECLARED: { risk: 5, severity: 'info', meaning: 'the manifest lists no tools, or says they are generated at run time: what the server offers cannot be compared before install' },
  AUDIT_TOOL_CROSS_REFERENCE: { risk: 5, severity: 'high', meaning: 'a tool description refers to other tools or servers (shadowing, redirecting their use)' },
  AUDIT_TOOL_DUPLICATE: { risk: 5, severity: 'medium', meaning: 'two tools or prompts of the manifest share a name' },
  AUDIT_RUNTIME_FETCH_UNPINNED: { risk: 3, severity: 'high', meaning: 'the launch fetches a package or image from a feed without a pinned version or digest (npx, uvx, pipx, docker, ...)' },
  AUDIT_RUNTIME_FETCH_PINNED: { risk: 3, severity: 'low', meaning: 'the launch fetches a pinned package version from a feed at start-up, with no integrity hash' },
  AUDIT_UV_NO_LOCK: { risk: 3, severity: 'high', meaning: 'a uv server without a uv.lock: its dependencies resolve at install, unhashed' },
  AUDIT_DEPENDENCY_NO_LOCKFILE: { risk: 3, severity: 'medium', meaning: 'bundled dependencies without a lockfile (package-lock.json, uv.lock, hashed requirements.txt)' },
  AUDIT_DEPENDENCY_UNPINNED: { risk: 3, severity: 'medium', meaning: 'a dependency without an exact version or integrity hash' },
  AUDIT_DEPENDENCY_INSTALL_SCRIPT: { risk: 3, severity: 'medium', meaning: 'a bundled package declares preinstall, install or postinstall scripts' },
  AUDIT_DEPENDENCY_LOOKALIKE: { risk: 3, severity: 'high', meaning: 'a dependency named one edit away from a popular package' },
  AUDIT_DEPENDENCIES_UNCHECKED: { risk: 3, severity: 'info', meaning: 'the bundle ships dependencies but no dependency checker ran, or a dependency file could not be read (over `maxDependencyFileSize`, not text, not JSON): the risk stays unknown' },
  AUDIT_REMOTE_NOT_HTTPS: { risk: 4, severity: 'high', meaning: 'a remote endpoint that is not https (loopback excepted)' },
  AUDIT_REMOTE_SSE: { risk: 4, severity: 'medium', meaning: 'a remote endpoint on the deprecated HTTP+SSE transport instead of streamable HTTP' },
  AUDIT_REMOTE_NO_AUTH: { risk: 4, severity: 'medium', meaning: 'a remote endpoint that declares no authorization (no Authorization header or secret header)' },
  AUDIT_REMOTE_METADATA_UNCHECKED: { risk: 4, severity: 'info', meaning: "the endpoint's OAuth protected-resource metadata (RFC 9728) was not fetched: the audit is offline" },
  AUDIT_SPAWN_UNDECLARED: { risk: 6, severity: 'high', meaning: "the server's own code starts a program that process.spawn does not declare" },
  AUDIT_SPAWN_SHELL: { risk: 6, severity: 'high', meaning: 'the code or the launch runs a shell (exec, shell: true, os.system, sh -c)' },
  AUDIT_SPAWN_DYNAMIC: { risk: 6, severity: 'medium', meaning: "the server's own code starts a program whose name it computes, beside a declared spawn list" },
  AUDIT_DEPENDENCY_SPAWN: { risk: 6, severity: 'info', meaning: 'a bundled dependency can start processes (for the reviewer; not reached unless the server calls it)' },
  AUDIT_DOCKER_PRIVILEGED: { risk: 6, severity: 'high', meaning: 'a docker launch with --privileged, the host network or PID namespace, or the host root or docker socket mounted' },
  AUDIT_ORIGIN_UNVERIFIED: { risk: 7, severity: 'high', meaning: 'no verified signature binds the subject to a publisher: where it came from is unknown' },
  AUDIT_PUBLISHER_NOT_IN_POLICY: { risk: 7, severity: 'high', meaning: 'the policy names no publisher whose signature verified' },
  AUDIT_POLICY_REFUSED: { risk: 7, severity: 'high', meaning: 'the install policy refuses the bundle (deny list, server type, maxScopes)' },
  AUDIT_NO_POLICY: { risk: 7, severity: 'info', meaning: 'no --policy was given: nothing says this publisher was vetted, the risk stays unknown' },
  AUDIT_PUBLISHER_IN_POLICY: { risk: 7, severity: 'info', meaning: 'a publisher the policy names signed the bundle' },
  AUDIT_REGISTRY_DIGEST_MISMATCH: { risk: 7, severity: 'critical', meaning: "the server.json describes another file (fileSha256), or lists no mcpb package for this one" },
  AUDIT_SOCIAL_PROOF_CLAIM: { risk: 8, severity: 'medium', meaning: 'the manifest claims reputation (stars, downloads, "official", "verified", badges): never evidence' },
  AUDIT_NAME_LOOKALIKE: { risk: 9, severity: 'high', meaning: 'the name is one edit away from a well-known MCP server name' },
  AUDIT_NAMESPACE_MISMATCH: { risk: 9, severity: 'critical', meaning: "the server.json's io.github.OWNER namespace is not the signer's repository owner" },
  AUDIT_NAME_NOT_ALLOWED: { risk: 9, severity: 'critical', meaning: 'a publisher of the policy signed the bundle, but the policy does not let it ship this name' },
  AUDIT_NAME_REPOSITORY_MISMATCH: { risk: 9, severity: 'low', meaning: "the name shares no word with the signer's source repository or its owner" },
  AUDIT_CLOUD_EGRESS: { risk: 10, severity: 'info', meaning: 'the hosts the server contacts, grouped by cloud provider' },
  AUDIT_CLOUD_CREDENTIAL_UNDECLARED: { risk: 10, severity: 'high', meaning: 'the code reads cloud credentials (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, ~/.aws, ~/.config/gcloud, ...) that the scopes do not declare' },
  AUDIT_CLOUD_CREDENTIAL_DECLARED: { risk: 10, severity: 'low', meaning: "the scopes grant cloud credentials: the server acts with the user's cloud identity" },
  AUDIT_CHANNEL_CREDENTIAL_INLINE: { risk: 10, severity: 'high', meaning: 'a client config passes a credential value written out in its env or headers' },
  AUDIT_CHANNEL_MCPSEAL: { risk: 1, severity: 'info', meaning: 'launched through mcpseal run: a signed bundle pinned by sha256 in the lock, verified at install' },
  AUDIT_CHANNEL_PACKAGE_FEED: { risk: 1, severity: 'medium', meaning: 'launched from a package feed or image registry (npx, uvx, pipx, docker): no bundle signature is checked at launch' },
  AUDIT_CHANNEL_LOCAL: { risk: 1, severity: 'medium', meaning: 'launched from a local path: nothing binds it to a publisher' },
  AUDIT_CHANNEL_ENTRY_INVALID: { risk: 1, severity: 'high', meaning: 'a client config server entry that is not a launchable command or URL' },
} as const satisfies Record<string, CodeRow>;

export type AuditCode = keyof typeof AUDIT_CODES;

/** A finding of `code`: its severity comes from the table, never from the caller. */
export function finding(code: AuditCode, message: string, evidence?: AuditEvidence): AuditFinding {
  return { code, severity: AUDIT_CODES[code].severity, message, ...(evidence ? { evidence } : {}) };
}

/** high and critical fail a risk; medium and low warn; info only informs. */
export function statusOf(findings: readonly AuditFinding[]): 'pass' | 'warn' | 'fail' {
  if (findings.some((item) => item.severity === 'high' || item.severity === 'critical')) return 'fail';
  if (findings.some((item) => item.severity === 'medium' || item.severity === 'low')) return 'warn';
  return 'pass';
}

/** The worse of two statuses (fail > warn > unknown > pass > n/a). */
export function worse(a: RiskStatus, b: RiskStatus): RiskStatus {
  const rank: Record<RiskStatus, number> = { 'n/a': 0, pass: 1, unknown: 2, warn: 3, fail: 4 };
  return rank[a] >= rank[b] ? a : b;
}
