// Egress (issue 12 item 3): the host side of the sandbox's only ways out. The sandbox has no
// network of its own (a new, empty net namespace); inside it, socat listens on loopback ports and
// forwards each connection to a Unix socket of a private runtime directory bound into the view.
// Here, outside, those sockets lead to:
//   - an HTTP proxy (RFC 9110 §9.3.6 CONNECT, and absolute-form requests for plain http) that
//     lets through exactly the declared `host:port` pairs (a declared `*.example.com` covers the
//     names below it, as in the policy), answers 403 to anything else and reports the denial;
//   - one forward per declared loopback service (`127.0.0.1:5432`, `[::1]:6379`), connected to
//     that address on the host.
// A declared name that resolves to a loopback or link-local address (DNS rebinding towards the
// host's own services or a cloud metadata endpoint) is refused like an undeclared one.

import { lookup } from 'node:dns/promises';
import { isIP, connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isLoopback, splitHostPort } from './egress-targets.ts';
import type { LaunchPlan } from './plan.ts';
import type { Forward } from './setup.ts';

/** A connection the proxy refused, for the caller to report (the CLI prints it on stderr). */
export interface DeniedEgress {
  host: string;
  port: number;
  /** Why, in words: not declared, or resolving to a loopback / link-local address. */
  reason: string;
}

export interface EgressOptions {
  onDenied: (denied: DeniedEgress) => void;
  /** Name resolution (default: the system resolver); tests inject a fake. */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * `unix` (default, bwrap): Unix sockets for the in-sandbox forwards. `tcp` (Seatbelt: no network
   * namespace): the proxy on an ephemeral port of the host's loopback, loopback services reached directly.
   */
  transport?: 'unix' | 'tcp';
}

export interface Egress {
  forwards: Forward[];
  proxyPort: number | null;
  close(): Promise<void>;
}

const MAX_HEAD = 16 * 1024;

/** The host side of the plan's egress, its sockets under `runtimeDir`; nothing when the plan declares none. */
export async function startEgress(plan: LaunchPlan, runtimeDir: string, options: EgressOptions): Promise<Egress> {
  const servers: Server[] = [];
  const forwards: Forward[] = [];
  const loopback = plan.network.egress.map(splitHostPort).filter((target) => isLoopback(target.host));
  const named = plan.network.egress.filter((item) => !isLoopback(splitHostPort(item).host));
  const tcp = options.transport === 'tcp';
  for (const target of tcp ? [] : loopback) {
    if (forwards.some((forward) => forward.port === target.port)) continue;
    const socket = join(runtimeDir, `port-${target.port}.sock`);
    servers.push(await listenOn(socket, (client) => pipeTo(client, target.host === '[::1]' ? '::1' : '127.0.0.1', target.port, Buffer.alloc(0))));
    forwards.push({ port: target.port, socket });
  }
  let proxyPort: number | null = null;
  if (named.length > 0 || plan.network.userDriven !== null) {
    const rules = { allowed: new Set(plan.network.egress.map((item) => item.toLowerCase())), userDrivenPorts: plan.network.userDriven?.ports ?? [] };
    const socket = tcp ? { port: 0, host: '127.0.0.1' } : join(runtimeDir, 'proxy.sock');
    const server = await listenOn(socket, (client) => proxyConnection(client, rules, options));
    servers.push(server);
    if (tcp) proxyPort = (server.address() as AddressInfo).port;
    else {
      proxyPort = freePort(3128, forwards);
      forwards.push({ port: proxyPort, socket: socket as string });
    }
  }
  return {
    forwards,
    proxyPort,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function freePort(start: number, taken: readonly Forward[]): number {
  let port = start;
  while (taken.some((forward) => forward.port === port)) port++;
  return port;
}

function listenOn(where: string | { port: number; host: string }, onConnection: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: false }, (socket) => {
      socket.on('error', () => socket.destroy());
      onConnection(socket);
    });
    server.once('error', reject);
    if (typeof where === 'string') server.listen(where, () => resolve(server));
    else server.listen(where.port, where.host, () => resolve(server));
  });
}

