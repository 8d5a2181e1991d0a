// Risk 4: remote endpoints (a server.json's `remotes`, a client config's URL entries): https
// only, streamable HTTP rather than the deprecated HTTP+SSE transport (MCP 2025-03-26), and a
// declared authorization. The MCP authorization spec requires OAuth protected-resource metadata
// (RFC 9728) from servers that use authorization; fetching it is online work the audit does not do.

import { finding } from './findings.ts';
import type { AuditFinding, RiskResult } from './model.ts';
import { decided, notApplicable } from './risk.ts';

export interface RemoteEndpoint {
  /** `streamable-http`, `sse`, `http`, or undefined when the entry does not say. */
  type: string | undefined;
  url: string;
  /** The headers the client sends: their names, and whether they are secret. */
  headers: { name: string; secret: boolean }[];
  /** Where it is declared, e.g. `remotes[0]` or `mcpServers.foo`. */
  where: string;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/iu;
const AUTH_HEADER = /^(?:authorization|proxy-authorization|x-api-key|api-key|x-auth-token)$|token|secret|key|auth/iu;

export function endpointFindings(endpoint: RemoteEndpoint, path: string): AuditFinding[] {
  const findings: AuditFinding[] = [];
  let url: URL | undefined;
  try {
    url = new URL(endpoint.url);
  } catch {
    return [finding('AUDIT_REMOTE_NOT_HTTPS', `${endpoint.where}: "${endpoint.url}" is not a URL`, { path })];
  }
  const evidence = { path, excerpt: endpoint.url };
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) findings.push(finding('AUDIT_REMOTE_NOT_HTTPS', `${endpoint.where}: ${url.protocol.replace(':', '')} to ${url.hostname}`, evidence));
  const sse = endpoint.type === 'sse' || (endpoint.type === undefined && /\/sse\/?$/u.test(url.pathname));
  if (sse) findings.push(finding('AUDIT_REMOTE_SSE', `${endpoint.where}: HTTP+SSE (deprecated since MCP 2025-03-26); use streamable HTTP`, evidence));
  if (!endpoint.headers.some((header) => header.secret || AUTH_HEADER.test(header.name))) findings.push(finding('AUDIT_REMOTE_NO_AUTH', `${endpoint.where}: no Authorization or secret header is declared`, evidence));
  else findings.push(finding('AUDIT_REMOTE_METADATA_UNCHECKED', `${endpoint.where}: fetch ${url.origin}/.well-known/oauth-protected-resource to confirm its OAuth metadata`, evidence));
  return findings;
}

/** The remotes of a server.json (registry schema: `remotes[].type/url/headers[]`). */
export function serverJsonRemotes(document: unknown): RemoteEndpoint[] {
  const remotes = (document as { remotes?: unknown } | null)?.remotes;
  if (!Array.isArray(remotes)) return [];
  return remotes.flatMap((remote: unknown, index) => {
    if (typeof remote !== 'object' || remote === null) return [];
    const entry = remote as { type?: unknown; url?: unknown; headers?: unknown };
    const headers = Array.isArray(entry.headers) ? entry.headers.flatMap((header: unknown) => (typeof header === 'object' && header !== null && typeof (header as { name?: unknown }).name === 'string' ? [{ name: (header as { name: string }).name, secret: (header as { isSecret?: unknown }).isSecret === true }] : [])) : [];
    return [{ type: typeof entry.type === 'string' ? entry.type : undefined, url: typeof entry.url === 'string' ? entry.url : '', headers, where: `remotes[${index}]` }];
  });
}

/** Risk 4 over the endpoints found; n/a when there are none (a local stdio server). */
export function remoteRisk(endpoints: readonly RemoteEndpoint[], path: string): RiskResult {
  if (endpoints.length === 0) return notApplicable(4, 'no remote endpoint: the server runs locally over stdio');
  const findings = endpoints.flatMap((endpoint) => endpointFindings(endpoint, path));
  return decided(4, findings, `${endpoints.length} remote endpoint${endpoints.length === 1 ? '' : 's'} over https with streamable HTTP and declared authorization`);
}
