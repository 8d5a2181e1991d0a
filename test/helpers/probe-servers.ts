// Hostile MCP servers for the sandbox tests (issue 12 "Tests"): a Node one and a Python one (no
// dependencies, standard library only) speaking MCP over stdio, each with one `probe` tool that
// tries one thing per call and answers { ok, detail }. The tests decide which attempts must fail.

/** One attempt; the same actions in both servers. */
export type Probe =
  | { action: 'read'; path: string }
  | { action: 'list'; path: string }
  | { action: 'write'; path: string }
  | { action: 'connect'; host: string; port: number }
  | { action: 'fetch'; url: string }
  | { action: 'spawn'; path: string; args?: string[] }
  | { action: 'env'; name: string }
  | { action: 'symlink'; target: string; link: string };

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** The Node server (CommonJS, newline-delimited JSON-RPC as the MCP stdio transport specifies). */
export const NODE_PROBE_SERVER = String.raw`'use strict';
const fs = require('node:fs');
const net = require('node:net');
const childProcess = require('node:child_process');
const readline = require('node:readline');

function attempt(work) {
  try {
    const detail = work();
    return Promise.resolve(detail).then((d) => ({ ok: true, detail: String(d) }), (e) => ({ ok: false, detail: String(e && (e.code || e.message) || e) + (e && e.cause ? ' ' + String(e.cause.code || e.cause.message) : '') }));
  } catch (e) {
    return Promise.resolve({ ok: false, detail: String(e.code || e.message) });
  }
}

const PROBES = {
  read: (a) => fs.readFileSync(a.path, 'utf8'),
  list: (a) => fs.readdirSync(a.path).join(','),
  write: (a) => { fs.writeFileSync(a.path, 'written by the probe'); return 'written'; },
  connect: (a) => new Promise((resolve, reject) => {
    const socket = net.connect({ host: a.host, port: a.port });
    socket.setTimeout(3000, () => { socket.destroy(); reject(new Error('timeout')); });
    socket.once('data', (data) => { socket.destroy(); resolve('connected: ' + data.toString()); });
    socket.once('error', reject);
  }),
  fetch: async (a) => { const response = await fetch(a.url, { signal: AbortSignal.timeout(5000) }); return 'status ' + response.status; },
  spawn: (a) => { const r = childProcess.spawnSync(a.path, a.args || ['-c', 'echo spawned'], { encoding: 'utf8' }); if (r.error) throw r.error; if (r.status !== 0) throw new Error('exit ' + r.status); return r.stdout; },
  env: (a) => { const value = process.env[a.name]; if (value === undefined) throw new Error('unset'); return value; },
  symlink: (a) => { fs.symlinkSync(a.target, a.link); return fs.readFileSync(a.link, 'utf8'); },
};

function reply(id, result) { process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\n'); }

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.id === undefined) return;
  if (message.method === 'initialize') {
    reply(message.id, { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'probe-node', version: '1.0.0' } });
  } else if (message.method === 'tools/list') {
    reply(message.id, { tools: [{ name: 'probe', description: 'tries one thing', inputSchema: { type: 'object' } }] });
  } else if (message.method === 'tools/call') {
    const args = message.params.arguments;
    const probe = PROBES[args.action];
    attempt(() => probe(args)).then((outcome) => reply(message.id, { content: [{ type: 'text', text: JSON.stringify(outcome) }] }));
  } else {
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'no such method' } }) + '\n');
  }
});
`;

/** The Python server: the same protocol and probes with the standard library only. */
export const PYTHON_PROBE_SERVER = String.raw`import json, os, socket, subprocess, sys, urllib.request

def read(a):
    with open(a['path']) as f: return f.read()
def listdir(a): return ','.join(os.listdir(a['path']))
def write(a):
    with open(a['path'], 'w') as f: f.write('written by the probe')
    return 'written'
def connect(a):
    with socket.create_connection((a['host'], a['port']), timeout=3) as s: return 'connected: ' + s.recv(100).decode()
def fetch(a):
    with urllib.request.urlopen(a['url'], timeout=5) as r: return 'status %d' % r.status
def spawn(a): return subprocess.run([a['path']] + a.get('args', ['-c', 'echo spawned']), capture_output=True, check=True, text=True).stdout
def env(a):
    if a['name'] not in os.environ: raise KeyError('unset')
    return os.environ[a['name']]
def symlink(a):
    os.symlink(a['target'], a['link'])
    with open(a['link']) as f: return f.read()
PROBES = {'read': read, 'list': listdir, 'write': write, 'connect': connect, 'fetch': fetch, 'spawn': spawn, 'env': env, 'symlink': symlink}

def reply(id, result):
    sys.stdout.write(json.dumps({'jsonrpc': '2.0', 'id': id, 'result': result}) + '\n'); sys.stdout.flush()

for line in sys.stdin:
    message = json.loads(line)
    if 'id' not in message: continue
    method = message.get('method')
    if method == 'initialize':
        reply(message['id'], {'protocolVersion': message['params']['protocolVersion'], 'capabilities': {'tools': {}}, 'serverInfo': {'name': 'probe-python', 'version': '1.0.0'}})
    elif method == 'tools/list':
        reply(message['id'], {'tools': [{'name': 'probe', 'description': 'tries one thing', 'inputSchema': {'type': 'object'}}]})
    elif method == 'tools/call':
        args = message['params']['arguments']
        try: outcome = {'ok': True, 'detail': str(PROBES[args['action']](args))}
        except Exception as error: outcome = {'ok': False, 'detail': '%s: %s' % (type(error).__name__, error)}
        reply(message['id'], {'content': [{'type': 'text', 'text': json.dumps(outcome)}]})
    else:
        sys.stdout.write(json.dumps({'jsonrpc': '2.0', 'id': message['id'], 'error': {'code': -32601, 'message': 'no such method'}}) + '\n'); sys.stdout.flush()
`;
