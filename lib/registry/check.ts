// A server.json (attacker-supplied: anyone can write one) held to the bundle it claims to describe:
// the registry's schema, the mcpb package for this file, its fileSha256, and the name's namespace
// against the signer. Pure: the caller hands in the facts it verified (the file's sha256, the
// certificate's source repository); nothing here reads a file or trusts the document's own claims.

import { MCPSealError } from '../errors.ts';
import { mcpbIdentifierProblem } from './entry.ts';
import { serverSchemaProblems } from './schema.ts';

/** What the verified signature says about the signer, as far as the namespace check needs it. */
export type RegistrySigner =
  /** A Fulcio certificate; `sourceRepositoryUri` is its Source Repository URI (1.3.6.1.4.1.57264.1.12), null when absent. */
  | { kind: 'keyless'; sourceRepositoryUri: string | null }
  /** A public key: it names no repository. */
  | { kind: 'key' }
  /** No signature was verified. */
  | { kind: 'none' };

/**
 * The signer of a verified signature as the namespace check sees it: a certificate identity (its
 * decoded GitHub fields; sigstore's CertificateIdentity fits) or null for a key.
 */
export function registrySigner(identity: { github: { sourceRepositoryUri: string | null } } | null): RegistrySigner {
  return identity ? { kind: 'keyless', sourceRepositoryUri: identity.github.sourceRepositoryUri } : { kind: 'key' };
}

export interface ServerJsonFacts {
  /** sha256 (hex) of the whole bundle file, as verified. */
  sha256: string;
  /** The bundle's file name, to find its package when the digest matches none (to report a mismatch). */
  fileName?: string;
  signer: RegistrySigner;
}

/** The namespace binding: `bound` when the name's GitHub owner is the signer's; else why it was not checked. */
export type NamespaceCheck =
  | { status: 'bound'; namespace: string; owner: string; repository: string }
  | { status: 'unchecked'; namespace: string; reason: string };

export interface ServerJsonCheck {
  /** The server name (`namespace/name`). */
  name: string;
  /** The server.json `version`. */
  version: string;
  /** The mcpb package that describes this file, and its index in `packages`. */
  package: { index: number; identifier: string; fileSha256: string; version: string | null };
  namespace: NamespaceCheck;
}

interface Package {
  registryType: string;
  identifier: string;
  fileSha256?: string;
  version?: string;
}

/** Checks `document` (parsed JSON) against the facts; throws a REGISTRY_* error on the first refusal. */
export function checkServerJson(document: unknown, facts: ServerJsonFacts): ServerJsonCheck {
  const problems = serverSchemaProblems(document);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new MCPSealError('REGISTRY_INVALID', `server.json breaks the registry's schema at ${first.pointer || '/'}: ${first.message}`, {
      details: { pointer: first.pointer, problems },
    });
  }
  // The schema validated: name, description and version are strings; packages an array of Package.
  const server = document as { name: string; version: string; packages?: Package[] };
  const { index, pkg } = pickPackage(server.packages ?? [], facts);
  return {
    name: server.name,
    version: server.version,
    package: { index, identifier: pkg.identifier, fileSha256: pkg.fileSha256!, version: pkg.version ?? null },
    namespace: checkNamespace(server.name, facts.signer),
  };
}

/**
 * The mcpb package for this file: the one whose fileSha256 is the file's; failing that, the one
 * named like the file, or the only mcpb package, whose different digest is then the finding.
 */
