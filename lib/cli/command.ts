// One CLI command: its --help text and what it runs (its one-line summary is in main.ts COMMANDS).

import type { Output, Streams } from './output.ts';

/** What a command may use of the process: its environment and the interrupt signal, never the raw streams. */
export type CommandContext = Pick<Streams, 'env' | 'signal'>;

export interface Command {
  help: string;
  /** Runs the command; everything it prints goes through `output` (which makes it terminal-safe). */
  run(args: string[], output: Output, context: CommandContext): Promise<number>;
}
