// Egress hosts a scope may name (DESIGN.md "Scope declarations"): names and addresses a sandbox
// proxy can hold a server to. Two classes are refused whatever the installer's policy says:
// - addresses that reach the machine's own control plane rather than a service: link-local
//   (IPv4 169.254.0.0/16, RFC 3927; IPv6 fe80::/10, RFC 4291 §2.5.6), the cloud metadata
//   endpoints (169.254.169.254 on AWS, Azure, GCP and OCI; fd00:ec2::254 on AWS Nitro;
//   100.100.100.200 on Alibaba Cloud; metadata.google.internal by name), the unspecified
//   address (0.0.0.0/8 and ::, which Linux connects to the local host, RFC 1122 §3.2.1.3),
//   multicast (224.0.0.0/4, ff00::/8) and broadcast/reserved space (240.0.0.0/4);
// - wildcards over a public suffix: `*.co.uk`, `*.github.io` or `*.amazonaws.com` cover hosts of
//   unrelated owners. The Public Suffix List (https://publicsuffix.org/list/, ICANN and private
//   sections) is read through tldts, which ships it and is updated with it.
// Loopback (127.0.0.0/8, ::1) stays allowed: a local database is a legitimate, declared egress.
// An address must be written the way the WHATWG URL parser serialises it (`127.1`, `0x7f.1` or
// `2130706433` are all 127.0.0.1 to fetch): a reviewer must see the address that is reached.

import { createRequire } from 'node:module';
import type * as Tldts from 'tldts';

/** Why a host may not be an egress rule, or null when it may. */
export interface HostProblem {
  kind: 'address' | 'wildcard';
  why: string;
}

/** Metadata services reached by name (RFC 6761 names such as *.internal resolve only inside a cloud). */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** The problem with an egress host (already matching the scopes schema's host pattern), or null. */
export function egressHostProblem(host: string): HostProblem | null {
  if (host.startsWith('*.')) return wildcardProblem(host.slice(2).toLowerCase());
  const canonical = canonicalHost(host);
  if (canonical === null) return { kind: 'address', why: 'it is not a host the URL parser accepts' };
  const problem = canonicalHostProblem(canonical);
  if (problem !== null) return problem;
  if (canonical !== host.toLowerCase()) return { kind: 'address', why: `it is the address ${canonical} spelled another way: write ${canonical}` };
  return null;
}

function canonicalHostProblem(canonical: string): HostProblem | null {
  if (METADATA_NAMES.has(canonical)) return { kind: 'address', why: 'it is a cloud metadata service, which hands out the machine\'s credentials' };
  const ipv4 = parseIPv4(canonical);
  if (ipv4 !== null) return ipv4Problem(ipv4);
  if (canonical.startsWith('[')) return ipv6Problem(parseIPv6(canonical.slice(1, -1)));
  return null;
}

/** The host as `new URL()` serialises it (lower case, IPv4 dotted decimal, IPv6 compressed), or null when it is not a valid host. */
function canonicalHost(host: string): string | null {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}

let tldts: typeof Tldts | undefined;

/** tldts (the whole Public Suffix List) loads at the first wildcard rule: most manifests have none. */
function publicSuffixParser(): typeof Tldts {
  tldts ??= createRequire(import.meta.url)('tldts') as typeof Tldts;
  return tldts;
}

function wildcardProblem(base: string): HostProblem | null {
  // `*.1.2.3.4` is no name: a URL host ending in a number is parsed as an IPv4 address.
  if (/(?:^|\.)(?:\d+|0x[0-9a-f]*)$/u.test(base)) return { kind: 'wildcard', why: 'a wildcard over an IP address matches nothing a URL can name' };
  const parsed = publicSuffixParser().parse(base, { allowPrivateDomains: true });
  if (parsed.publicSuffix === base) {
    // The PSL's default rule makes an unlisted top-level name (`corp`, `lan`) a suffix too.
    const listed = parsed.isIcann === true || parsed.isPrivate === true;
    const what = listed ? 'is a public suffix (Public Suffix List)' : 'is a top-level name no registry vouches for (not in the Public Suffix List)';
    return { kind: 'wildcard', why: `"${base}" ${what}: the wildcard covers every site registered under it` };
  }
  if (hasSuffixBelow(base)) {
    return { kind: 'wildcard', why: `public suffixes lie under "${base}" (Public Suffix List, private section): the wildcard covers hosts of other owners` };
  }
  return null;
}

function ipv4Problem([a, b, c, d]: readonly number[]): HostProblem | null {
  const address = `${a}.${b}.${c}.${d}`;
  if (a === 169 && b === 254) return { kind: 'address', why: `${address} is link-local (169.254.0.0/16), where cloud metadata services answer` };
  if (address === '100.100.100.200') return { kind: 'address', why: 'it is the Alibaba Cloud metadata service' };
  if (a === 0) return { kind: 'address', why: `${address} is the unspecified address (0.0.0.0/8), which connects to the local host` };
  if (a! >= 224 && a! <= 239) return { kind: 'address', why: `${address} is multicast (224.0.0.0/4)` };
  if (a! >= 240) return { kind: 'address', why: `${address} is broadcast or reserved (240.0.0.0/4)` };
  return null;
}

function ipv6Problem(groups: readonly number[] | null): HostProblem | null {
  if (groups === null) return { kind: 'address', why: 'it is not an IPv6 address' };
  const [first = 0] = groups;
  const text = groups.map((group) => group.toString(16)).join(':');
  if (groups.every((group) => group === 0)) return { kind: 'address', why: 'it is the unspecified address ::' };
  // Loopback (::1) is a declared local service, like 127.0.0.1.
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return null;
  if ((first & 0xffc0) === 0xfe80) return { kind: 'address', why: `${text} is link-local (fe80::/10)` };
  if ((first & 0xff00) === 0xff00) return { kind: 'address', why: `${text} is multicast (ff00::/8)` };
  if (text === 'fd00:ec2:0:0:0:0:0:254') return { kind: 'address', why: 'it is the AWS metadata service (fd00:ec2::254)' };
  // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) and NAT64 (64:ff9b::/96) addresses carry
  // an IPv4 address a reviewer should see as such.
  const mapped = groups.slice(0, 5).every((group) => group === 0) && (groups[5] === 0xffff || groups[5] === 0);
  const nat64 = first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (mapped || nat64) {
    const octets = [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff];
    const inner = ipv4Problem(octets);
    return { kind: 'address', why: `it embeds the IPv4 address ${octets.join('.')}: ${inner === null ? 'write the IPv4 address itself' : inner.why}` };
  }
  return null;
}

function parseIPv4(host: string): number[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/u.exec(host);
  return match ? match.slice(1).map(Number) : null;
}

/** The eight 16-bit groups of an IPv6 address as `new URL()` serialises it (hex groups, one `::` at most). */
function parseIPv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/u.test(group))) return null;
  return groups.map((group) => parseInt(group, 16));
}

