// Everything the CLI writes goes through here: results on stdout (text or one JSON document),
// one clear error line on stderr, progress on stderr only when it is a terminal.

import { MCPSealError, isRejection } from '../errors.ts';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Aborted when the user interrupts (Ctrl-C): long work stops and cleans up. */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_FAILED = 2;

export class Output {
  readonly json: boolean;
  readonly #streams: Streams;

  constructor(streams: Streams, json: boolean) {
    this.#streams = streams;
    this.json = json;
  }

  /** Prints the command's result: `lines` as text, or `{ ok: true, ...value }` as JSON. */
  result(value: Record<string, unknown>, lines: () => string[]): void {
    if (this.json) {
      this.#streams.stdout.write(`${JSON.stringify({ ok: true, ...value }, null, 2)}\n`);
    } else {
      this.#streams.stdout.write(lines().map((line) => `${line}\n`).join(''));
    }
  }

  /**
   * Reports a rejection that comes with a full report (validation findings): the report on stdout
   * (text lines, or JSON beside the error), the one error line on stderr.
   */
  rejected(value: Record<string, unknown>, error: MCPSealError, lines: () => string[]): number {
    if (this.json) {
      this.#streams.stdout.write(`${JSON.stringify({ ok: false, ...value, error: { code: error.code, message: error.message } }, null, 2)}\n`);
    } else {
      this.#streams.stdout.write(lines().map((line) => `${line}\n`).join(''));
    }
    this.#streams.stderr.write(`mcpseal: ${error.code}: ${error.message}\n`);
    return isRejection(error.code) ? EXIT_REJECTED : EXIT_FAILED;
  }

  /** A note for the human at the terminal; never on stdout, silent with --json. */
  note(message: string): void {
    if (!this.json) this.#streams.stderr.write(`mcpseal: ${message}\n`);
  }

  /** Reports a failure and returns the exit status it maps to. */
  error(error: unknown): number {
    const known =
      error instanceof MCPSealError
        ? error
        : new MCPSealError('INTERNAL_ERROR', `unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    const status = isRejection(known.code) ? EXIT_REJECTED : EXIT_FAILED;
    this.#streams.stderr.write(`mcpseal: ${known.code}: ${known.message}\n`);
    if (this.json) {
      this.#streams.stdout.write(
        `${JSON.stringify({ ok: false, error: { code: known.code, message: known.message, ...known.details } }, null, 2)}\n`,
      );
    }
    return status;
  }

  /** A progress reporter for long work, or undefined when stderr is not a terminal (or with --json). */
  progress(label: string): ((done: number, total: number) => void) & { finish(): void } | undefined {
    const stderr = this.#streams.stderr;
    if (this.json || !stderr.isTTY || this.#streams.env['CI']) return undefined;
    let last = -1;
    let drawn = false;
    const width = Math.max(10, Math.min(40, (stderr.columns ?? 80) - label.length - 30));
    const report = (done: number, total: number): void => {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      if (percent === last) return;
      last = percent;
      drawn = true;
      const filled = Math.round(fraction * width);
      stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${formatBytes(done)}`);
    };
    return Object.assign(report, {
      finish() {
        if (drawn) stderr.write('\r\u001b[2K');
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
