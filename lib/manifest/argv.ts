// A small model of how runtimes read their own options, so that the hardened checks see an
// option in every spelling a runtime accepts: `--eval CODE` and `--eval=CODE`, `-e CODE`,
// combined short flags (`python3 -Ic CODE`, `-cCODE`, `node -pe CODE`), and `--` ending options.
// Options end at the first operand (the script): what follows belongs to the script, not the runtime.

import { lookup } from './document.ts';

export interface Grammar {
  /** Long options that take a value, as `--name value` (any long option takes `--name=value`). */
  longValue: ReadonlySet<string>;
  /** Short option letters that take a value. */
  shortValue: ReadonlySet<string>;
  /**
   * POSIX getopt clustering (CPython, uv): a value-taking letter takes the rest of its token
   * (`-cCODE`, `-mpdb`) or else the next token. Without it (Node), each letter of a cluster is
   * its own option (`-pe` is `-p -e`) and the cluster's value is the next token.
   */
  attachedShortValues: boolean;
  /** Options after which every remaining argument belongs to the program (CPython `-c`, `-m`). */
  terminal: ReadonlySet<string>;
  /** Alternative spellings, mapped to one canonical name (`-e` to `--eval`). */
  aliases: Readonly<Record<string, string>>;
}

export interface ParsedOption {
  /** The canonical name: `--eval`, or `-c` for a short option without a long alias. */
  name: string;
  /** The option's value, or null for a flag (or a value-taking option at the end of argv). */
  value: string | null;
  /** Index of the argument that holds the option. */
  index: number;
}

export interface ParsedArgv {
  options: ParsedOption[];
  /** Index of the first operand (the script, a subcommand, `-` for stdin), or null. */
  operand: number | null;
}

/** Reads the runtime's options from `args`, stopping at the first operand or a terminal option. */
export function parseArgv(args: readonly string[], grammar: Grammar): ParsedArgv {
  const options: ParsedOption[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return { options, operand: index + 1 < args.length ? index + 1 : null };
    if (arg === '-' || !arg.startsWith('-')) return { options, operand: index };
    const start = index;
    const parsed = arg.startsWith('--') ? [longOption(arg, args, grammar, () => ++index)] : shortOptions(arg, args, grammar, () => ++index);
    for (const option of parsed) {
      const name = lookup(grammar.aliases, option.name) ?? option.name;
      options.push({ name, value: option.value, index: start });
      if (grammar.terminal.has(name)) return { options, operand: null };
    }
  }
  return { options, operand: null };
}

type Next = () => number;

function longOption(arg: string, args: readonly string[], grammar: Grammar, next: Next): { name: string; value: string | null } {
  const equals = arg.indexOf('=');
  if (equals >= 0) return { name: arg.slice(0, equals), value: arg.slice(equals + 1) };
  if (!grammar.longValue.has(arg)) return { name: arg, value: null };
  const at = next();
  return { name: arg, value: args[at] ?? null };
}

function shortOptions(arg: string, args: readonly string[], grammar: Grammar, next: Next): Array<{ name: string; value: string | null }> {
  const letters = [...arg.slice(1)];
  const found: Array<{ name: string; value: string | null }> = [];
  let shared: string | null | undefined;
  for (let position = 0; position < letters.length; position++) {
    const name = `-${letters[position]}`;
    if (!grammar.shortValue.has(letters[position]!)) {
      found.push({ name, value: null });
      continue;
    }
    if (grammar.attachedShortValues) {
      const rest = letters.slice(position + 1).join('');
      found.push({ name, value: rest !== '' ? rest : (args[next()] ?? null) });
      return found;
    }
    // Node-style: every value-taking letter of the cluster reads the one token after it.
    if (shared === undefined) shared = args[next()] ?? null;
    found.push({ name, value: shared });
  }
  return found;
}