/** Connects to host:port and pipes both ways, writing `head` first; a failed connect closes the client. */
function pipeTo(client: Socket, host: string, port: number, head: Buffer, onConnected?: () => void): void {
  const upstream = connect({ host, port });
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  upstream.once('connect', () => {
    onConnected?.();
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
}

interface Rules {
  allowed: ReadonlySet<string>;
  userDrivenPorts: readonly number[];
}

/** One proxy client: read the request head, decide, then tunnel (CONNECT) or forward (absolute-form). */
function proxyConnection(client: Socket, rules: Rules, options: EgressOptions): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buffered.length > MAX_HEAD) client.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
      return;
    }
    client.off('data', onData);
    client.pause();
    const request = parseRequest(buffered.subarray(0, end).toString('latin1'));
    if (request === null) {
      client.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const rest = buffered.subarray(end + 4);
    void admit(request.host, request.port, rules, options).then((address) => {
      if (address === null) {
        client.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (request.connect) {
        pipeTo(client, address, request.port, rest, () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
      } else {
        pipeTo(client, address, request.port, Buffer.concat([Buffer.from(`${request.originForm}\r\n`, 'latin1'), Buffer.from(request.headers, 'latin1'), Buffer.from('\r\n\r\n'), rest]));
      }
      client.resume();
    });
  };
  client.on('data', onData);
}

interface ProxyRequest {
  connect: boolean;
  host: string;
  port: number;
  /** The request line rewritten to origin-form (absolute-form requests only). */
  originForm: string;
  headers: string;
}

/** `CONNECT host:port HTTP/1.1` or `METHOD http://host[:port]/path HTTP/1.1` (RFC 9112 §3.2.2, §3.2.3). */
export function parseRequest(head: string): ProxyRequest | null {
  const newline = head.indexOf('\r\n');
  const line = newline < 0 ? head : head.slice(0, newline);
  const headers = newline < 0 ? '' : head.slice(newline + 2);
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/u.exec(line);
  if (match === null) return null;
  const [, method, target] = match as unknown as [string, string, string];
  if (method === 'CONNECT') {
    const { host, port } = splitHostPort(target);
    return Number.isInteger(port) && port > 0 && port < 65536 && host !== '' ? { connect: true, host, port, originForm: '', headers } : null;
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:') return null;
  return { connect: false, host: url.hostname.toLowerCase(), port: url.port === '' ? 80 : Number(url.port), originForm: `${method} ${url.pathname}${url.search} HTTP/1.1`, headers };
}

/** The address to connect to for an allowed host:port, or null after reporting why it is refused. */
async function admit(host: string, port: number, rules: Rules, options: EgressOptions): Promise<string | null> {
  const deny = (reason: string): null => {
    options.onDenied({ host, port, reason });
    return null;
  };
  const declared = rules.allowed.has(`${host}:${port}`) || [...rules.allowed].some((item) => wildcardCovers(item, host, port));
  const userDriven = !declared && rules.userDrivenPorts.includes(port) && !isLoopback(host);
  if (!declared && !userDriven) return deny('not declared in network.egress');
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return bare;
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolve)(bare);
  } catch {
    return deny('the name does not resolve');
  }
  const internal = addresses.find((address) => /^(?:127\.|169\.254\.|0\.)/u.test(address) || /^(?:::1$|fe80:|::ffff:127\.|::ffff:169\.254\.)/iu.test(address));
  if (internal !== undefined || addresses.length === 0) return deny(`it resolves to ${internal ?? 'nothing'} (loopback and link-local addresses are never reached by name)`);
  return addresses[0]!;
}

async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((entry) => entry.address);
}

function wildcardCovers(item: string, host: string, port: number): boolean {
  if (!item.startsWith('*.')) return false;
  const rule = splitHostPort(item);
  return rule.port === port && host.endsWith(rule.host.slice(1)) && host.length > rule.host.length - 1;
}
