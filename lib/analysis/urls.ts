// URL literals in code: whole URLs (`'https://api.github.com/user'`) and the head of a template
// whose host is complete (`https://api.search.brave.com${path}`). A host that a hole completes
// (`https://${region}.example.com`) is not a host literal.

export interface UrlTarget {
  scheme: string;
  /** Lower-case; IPv6 in brackets. */
  host: string;
  /** The explicit port, else the scheme's default (443 https/wss, 80 http/ws). */
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'wss:': 443, 'http:': 80, 'ws:': 80 };

/** A whole URL: scheme, host, and nothing that is not URL text (a sentence with a URL is not one). */
const WHOLE = /^(?:https?|wss?):\/\/[^\s"'<>`\\]+$/iu;
/** A template head that ends after a complete host (and optional port): the hole starts the path. */
const HEAD = /^(?:https?|wss?):\/\/(?:\[[0-9a-f:.]+\]|[a-z0-9.-]*[a-z0-9]\.[a-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?:[/?#][^\s"'<>`\\]*)?$/iu;

/** The target of `text` when it is a whole URL (or, `head`, a template's literal start with a complete host). */
export function urlTarget(text: string, options: { head?: boolean } = {}): UrlTarget | null {
  if (text.length > 2048 || !(options.head ? HEAD : WHOLE).test(text)) return null;
  let url: URL;
  try {
    url = new URL(options.head ? text.replace(/[?#].*$/u, '') || text : text);
  } catch {
    return null;
  }
  const defaultPort = DEFAULT_PORTS[url.protocol];
  // Port 0 is no destination (the schema's ports are 1-65535).
  if (defaultPort === undefined || url.hostname === '' || url.port === '0') return null;
  return { scheme: url.protocol.slice(0, -1), host: url.hostname.toLowerCase(), port: url.port === '' ? defaultPort : Number(url.port) };
}

/** `host:port` for display and dedupe. */
export function hostPort(target: UrlTarget): string {
  return `${target.host}:${target.port}`;
}
