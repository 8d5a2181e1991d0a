// Egress hosts (issue 10, item 4): addresses that reach a machine's control plane (link-local,
// cloud metadata, unspecified, multicast, broadcast) in every spelling the URL parser accepts, and
// wildcards over a public suffix of the Public Suffix List, private section included. Loopback is
// a declared local service and stays allowed (DESIGN.md).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { egressHostProblem, validateManifest } from '../lib/index.ts';
import { ROOT } from './helpers/cli.ts';

type Manifest = Record<string, any>;

const EXAMPLE: Manifest = JSON.parse(await readFile(join(ROOT, 'examples/hello-bundle/manifest.json'), 'utf8'));
const HOST = '/_meta/dev.mcpseal/scopes/network/egress/0/host';

/** The scope findings (as "severity CODE /pointer") of the example with one egress rule to `host`. */
function egressFindings(host: string): string[] {
  const manifest = structuredClone(EXAMPLE);
  manifest['_meta']['dev.mcpseal']['scopes']['network']['egress'] = [{ host, ports: [443] }];
  return validateManifest(manifest)
    .findings.filter((finding) => finding.code.startsWith('SCOPE_'))
    .map((finding) => `${finding.severity} ${finding.code} ${finding.pointer}`);
}

describe('egress hosts: addresses that are never a service', () => {
  const REFUSED: Array<[string, RegExp]> = [
    ['169.254.169.254', /link-local/u],
    ['169.254.0.1', /link-local/u],
    ['169.254.255.255', /link-local/u],
    ['100.100.100.200', /Alibaba/u],
    ['metadata.google.internal', /metadata/u],
    ['Metadata.Google.Internal', /metadata/u],
    ['metadata', /metadata/u],
    ['instance-data.ec2.internal', /metadata/u],
    ['0.0.0.0', /unspecified/u],
    ['0.1.2.3', /unspecified/u],
    ['224.0.0.251', /multicast/u],
    ['239.255.255.250', /multicast/u],
    ['255.255.255.255', /broadcast/u],
    ['240.0.0.1', /reserved/u],
    ['[::]', /unspecified/u],
    ['[0:0:0:0:0:0:0:0]', /unspecified/u],
    ['[fe80::1]', /link-local/u],
    ['[FE80::abcd]', /link-local/u],
    ['[febf::1]', /link-local/u],
    ['[fd00:ec2::254]', /AWS metadata/u],
    ['[fd00:0ec2:0:0:0:0:0:0254]', /AWS metadata/u],
    ['[ff02::1]', /multicast/u],
    ['[::ffff:169.254.169.254]', /169\.254\.169\.254: .*link-local/u],
    ['[::ffff:a9fe:a9fe]', /169\.254\.169\.254/u],
    ['[64:ff9b::a9fe:a9fe]', /169\.254\.169\.254/u],
    ['[::ffff:127.0.0.1]', /127\.0\.0\.1: write the IPv4 address itself/u],
    // Other spellings of an address: what fetch reaches is not what a reviewer reads.
    ['2852039166', /169\.254\.169\.254/u],
    ['0xa9fea9fe', /169\.254\.169\.254/u],
    ['0251.0376.0251.0376', /169\.254\.169\.254/u],
    ['169.254.43518', /169\.254\.169\.254/u],
    ['127.1', /write 127\.0\.0\.1/u],
    ['2130706433', /write 127\.0\.0\.1/u],
    ['0x7f.0.0.1', /write 127\.0\.0\.1/u],
    ['010.0.0.1', /write 8\.0\.0\.1/u],
  ];
  for (const [host, why] of REFUSED) {
    it(`"${host}" is refused with SCOPE_EGRESS_ADDRESS`, () => {
      assert.deepEqual(egressFindings(host), [`error SCOPE_EGRESS_ADDRESS ${HOST}`]);
      assert.match(egressHostProblem(host)!.why, why);
    });
  }

  const ALLOWED = ['127.0.0.1', '127.0.0.53', '[::1]', '10.0.0.5', '192.168.1.20', '172.16.0.1', '100.64.0.1', '8.8.8.8', '[2001:db8::1]', '[fd12:3456::1]', 'localhost', 'api.example.com', 'db.internal.example.com', 'API.Example.com'];
  for (const host of ALLOWED) {
    it(`"${host}" is an ordinary egress host`, () => {
      assert.deepEqual(egressFindings(host), []);
    });
  }

  it('every IPv4 address in 169.254.0.0/16, in dotted, decimal and hex spellings, is refused (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('dotted', 'decimal', 'hex', 'short'), (c, d, spelling) => {
        const value = (169 << 24) + (254 << 16) + (c << 8) + d;
        const host = spelling === 'dotted' ? `169.254.${c}.${d}` : spelling === 'decimal' ? String(value >>> 0) : spelling === 'hex' ? `0x${(value >>> 0).toString(16)}` : `169.254.${(c << 8) + d}`;
        return egressHostProblem(host)?.kind === 'address';
      }),
      { seed: 10_41, numRuns: 400 },
    );
  });

  it('loopback in dotted form is allowed, in any other spelling refused (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }), (b, c, d) => {
        assert.equal(egressHostProblem(`127.${b}.${c}.${d}`), null);
        assert.equal(egressHostProblem(String(((127 << 24) >>> 0) + (b << 16) + (c << 8) + d))?.kind, 'address');
      }),
      { seed: 10_42, numRuns: 200 },
    );
  });
});

