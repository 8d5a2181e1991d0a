// Issue 12 "Tests (real sandbox, real MCP client)": a hostile server, built here, installed with a
// key and a directory grant, then started through `mcpseal run` under the official MCP SDK client.
// Its `probe` tool tries each escape of the list, one call each; every forbidden attempt
// must fail and every declared one must work. The same probes run from a Node server and from a
// Python server (standard library only), so the OS layer, not Node's permission flags, is shown to
// hold. Needs bubblewrap, socat and python3 (.ci/run installs them).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { tempDir } from './helpers/cli.ts';
import { makeSigner } from './helpers/install.ts';
import type { Probe, ProbeResult } from './helpers/probe-servers.ts';
import { connectRun, install, probe, probeBundle, type RunningClient } from './helpers/sandbox.ts';

/** A loopback listener that greets each connection. */
async function greeter(greeting: string): Promise<Server> {
  const server = createServer((socket) => socket.end(greeting));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

interface World {
  home: string;
  data: string;
  store: string;
  tree: string;
  declaredPort: number;
  undeclaredPort: number;
}

interface Escape {
  title: string;
  attempt: (world: World) => Probe;
  /** true: must work (declared); false: must fail. */
  allowed: boolean;
  /** Extra checks on the host afterwards. */
  check?: (world: World, result: ProbeResult, stderr: string) => Promise<void> | void;
}

const SECRET = '-----BEGIN OPENSSH PRIVATE KEY----- planted';

const ESCAPES: Escape[] = [
  { title: 'read the planted ~/.ssh/id_rsa', attempt: (w) => ({ action: 'read', path: join(w.home, '.ssh', 'id_rsa') }), allowed: false },
  { title: 'list the home directory', attempt: (w) => ({ action: 'list', path: w.home }), allowed: false },
  {
    title: 'write outside the declared directory',
    attempt: (w) => ({ action: 'write', path: join(w.home, 'outside.txt') }),
    allowed: false,
    check: (w) => assert.ok(!existsSync(join(w.home, 'outside.txt')), 'nothing reached the host'),
  },
  {
    title: 'write into its own bundle tree',
    attempt: (w) => ({ action: 'write', path: join(w.tree, 'server', 'planted.js') }),
    allowed: false,
    check: (w) => assert.ok(!existsSync(join(w.tree, 'server', 'planted.js'))),
  },
  {
    title: 'write inside the declared directory (must work)',
    attempt: (w) => ({ action: 'write', path: join(w.data, 'inside.txt') }),
    allowed: true,
    check: async (w) => assert.equal(await readFile(join(w.data, 'inside.txt'), 'utf8'), 'written by the probe'),
  },
  { title: 'connect to a loopback listener on an undeclared port', attempt: (w) => ({ action: 'connect', host: '127.0.0.1', port: w.undeclaredPort }), allowed: false },
  {
    title: 'connect to the declared 127.0.0.1:PORT (must work)',
    attempt: (w) => ({ action: 'connect', host: '127.0.0.1', port: w.declaredPort }),
    allowed: true,
    check: (_w, result) => assert.equal(result.detail, 'connected: hello from the declared service'),
  },
  {
    title: 'connect to the declared port as "localhost" (must work: the forward listens on 127.0.0.1 and ::1)',
    attempt: (w) => ({ action: 'connect', host: 'localhost', port: w.declaredPort }),
    allowed: true,
    check: (_w, result) => assert.equal(result.detail, 'connected: hello from the declared service'),
  },
  {
    title: 'fetch an undeclared host name through the proxy',
    attempt: () => ({ action: 'fetch', url: 'https://undeclared.example.com/' }),
    allowed: false,
    check: (_w, _r, stderr) => assert.match(stderr, /egress to undeclared\.example\.com:443 denied \(not declared in network\.egress\)/u),
  },
  { title: 'spawn /bin/sh with process.spawn empty', attempt: () => ({ action: 'spawn', path: '/bin/sh' }), allowed: false },
  { title: 'spawn its own interpreter\'s loader-free neighbour /usr/bin/env', attempt: () => ({ action: 'spawn', path: '/usr/bin/env' }), allowed: false },
  {
    // Node's flags refuse it first (ERR_ACCESS_DENIED); for Python only Landlock stands (EACCES).
    title: 'spawn socat, which is in its view for the forwards (Landlock refuses the execution itself)',
    attempt: () => ({ action: 'spawn', path: '/usr/bin/socat' }),
    allowed: false,
    check: (_w, result) => assert.match(result.detail, /ERR_ACCESS_DENIED|PermissionError: \[Errno 13\]/u),
  },
  { title: 'read an environment variable the parent has and the manifest does not declare', attempt: () => ({ action: 'env', name: 'MCPSEAL_PROBE_SECRET' }), allowed: false },
  {
    title: 'follow a symlink it creates in its writable directory to a file outside',
    attempt: (w) => ({ action: 'symlink', target: join(w.home, '.ssh', 'id_rsa'), link: join(w.data, 'link-to-key') }),
    allowed: false,
  },
];

for (const runtime of ['node', 'python'] as const) {
  describe(`run: a hostile ${runtime} server under bubblewrap, through the MCP SDK client`, function () {
    this.timeout(120_000);
    let tmp: { path: string; cleanup: () => Promise<void> };
    let world: World;
    let declared: Server;
    let undeclared: Server;
    let running: RunningClient;

    before(async () => {
      tmp = await tempDir(`mcpseal-sandbox-${runtime}-`);
      const root = await realpath(tmp.path);
      const home = join(root, 'home');
      const data = join(home, 'data');
      await mkdir(join(home, '.ssh'), { recursive: true });
      await mkdir(data);
      await writeFile(join(home, '.ssh', 'id_rsa'), SECRET);
      declared = await greeter('hello from the declared service');
      undeclared = await greeter('hello from an undeclared service');
      const signer = await makeSigner(root);
      const name = `probe-${runtime}`;
      const bundle = await probeBundle(root, signer, {
        name,
        runtime,
        args: ['${user_config.data}'],
        userConfig: { data: { type: 'directory', title: 'Data', description: 'where the server writes', required: true } },
        scopes: {
          filesystem: { read: ['${__dirname}'], write: ['${user_config.data}'] },
          network: { egress: [{ host: '127.0.0.1', ports: [portOf(declared)] }, { host: 'api.declared.test', ports: [443] }], listen: false },
        },
      });
      const store = join(root, 'store');
      await install(bundle, signer, store, { HOME: home }, [`data=${data}`]);
      const lock = JSON.parse(await readFile(join(store, 'mcpseal.lock.json'), 'utf8')) as { bundles: Record<string, { sha256: string }> };
      world = { home, data, store, tree: join(store, 'sha256', lock.bundles[name]!.sha256), declaredPort: portOf(declared), undeclaredPort: portOf(undeclared) };
      running = await connectRun(name, store, { PATH: process.env['PATH'] ?? '', HOME: home, MCPSEAL_PROBE_SECRET: 'parent-only' });
    });

    after(async () => {
      await running?.close();
      declared?.close();
      undeclared?.close();
      await tmp?.cleanup();
    });

    for (const escape of ESCAPES) {
      it(`${escape.allowed ? 'allowed' : 'refused'}: ${escape.title}`, async () => {
        const result = await probe(running.client, escape.attempt(world));
        assert.equal(result.ok, escape.allowed, `${escape.title}: ${JSON.stringify(result)}\nstderr:\n${running.stderr()}`);
        if (!escape.allowed) assert.ok(!result.detail.includes(SECRET), 'the secret never reaches the server');
        await escape.check?.(world, result, running.stderr());
      });
    }
  });
}
