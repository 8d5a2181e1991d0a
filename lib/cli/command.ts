// One CLI command: its one-line summary, its --help text, and what it runs.

import type { Output, Streams } from './output.ts';

export interface Command {
  summary: string;
  help: string;
  run(args: string[], output: Output, streams: Streams): Promise<number>;
}