/**
 * The PSL as a trie of labels, read from tldts's data module (tldts exports lookups, not the
 * list): `*.amazonaws.com` is refused because rules such as `s3.amazonaws.com` lie below
 * amazonaws.com, which no lookup of amazonaws.com itself reveals. test/scope-model-hosts.test.ts
 * pins this against the list, so a change of tldts's data layout fails the tests, not silently.
 */
interface SuffixTrie {
  edgeStart: ArrayLike<number>;
  edgeLength: ArrayLike<number>;
  edgeChild: ArrayLike<number>;
  labelText: string;
  rulesRoot: number;
}

let trie: { data: SuffixTrie; offsets: Uint32Array } | undefined;

function suffixTrie(): { data: SuffixTrie; offsets: Uint32Array } {
  if (trie !== undefined) return trie;
  const data = createRequire(import.meta.url)('tldts/dist/cjs/src/data/trie.js') as SuffixTrie;
  const offsets = new Uint32Array(data.edgeLength.length);
  for (let edge = 0, offset = 0; edge < data.edgeLength.length; edge++) {
    offsets[edge] = offset;
    offset += data.edgeLength[edge]!;
  }
  trie = { data, offsets };
  return trie;
}

/** Whether some PSL rule lies strictly below `base` (`s3.amazonaws.com` below `amazonaws.com`). */
function hasSuffixBelow(base: string): boolean {
  const { data, offsets } = suffixTrie();
  let node = data.rulesRoot;
  for (const label of base.split('.').reverse()) {
    let next = -1;
    for (let edge = data.edgeStart[node]!; edge < data.edgeStart[node + 1]!; edge++) {
      if (data.edgeLength[edge] === label.length && data.labelText.startsWith(label, offsets[edge])) {
        next = data.edgeChild[edge]!;
        break;
      }
    }
    if (next < 0) return false;
    node = next;
  }
  return data.edgeStart[node + 1]! > data.edgeStart[node]!;
}