function pickPackage(packages: Package[], facts: ServerJsonFacts): { index: number; pkg: Package } {
  const mcpb = packages.flatMap((pkg, index) => (pkg.registryType === 'mcpb' ? [{ index, pkg }] : []));
  if (mcpb.length === 0) {
    throw new MCPSealError('REGISTRY_PACKAGE_MISSING', `server.json lists no mcpb package (${packages.length} package${packages.length === 1 ? '' : 's'} of other types)`, {
      details: { expected: facts.sha256 },
    });
  }
  for (const candidate of mcpb) checkMcpbRules(candidate.pkg, candidate.index);
  const match = mcpb.find(({ pkg }) => pkg.fileSha256 === facts.sha256);
  if (match) return match;
  const named = facts.fileName === undefined ? [] : mcpb.filter(({ pkg }) => identifierBasename(pkg.identifier) === facts.fileName);
  const candidate = named.length === 1 ? named[0] : mcpb.length === 1 ? mcpb[0] : undefined;
  if (candidate) {
    throw new MCPSealError('REGISTRY_DIGEST_MISMATCH', `server.json records fileSha256 ${candidate.pkg.fileSha256!} for ${candidate.pkg.identifier}, but this file's sha256 is ${facts.sha256}`, {
      details: { pointer: `/packages/${candidate.index}/fileSha256`, expected: candidate.pkg.fileSha256, found: facts.sha256 },
    });
  }
  throw new MCPSealError('REGISTRY_PACKAGE_MISSING', `none of the ${mcpb.length} mcpb packages in server.json has this file's sha256 ${facts.sha256}`, {
    details: { expected: facts.sha256, found: mcpb.map(({ pkg }) => pkg.fileSha256) },
  });
}

/** The registry's mcpb rules the schema does not state (fileSha256 required, https identifier). */
function checkMcpbRules(pkg: Package, index: number): void {
  if (pkg.fileSha256 === undefined) {
    throw new MCPSealError('REGISTRY_INVALID', `packages[${index}] is an mcpb package without fileSha256 (the registry requires it for mcpb)`, {
      details: { pointer: `/packages/${index}` },
    });
  }
  const problem = mcpbIdentifierProblem(pkg.identifier);
  if (problem !== null) {
    throw new MCPSealError('REGISTRY_INVALID', `packages[${index}].identifier ${problem}`, { details: { pointer: `/packages/${index}/identifier`, found: pkg.identifier } });
  }
}

/** The last path segment of a download URL, decoded ("" when it has none or does not decode). */
function identifierBasename(identifier: string): string {
  try {
    const segments = new URL(identifier).pathname.split('/');
    return decodeURIComponent(segments[segments.length - 1] ?? '');
  } catch {
    return '';
  }
}

/** A GitHub repository URI (`https://github.com/OWNER/REPO`) split, or null for anything else. */
function githubRepository(uri: string | null): { owner: string; repository: string } | null {
  const match = uri === null ? null : /^https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9_.-]+)$/u.exec(uri);
  return match ? { owner: match[1]!, repository: `${match[1]!}/${match[2]!}` } : null;
}

/**
 * `io.github.OWNER/...` is the namespace the registry grants to whoever authenticates as the
 * GitHub user or organisation OWNER: a bundle published under it must have been built by OWNER's
 * repository, else a valid signature from another repository would pass for theirs (namespace
 * squatting). GitHub names are case-insensitive, so the comparison is too. Other namespaces
 * (reverse DNS, proved to the registry by DNS or HTTP) name no GitHub owner: reported unchecked.
 */
function checkNamespace(name: string, signer: RegistrySigner): NamespaceCheck {
  const namespace = name.slice(0, name.indexOf('/'));
  const github = /^io\.github\.(.+)$/u.exec(namespace);
  if (!github) return { status: 'unchecked', namespace, reason: 'not an io.github.OWNER namespace: it is proved to the registry by DNS or HTTP, which names no GitHub owner to compare with the signer' };
  if (signer.kind === 'none') return { status: 'unchecked', namespace, reason: 'no signature was verified' };
  if (signer.kind === 'key') return { status: 'unchecked', namespace, reason: 'signed with a key, which names no repository; the key itself is what binds the publisher' };
  const repository = githubRepository(signer.sourceRepositoryUri);
  if (!repository) return { status: 'unchecked', namespace, reason: 'the certificate names no GitHub source repository (not signed in GitHub Actions)' };
  const owner = github[1]!;
  if (owner.toLowerCase() !== repository.owner.toLowerCase()) {
    throw new MCPSealError('REGISTRY_NAMESPACE_MISMATCH', `server.json names ${name} (GitHub owner "${owner}"), but the bundle was signed by ${repository.repository}`, {
      details: { pointer: '/name', expected: owner, found: repository.owner },
    });
  }
  return { status: 'bound', namespace, owner: repository.owner, repository: repository.repository };
}
