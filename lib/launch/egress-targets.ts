// The declared egress pairs as the launch reads them, shared by the host-side proxy (egress.ts)
// and the Seatbelt profile (seatbelt.ts): `host:port` split at its last colon (an IPv6 host keeps
// its brackets), and which hosts are this machine's loopback: those are reached through a port
// forward (or directly on macOS), never through the proxy. Kept apart from egress.ts so that a
// plan without egress does not load the proxy and the resolver.

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A declared `host:port` (validated by the scopes schema), the host lower-cased. */
export function splitHostPort(item: string): { host: string; port: number } {
  const colon = item.lastIndexOf(':');
  return { host: item.slice(0, colon).toLowerCase(), port: Number(item.slice(colon + 1)) };
}

/** Whether `host` (as split by splitHostPort) names this machine's loopback interface. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/u.test(host);
}
