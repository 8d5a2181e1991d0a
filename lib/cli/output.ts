// Everything the CLI writes goes through here: results on stdout (text or one JSON document),
// one clear error line on stderr, progress on stderr only when it is a terminal. Every line is
// passed through terminalSafe() on its way out, so no command can print a bundle's bytes raw.

import { writeSync } from 'node:fs';
import { EXIT_CLASS, MCPSealError, type ErrorCode } from '../errors.ts';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Aborted when the user interrupts (Ctrl-C): long work stops and cleans up. */
  signal?: AbortSignal;
  /**
   * The file descriptors behind `stdout` and `stderr` (1 and 2 for the process's own): lines are
   * then written to them directly, and the streams are used only as `DirectWriter` says. The
   * first use of process.stdout or process.stderr builds a stream over a pipe, with Node's net
   * modules (1.9 ms measured alone, ~1 ms of a 0.1 s verify: README "Flat memory and speed").
   */
  fds?: { stdout: number; stderr: number };
}

/**
 * Writes text to a file descriptor with writeSync, all of it, in order with everything written
 * before. A full non-blocking pipe (EAGAIN, when the reader is slow) or any other failure hands
 * the rest, and every later write, to `stream`, which queues and reports as Node's own stdout
 * does; a pipe whose reader has gone (EPIPE: `mcpseal verify x | head -0`) takes nothing more,
 * silently, and the command's exit status stands (process.stdout died there with an unhandled
 * 'error' and a stack trace).
 */
export class DirectWriter {
  readonly fd: number;
  readonly #stream: () => NodeJS.WritableStream;
  #state: 'direct' | 'stream' | 'closed' = 'direct';

  constructor(fd: number, stream: () => NodeJS.WritableStream) {
    this.fd = fd;
    this.#stream = stream;
  }

  /** How the next write goes: to the descriptor, through the stream, or nowhere (the reader has gone). */
  get state(): 'direct' | 'stream' | 'closed' {
    return this.#state;
  }

  write(text: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'stream') {
      this.#stream().write(text);
      return;
    }
    const bytes = Buffer.from(text);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
        this.#state = 'closed';
        return;
      }
      this.#state = 'stream';
      this.#stream().write(bytes.subarray(written));
    }
  }
}

/** Below this many bytes of work, no progress bar: it would flash for a fraction of a second. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_FAILED = 2;

/** The exit status of a code: EXIT_CLASS is the one source (nothing is read from a prefix). */
export function exitStatus(code: ErrorCode): number {
  return EXIT_CLASS[code] === 'rejected' ? EXIT_REJECTED : EXIT_FAILED;
}

/**
 * Characters a terminal acts on or a reader cannot see: C0 controls (ESC starts CSI and OSC
 * sequences: erase the line, move the cursor, OSC 52 sets the clipboard; CR and LF fake lines),
 * DEL, C1 controls (U+0080-U+009F; U+009B is a one-byte CSI and U+009D a one-byte OSC on terminals
 * that honour 8-bit controls), format characters (Unicode category Cf: bidi overrides and
 * isolates U+202A-U+202E and U+2066-U+2069 that reorder what is displayed, zero-width U+200B-U+200F,
 * U+2060-U+2064, U+FEFF, tag characters U+E0000-U+E007F) and the line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Text safe to write to a terminal: every unsafe character becomes a visible `\u` escape of four hex digits
 * (UTF-16 units, so the same form is also a valid escape inside a JSON string). Applied to whole
 * lines, including the characters of our own JSON documents, where raw controls never occur
 * (JSON.stringify escapes C0) but DEL, C1 and format characters would otherwise pass through.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => {
    let escaped = '';
    for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/**
 * The one JSON shape of a failure (README "CLI"): `{ ok: false, ...report, error: { code,
 * message, details } }`. `details` is nested, never spread, so no detail can overwrite the code
 * or the message; it is the same object as `MCPSealError.toJSON()`.
 */
export function errorDocument(error: MCPSealError, report: Record<string, unknown> = {}): Record<string, unknown> {
  return { ok: false, ...report, error: error.toJSON() };
}

export class Output {
  readonly json: boolean;
  readonly #streams: Streams;
  readonly #writers: { stdout?: DirectWriter; stderr?: DirectWriter } = {};

  constructor(streams: Streams, json: boolean) {
    this.#streams = streams;
    this.json = json;
  }