describe('egress wildcards over a public suffix (Public Suffix List, through tldts)', () => {
  const REFUSED = [
    '*.com',
    '*.uk',
    '*.co.uk',
    '*.com.au',
    '*.github.io',
    '*.amazonaws.com',
    '*.s3.amazonaws.com',
    '*.compute.amazonaws.com',
    '*.cloudfront.net',
    '*.herokuapp.com',
    '*.vercel.app',
    '*.blogspot.com',
    '*.azurewebsites.net',
    '*.internal',
    '*.localhost',
    '*.corp',
    '*.CO.UK',
    '*.10.0.0.1',
  ];
  for (const host of REFUSED) {
    it(`"${host}" is refused with SCOPE_WILDCARD_HOST`, () => {
      assert.deepEqual(egressFindings(host), [`error SCOPE_WILDCARD_HOST ${HOST}`]);
    });
  }

  const ALLOWED = ['*.example.com', '*.github.com', '*.api.example.co.uk', '*.bbc.co.uk', '*.acme.dev', 'github.io', 'amazonaws.com', 's3.amazonaws.com', 'mybucket.s3.amazonaws.com'];
  for (const host of ALLOWED) {
    it(`"${host}" is allowed (a registrable domain, or a plain name)`, () => {
      assert.deepEqual(egressFindings(host), []);
    });
  }

  it('the private section is read: amazonaws.com has suffixes below it, example.com has none', () => {
    assert.match(egressHostProblem('*.amazonaws.com')!.why, /private section/u);
    assert.equal(egressHostProblem('*.example.com'), null);
  });

  it('a wildcard over any public suffix is refused, over any name registered under one allowed (property)', () => {
    const suffix = fc.constantFrom('com', 'org', 'co.uk', 'com.au', 'github.io', 'herokuapp.com', 'jp', 'de', 'io');
    const label = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/u).filter((name) => !['com', 'org', 'net', 'gov', 'edu', 'co', 'ac', 'id', 'web'].includes(name));
    fc.assert(
      fc.property(suffix, label, (base, name) => {
        assert.equal(egressHostProblem(`*.${base}`)?.kind, 'wildcard', base);
        assert.equal(egressHostProblem(`*.${name}-registered.${base}`), null, `${name}-registered.${base}`);
      }),
      { seed: 10_43, numRuns: 300 },
    );
  });
});
