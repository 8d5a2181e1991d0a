// The CLI writes its lines to fds 1 and 2 itself (lib/cli/output.ts DirectWriter): everything
// arrives, in order, when a pipe fills up (the rest goes through the stream); nothing is thrown
// and nothing more is written when the reader has gone; and the CLI no longer dies with an
// unhandled EPIPE when its output is piped into a command that does not read it.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DirectWriter, Output } from '../lib/cli/output.ts';
import { BIN, ROOT, suiteTempDir } from './helpers/cli.ts';

/** The descriptor of the parent's end of a child's stdin pipe (libuv opens it non-blocking). */
function stdinFd(child: ChildProcess): number {
  const fd = (child.stdin as unknown as { _handle?: { fd?: number } })._handle?.fd;
  assert.ok(typeof fd === 'number' && fd > 2, 'the pipe has a descriptor');
  return fd;
}

const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('the CLI writes its output to the descriptors directly (lib/cli/output.ts)', () => {
  const tmp = suiteTempDir();

  it('a pipe that fills up (EAGAIN) gets the rest through the stream: every byte, in order', async () => {
    const out = join(tmp.path, 'full-pipe.txt');
    // The reader starts late, so 2 MiB cannot all fit in the pipe before it reads.
    const child = spawn('sh', ['-c', `sleep 0.5; cat > '${out}'`], { stdio: ['pipe', 'ignore', 'inherit'] });
    const stream = child.stdin;
    const output = new Output({ stdout: stream, stderr: process.stderr, env: {}, fds: { stdout: stdinFd(child), stderr: 2 } }, false);
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    output.text(lines.slice(0, 20_000).join('\n'));
    output.text(lines.slice(20_000).join('\n'));
    stream.end();
    assert.equal(await exited(child), 0);
    assert.equal(readFileSync(out, 'utf8'), `${lines.join('\n')}\n`);
  });

  it('the pipe that filled up is the one the writer left for the stream (the path above was taken)', async () => {
    const child = spawn('sh', ['-c', 'sleep 0.5; cat > /dev/null'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const writer = new DirectWriter(stdinFd(child), () => child.stdin);
    writer.write('a'.repeat(64));
    assert.equal(writer.state, 'direct');
    writer.write('b'.repeat(4 * 1024 * 1024));
    assert.equal(writer.state, 'stream');
    (child.stdin).end();
    assert.equal(await exited(child), 0);
  });

  it('a reader that has gone (EPIPE) takes nothing more, and nothing is thrown', () => {
    // A FIFO whose only reader closes after the writer opened it: every write is then EPIPE.
    const fifo = join(tmp.path, 'gone.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    try {
      let made = 0;
      const writer = new DirectWriter(fd, () => {
        made++;
        return process.stderr;
      });
      writer.write('lost\n');
      assert.equal(writer.state, 'closed');
      writer.write('lost too\n');
      assert.equal(made, 0, 'the stream is never made for a closed pipe');
    } finally {
      closeSync(fd);
    }
  });

  it('mcpseal piped into a command that reads nothing exits with its own status, without a stack trace', () => {
    for (const args of [['--help'], ['verify', '--help']]) {
      const command = `(sleep 0.3; "${process.execPath}" "${BIN}" ${args.join(' ')}; echo "status=$?" >&2) | true`;
      const result = spawnSync('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(result.stderr, 'status=0\n', args.join(' '));
    }
  });

  it('without descriptors, lines go to the streams as before', () => {
    const written: string[] = [];
    const sink = { write: (chunk: string) => written.push(chunk) } as unknown as NodeJS.WritableStream;
    const output = new Output({ stdout: sink, stderr: sink, env: {} }, false);
    output.text('one\ntwo');
    output.warning('careful');
    assert.deepEqual(written, ['one\ntwo\n', 'mcpseal: warning: careful\n']);
  });
});