  /** Prints the command's result: `lines` as text, or `{ ok: true, ...value }` as JSON. */
  result(value: Record<string, unknown>, lines: () => string[]): void {
    if (this.json) this.#document({ ok: true, ...value });
    else this.#lines('stdout', lines());
  }

  /**
   * Reports a rejection that comes with a full report (validation findings): the report on stdout
   * (text lines, or JSON beside the error), the one error line on stderr.
   */
  rejected(value: Record<string, unknown>, error: MCPSealError, lines: () => string[]): number {
    if (this.json) this.#document(errorDocument(error, value));
    else this.#lines('stdout', lines());
    this.#errorLine(error);
    return exitStatus(error.code);
  }

  /**
   * One file's result in a batch (cli/batch.ts): its JSON document on one line (JSON Lines), or
   * its text block (a blank line before every block but the first); a failure's error line also
   * goes to stderr, naming the file.
   */
  entry(entry: { file: string; json: string; lines: string[]; error: string | null }, first: boolean): void {
    if (this.json) this.#lines('stdout', [entry.json]);
    else this.#lines('stdout', first ? entry.lines : ['', ...entry.lines]);
    if (entry.error !== null) this.#lines('stderr', [`mcpseal: ${entry.file}: ${entry.error}`]);
  }

  /** The last line of a batch in text mode (stdout stays JSON Lines only with --json). */
  summary(line: string): void {
    if (!this.json) this.#lines('stdout', ['', line]);
  }

  /** Trusted text of our own (usage, --help, --version), split into lines like everything else. */
  text(text: string): void {
    this.#lines('stdout', text.split('\n'));
  }

  /** A note for the human at the terminal; never on stdout, silent with --json. */
  note(message: string): void {
    if (!this.json) this.#lines('stderr', [`mcpseal: ${message}`]);
  }

  /** A warning the user must see even with --json (on stderr, so stdout stays one document). */
  warning(message: string): void {
    this.#lines('stderr', [`mcpseal: warning: ${message}`]);
  }

  /** Reports a failure and returns the exit status it maps to. */
  error(error: unknown): number {
    const known =
      error instanceof MCPSealError
        ? error
        : new MCPSealError('INTERNAL_ERROR', `unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    this.#errorLine(known);
    if (this.json) this.#document(errorDocument(known));
    return exitStatus(known.code);
  }

  #errorLine(error: MCPSealError): void {
    this.#lines('stderr', [`mcpseal: ${error.code}: ${error.message}`]);
  }

  /** One JSON document on stdout; JSON.stringify never emits a raw newline inside a string. */
  #document(value: Record<string, unknown>): void {
    this.#lines('stdout', JSON.stringify(value, null, 2).split('\n'));
  }

  /** The one place text is written: each line made terminal-safe, then ended with a newline. */
  #lines(which: 'stdout' | 'stderr', lines: string[]): void {
    this.#write(which, lines.map((line) => `${terminalSafe(line)}\n`).join(''));
  }

  #write(which: 'stdout' | 'stderr', text: string): void {
    const fd = this.#streams.fds?.[which];
    if (fd === undefined) this.#streams[which].write(text);
    else (this.#writers[which] ??= new DirectWriter(fd, () => this.#streams[which])).write(text);
  }

  /**
   * A progress reporter for long work, or undefined with --json or under CI. It draws only on a
   * terminal and only for work of PROGRESS_MIN_BYTES or more, and asks whether stderr is a terminal
   * at its first such report (asking builds Node's stderr stream). The bar is the one raw write:
   * its control sequences (CR, erase line) and text are our own.
   */
  progress(label: string): ((done: number, total: number) => void) & { finish(): void } | undefined {
    if (this.json || this.#streams.env['CI']) return undefined;
    let width = 0;
    let last = -1;
    let drawn = false;
    const report = (done: number, total: number): void => {
      if (width < 0 || total < PROGRESS_MIN_BYTES) return;
      if (width === 0) {
        const stderr = this.#streams.stderr;
        width = stderr.isTTY ? Math.max(10, Math.min(40, (stderr.columns ?? 80) - label.length - 30)) : -1;
        if (width < 0) return;
      }
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      if (percent === last) return;
      last = percent;
      drawn = true;
      const filled = Math.round(fraction * width);
      this.#write('stderr', `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${formatBytes(done)}`);
    };
    return Object.assign(report, {
      finish: () => {
        if (drawn) this.#write('stderr', '\r\u001b[2K');
      },
    });
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[unit]}` : `${value.toFixed(1)} ${units[unit]}`;
}
