// Relay throughput (issue 12 bar: a 10 MB tool result through the stdio relay of `run` at
// 50 MB/s or more). Run by `node bench/run.ts --only relay`, or alone:
//
//   node bench/relay.ts [--runs 15] [--json]
//
// Three cases, each the median of --runs after one warm-up, for one JSON-RPC line holding a
// 10 MB (10,000,000 bytes of text) tool result:
// - streamed: no tools/list is awaited, the line passes in chunks (the common case);
// - held: a tools/list is awaited, so the line is held whole and parsed before it is sent;
// - pipes: a real child process writes the result to its stdout pipe, the relay forwards it to a
//   sink; beside it the same child read directly, without the relay (the relay's cost is the
//   difference).
// Throughput = bytes of the line / time from the first byte offered to the last byte received.

import { spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { relayStdio } from '../lib/launch/relay.ts';

const TARGET_MB_PER_SECOND = 50;
const TEXT_BYTES = 10_000_000;
const line = Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'r'.repeat(TEXT_BYTES) }] } })}\n`);
const CHUNK = 64 * 1024;

/** A sink that counts bytes and resolves when `total` arrived. */
function sink(total: number): { stream: Writable; done: Promise<void> } {
  let received = 0;
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received >= total) resolve();
      callback();
    },
  });
  return { stream, done };
}

/** One line through the relay from an in-memory server in 64 KiB chunks; `held`: a tools/list is awaited first. */
async function inMemory(held: boolean): Promise<number> {
  const clientIn = new PassThrough();
  const serverIn = new PassThrough();
  serverIn.resume();
  let offset = 0;
  const serverOut = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (offset >= line.length) {
        this.push(null);
        return;
      }
      this.push(line.subarray(offset, offset + CHUNK));
      offset += CHUNK;
    },
  });
  const out = sink(line.length);
  serverOut.pause();
  const relay = relayStdio({
    client: { input: clientIn, output: out.stream },
    server: { input: serverIn, output: serverOut },
    pins: [],
    declaredTools: undefined,
    savePins: async () => {},
    warn: () => {},
  });
  // An awaited list: the next server line is held whole (it could be the answer).
  if (held) {
    clientIn.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
    await new Promise((resolve) => serverIn.once('data', resolve));
  }
  const start = process.hrtime.bigint();
  serverOut.resume();
  await out.done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clientIn.end();
  await relay;
  return seconds;
}

/** The child builds the same line itself (it is too large for an argument) before it reads the request. */
const SERVER = `const line = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'r'.repeat(${TEXT_BYTES}) }] } }) + '\\n');
process.stdin.once('data', () => process.stdout.write(line, () => process.exit(0)));
process.stderr.write('ready\\n');`;

/** The same child writing the line to its stdout pipe, read with or without the relay in between. */
async function throughPipes(withRelay: boolean): Promise<number> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const ready = new Promise((resolve) => child.stderr.once('data', resolve));
  const out = sink(line.length);
  const clientIn = new PassThrough();
  const relay = withRelay
    ? relayStdio({ client: { input: clientIn, output: out.stream }, server: { input: child.stdin, output: child.stdout }, pins: [], declaredTools: undefined, savePins: async () => {}, warn: () => {} })
    : new Promise<void>((resolve) => child.stdout.pipe(out.stream).on('finish', resolve));
  // Time from the request (the child has built its answer) to the last byte received.
  await ready;
  const start = process.hrtime.bigint();
  child.stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"big"}}\n');
  await out.done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clientIn.end();
  child.stdin.end();
  await relay;
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(runs: number, once: () => Promise<number>): Promise<{ seconds: number; mbPerSecond: number; runs: number[] }> {
  await once();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  const seconds = median(samples);
  return { seconds, mbPerSecond: line.length / 1e6 / seconds, runs: samples };
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const cases = {
  streamed: await measure(runs, () => inMemory(false)),
  held: await measure(runs, () => inMemory(true)),
  'pipes, relay': await measure(runs, () => throughPipes(true)),
  'pipes, direct': await measure(runs, () => throughPipes(false)),
};
console.log(`\n  relay - one ${(line.length / 1e6).toFixed(1)} MB tool result line, median of ${runs} run(s), target >= ${TARGET_MB_PER_SECOND} MB/s`);
for (const [name, result] of Object.entries(cases)) {
  const verdict = name === 'pipes, direct' ? '(no relay)' : result.mbPerSecond >= TARGET_MB_PER_SECOND ? 'met' : 'NOT met';
  console.log(`    ${name.padEnd(14)} ${(result.seconds * 1000).toFixed(1).padStart(8)} ms  ${result.mbPerSecond.toFixed(0).padStart(6)} MB/s  ${verdict}`);
}
console.log(`    peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
if (values.json) console.log(JSON.stringify({ bytes: line.length, runs, cases }));
