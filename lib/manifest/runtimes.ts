// What a command line makes a runtime do before (or instead of) running the bundle's entry
// point, read through the argv model of each runtime (lib/manifest/argv.ts) rather than matched
// against example strings: inline code, a listening debugger, packages fetched at start-up, an
// env file the env checks never see, or a shell. `uv run` and `python -m uv` are read again as
// the command they run.

import { parseArgv, type Grammar, type ParsedOption } from './argv.ts';
import { codeSource } from './code-paths.ts';
import { bundlePath } from './paths.ts';
import { programName } from './command.ts';
import { lookup } from './document.ts';
import { envRule } from './environment.ts';

/** What a command line does that the manifest's review must see. */
export type HazardKind = 'shell' | 'fetcher' | 'inline-code' | 'debugger' | 'env-file' | 'env-injection' | 'outside-code' | 'relative-script';

export interface CommandHazard {
  kind: HazardKind;
  /** Index into `args` of the argument at fault, or -1 for the command itself. */
  index: number;
  /** What was found, for the message: `node --inspect`, `python -m pdb`, `uv run --with`. */
  detail: string;
}

/** Shells run whatever string they are given: the manifest no longer says what executes. */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'fish', 'csh', 'tcsh', 'ash', 'busybox', 'cmd', 'powershell', 'pwsh', 'wsl']);

/**
 * Interpreters and tools that run a script, a code string or a command given on their command
 * line or input (`perl -e`, `awk 'BEGIN{system(...)}'`, `gdb -ex`, `make -f`, `git -c
 * core.pager=...`, `vim -c '!...'`, `find -exec`, `ssh host cmd`, `xargs -a FILE`, `mshta`): for the
 * manifest's review they are shells wherever they appear nested (`uv run git ...`, `nice ruby
 * -e ...`); at the top level they are already MANIFEST_COMMAND_MISMATCH.
 */
const INTERPRETERS = new RegExp(
  '^(?:' +
    ['perl', 'ruby', 'irb', 'php', 'lua(?:jit)?', 'tclsh', 'wish', 'expect', 'osascript', '[gmn]?awk', 'sed', 'rscript', 'julia', 'jshell', 'gdb', 'lldb', 'g?make', 'cmake', 'node-repl'].join('|') +
    '|' +
    ['ipython', 'jupyter', 'bpython', 'ptpython', 'git', 'ssh', 'scp', 'rsync', 'n?vim?', 'emacs', 'ed', 'less', 'more', 'man', 'script', 'watch', 'flock', 'find', 'xargs', 'parallel'].join('|') +
    '|' +
    ['sqlite3', 'psql', 'mysql', 'tar', 'zip', 'xdg-open', 'open', 'rundll32', 'mshta', 'cscript', 'wscript', 'regsvr32', 'docker', 'podman', 'strace', 'ltrace', 'valgrind', 'systemd-run', 'at', 'screen', 'tmux'].join('|') +
    ')[\\d.]*$',
  'u',
);

/** Launchers that download and run code at start-up: what runs is not what was signed. */
export const FETCHERS: ReadonlySet<string> = new Set(['npx', 'pnpx', 'bunx', 'uvx', 'pipx', 'curl', 'wget']);

/** Subcommands that turn a package manager into a fetcher (`npm exec`, `pnpm dlx`, `pip install`, ...). */
const FETCHER_SUBCOMMANDS: Record<string, readonly string[][]> = {
  npm: [['exec'], ['x'], ['install'], ['i']],
  pnpm: [['dlx'], ['exec'], ['install'], ['add']],
  yarn: [['dlx'], ['add']],
  pip: [['install'], ['download'], ['wheel']],
  pip3: [['install'], ['download'], ['wheel']],
};

/** Subcommands that run a package.json script, which the package manager hands to a shell. */
const SCRIPT_RUNNERS: Record<string, ReadonlySet<string>> = {
  npm: new Set(['run', 'run-script', 'rum', 'urn', 'start', 'test', 'restart', 'stop']),
  pnpm: new Set(['run', 'start', 'test', 'restart', 'stop']),
  yarn: new Set(['run', 'start', 'test', 'exec']),
};

const set = (...items: string[]): ReadonlySet<string> => new Set(items);

/**
 * Node.js (https://nodejs.org/api/cli.html). Every option Node 24 reads with a value (its option
 * table's string, integer, host:port and list types, as `getCLIOptionsInfo()` in
 * lib/internal/options lists them), each of which takes the next token when written without `=`.
 * A shorter list let a value-taking option swallow the script (`--report-signal
 * ${__dirname}/index.js -e CODE` runs CODE); options unknown to Node go to V8, which never takes
 * a separate value.
 */
const NODE: Grammar = {
  longValue: set(
    ...['--eval', '--print', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--env-file-if-exists', '--run', '--conditions', '--input-type', '--title'],
    ...['--redirect-warnings', '--icu-data-dir', '--openssl-config', '--inspect-port', '--debug-port', '--experimental-config-file', '--watch-path', '--disable-warning'],
    ...['--diagnostic-dir', '--report-dir', '--report-directory', '--localstorage-file', '--snapshot-blob', '--allow-fs-read', '--allow-fs-write', '--build-snapshot-config'],
    ...['--cpu-prof-dir', '--cpu-prof-interval', '--cpu-prof-name', '--disable-proto', '--dns-result-order', '--experimental-package-map', '--experimental-sea-config'],
    ...['--experimental-test-tag-filter', '--heap-prof-dir', '--heap-prof-interval', '--heap-prof-name', '--heapsnapshot-near-heap-limit', '--heapsnapshot-signal'],
    ...['--inspect-publish-uid', '--max-http-header-size', '--max-old-space-size-percentage', '--network-family-autoselection-attempt-timeout', '--report-filename'],
    ...['--report-signal', '--secure-heap', '--secure-heap-min', '--security-revert', '--security-reverts', '--stack-trace-limit', '--test-concurrency', '--test-coverage-branches'],
    ...['--test-coverage-exclude', '--test-coverage-functions', '--test-coverage-include', '--test-coverage-lines', '--test-global-setup', '--test-isolation'],
    ...['--experimental-test-isolation', '--test-name-pattern', '--test-random-seed', '--test-reporter', '--test-reporter-destination', '--test-rerun-failures', '--test-shard'],
    ...['--test-skip-pattern', '--test-timeout', '--tls-cipher-list', '--tls-keylog', '--trace-event-categories', '--trace-event-file-pattern', '--trace-require-module'],
    ...['--unhandled-rejections', '--use-largepages', '--v8-pool-size', '--watch-kill-signal'],
  ),
  shortValue: set('e', 'p', 'r', 'C'),
  attachedShortValues: false,
  terminal: set(),
  aliases: { '-e': '--eval', '-p': '--print', '-r': '--require', '-i': '--interactive', '-C': '--conditions', '--experimental-loader': '--loader', '--debug-port': '--inspect-port' },
};

/** Bun (https://bun.sh/docs/runtime): Node's spellings plus its own. */
const BUN: Grammar = {
  ...NODE,
  longValue: set(...NODE.longValue, '--preload', '--config', '--cwd', '--tsconfig-override', '--define', '--main-fields', '--port'),
  aliases: { ...NODE.aliases, '--preload': '--require', '-c': '--config' },
};

/** CPython (https://docs.python.org/3/using/cmdline.html): getopt clustering, -c and -m end the options. */
const PYTHON: Grammar = {
  longValue: set('--check-hash-based-pycs'),
  shortValue: set('c', 'm', 'W', 'X'),
  attachedShortValues: true,
  terminal: set('-c', '-m'),
  aliases: {},
};

/** uv (https://docs.astral.sh/uv/reference/cli/): global and `run` options that take a value. */
const UV: Grammar = {
  longValue: set('--directory', '--project', '--cache-dir', '--config-file', '--color', '--python-preference', '--allow-insecure-host', '--python', '--with', '--with-editable', '--with-requirements', '--extra', '--group', '--no-group', '--only-group', '--package', '--env-file', '--index', '--default-index', '--index-url', '--extra-index-url', '--find-links', '--index-strategy', '--keyring-provider', '--resolution', '--prerelease', '--exclude-newer', '--link-mode', '--config-setting', '--refresh-package', '--reinstall-package', '--upgrade-package', '--python-platform', '--no-binary-package', '--no-build-package'),
  shortValue: set('p', 'i', 'f', 'C', 'P'),
  attachedShortValues: true,
  terminal: set(),
  aliases: { '-p': '--python', '-i': '--index-url', '-f': '--find-links' },
};

/** Deno (https://docs.deno.com/runtime/reference/cli/): options of `deno run` that take a value. */
const DENO: Grammar = {
  longValue: set('--config', '--import-map', '--lock', '--cert', '--location', '--seed', '--env-file', '--inspect', '--ext', '--v8-flags'),
  shortValue: set('c'),
  attachedShortValues: false,
  terminal: set(),
  aliases: { '-c': '--config' },
};

/**
 * Programs that run another program given later on their command line (`env X=1 cmd`, `nohup
 * cmd`, `timeout 5 cmd`): the command they run is found and read as a command line of its own.
 */
const WRAPPERS: ReadonlySet<string> = new Set(['env', 'nice', 'nohup', 'setsid', 'stdbuf', 'time', 'timeout', 'exec', 'sudo', 'doas', 'chrt', 'ionice', 'taskset', 'caffeinate', 'unbuffer']);

/** Python modules that debug (listening, or reading commands from stdin, the MCP channel). */
const PYTHON_DEBUGGERS = set('pdb', 'debugpy', 'ptvsd', 'pydevd', 'remote_pdb', 'rpdb', 'web_pdb', 'pudb', 'ipdb', 'bdb');
/** Python modules that read and run code from stdin, or run the code string given to them (`timeit STMT`). */
const PYTHON_CONSOLES = set('code', 'IPython', 'idlelib', 'ptpython', 'bpython', 'asyncio', 'timeit');
/**
 * Python modules that run the program, module or test files named after them (`-m cProfile
 * /tmp/x.py`, `-m runpy mod`, `-m unittest discover`): what runs is whatever that name finds.
 */
const PYTHON_RUNNERS = set('cProfile', 'profile', 'trace', 'runpy', 'doctest', 'unittest', 'pytest', 'tracemalloc', 'pyinstrument', 'coverage', 'scalene', 'memray', 'viztracer');
/** pip subcommands that download packages, and build (so run the setup code of) source ones. */
const PIP_FETCHES = set('install', 'download', 'wheel');

/** Node-family debugger options: `--inspect` opens a port that runs any code sent to it (`--inspect-brk-node` too). */
const NODE_DEBUG = /^--(?:inspect|debug)(?:-brk(?:-node)?|-wait|-port)?$/u;

/** The test reporters built into Node.js (https://nodejs.org/api/test.html#test-reporters). */
const NODE_REPORTERS = set('spec', 'tap', 'dot', 'junit', 'lcov');

/** Every hazard of one command line. */
export function commandHazards(command: string, args: readonly string[]): CommandHazard[] {
  // Windows runs a batch file through cmd.exe, which reads `&`, `|` and `%VAR%` in its arguments
  // (a user_config value included), whatever the file is named: `node.cmd` is a shell, not node.
  if (/\.(?:cmd|bat)[. ]*$/iu.test(command)) return [{ kind: 'shell', index: -1, detail: `${programName(command)} (a batch file, run by cmd.exe)` }];
  return hazardsOf(programName(command), args, 0);
}

/** Whether a launch config starts a shell or a run-time fetcher (a shell wins). */
export function launcherKindOf(hazards: readonly CommandHazard[]): 'shell' | 'fetcher' | null {
  if (hazards.some((hazard) => hazard.kind === 'shell')) return 'shell';
  if (hazards.some((hazard) => hazard.kind === 'fetcher')) return 'fetcher';
  return null;
}

/** Launchers inside launchers (`uv run env nice uv run ...`) read at most this deep; deeper counts as a shell. */
const MAX_NESTING = 8;

function hazardsOf(program: string, args: readonly string[], offset: number, depth = 0): CommandHazard[] {
  if (depth > MAX_NESTING) return [{ kind: 'shell', index: offset - 1, detail: `launchers nested more than ${MAX_NESTING} deep` }];
  // At the top level another interpreter is already MANIFEST_COMMAND_MISMATCH; nested, nothing else checks it.
  if (SHELLS.has(program) || (depth > 0 && INTERPRETERS.test(program))) return [{ kind: 'shell', index: offset - 1, detail: program }];
  if (FETCHERS.has(program)) return [{ kind: 'fetcher', index: offset - 1, detail: program }];
  if (WRAPPERS.has(program)) return wrapperHazards(program, args, offset, depth);
  if (/^node(?:js)?\d*$/u.test(program)) return nodeHazards('node', args, offset, NODE);
  if (program === 'bun') return bunHazards(args, offset);
  if (isPython(program)) return pythonHazards(program, args, offset, depth);
  if (program === 'uv') return uvHazards(args, offset, depth);
  if (program === 'deno') return denoHazards(args, offset);
  // `pip3.12` is pip.
  const sequences = lookup(FETCHER_SUBCOMMANDS, /^pip\d*(?:\.\d+)*$/u.test(program) ? 'pip' : program);
  const words = args.filter((arg) => !arg.startsWith('-'));
  if (sequences?.some((sequence) => sequence.every((word, index) => words[index] === word))) return [{ kind: 'fetcher', index: offset - 1, detail: `${program} ${words[0]}` }];
  if (words[0] !== undefined && lookup(SCRIPT_RUNNERS, program)?.has(words[0]) === true) return [{ kind: 'shell', index: offset - 1, detail: `${program} ${words[0]} (a package.json script, run by a shell)` }];
  return [];
}

export function isPython(program: string): boolean {
  return program === 'py' || /^(?:python|pypy)(?:\d+(?:\.\d+)*)?[dmtw]*(?:-dbg)?$/u.test(program);
}

/**
 * A wrapper's options are not modelled (`nice -n 10`, `sudo -u root`): the wrapped command is
 * taken to start at the first argument that names a program this module knows, and NAME=VALUE
 * assignments before it (`env`, `sudo`) are held to the same table as `mcp_config.env`. `env -S` splits a
 * string into a command line, as a shell would.
 */
function wrapperHazards(wrapper: string, args: readonly string[], offset: number, depth: number): CommandHazard[] {
  const hazards: CommandHazard[] = [];
  let program = wrapper;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (program === 'env' && (/^-[A-Za-z]*S/u.test(arg) || arg.startsWith('--split-string'))) {
      return [...hazards, { kind: 'shell', index: offset + index, detail: 'env -S (splits a string into a command line)' }];
    }
    // NAME=VALUE before the command (env, sudo): an assignment, never the command.
    const assignment = /^([^=\-/][^=/]*)=/u.exec(arg);
    if (assignment) {
      const rule = envRule(assignment[1]!);
      if (rule !== null && rule.verdict !== 'allow' && rule.verdict !== 'warn') hazards.push({ kind: 'env-injection', index: offset + index, detail: `${program} ${assignment[1]}=...` });
      continue;
    }
    const inner = programName(arg);
    // A program given by its path (`timeout 5 /tmp/evil`): the command, whatever its name; one
    // outside the bundle is not the bundle's code.
    if (!arg.startsWith('-') && !isKnownProgram(inner) && /[\\/]/u.test(arg)) return [...hazards, ...scriptHazards(program, arg, offset + index)];
    if (arg.startsWith('-') || !isKnownProgram(inner)) continue;
    // A wrapper of a wrapper (`nice nohup cmd`) is read on in this loop, not by recursion.
    if (WRAPPERS.has(inner)) program = inner;
    else return [...hazards, ...hazardsOf(inner, args.slice(index + 1), offset + index + 1, depth + 1)];
  }
  return hazards;
}

function isKnownProgram(program: string): boolean {
  return SHELLS.has(program) || INTERPRETERS.test(program) || FETCHERS.has(program) || WRAPPERS.has(program) || isPython(program) || /^(?:node(?:js)?\d*|bun|deno|uv)$/u.test(program) || Object.hasOwn(FETCHER_SUBCOMMANDS, program) || /^pip\d*(?:\.\d+)*$/u.test(program);
}

function nodeHazards(program: string, args: readonly string[], offset: number, grammar: Grammar): CommandHazard[] {
  const { options, operand } = parseArgv(args, grammar);
  const hazards = options.flatMap((option) => nodeOptionHazards(program, option, offset));
  if (operand !== null && args[operand] === '-') hazards.push({ kind: 'inline-code', index: offset + operand, detail: `${program} - (code from stdin)` });
  else if (operand !== null && !hazards.some((hazard) => hazard.kind === 'inline-code')) hazards.push(...scriptHazards(program, args[operand]!, offset + operand));
  return hazards;
}

/** The script a runtime runs is a file of the bundle: not a relative path (the cwd decides), not a file elsewhere. */
export function scriptHazards(program: string, script: string, index: number): CommandHazard[] {
  const source = codeSource(script);
  // A URL as the script (`node --entry-url data:...`, `uv run https://...`): code itself, or fetched.
  if (source === 'remote') return [{ kind: /^(?:data|blob):/iu.test(script) ? 'inline-code' : 'fetcher', index, detail: `${program} ${script.slice(0, 40)}` }];
  if (source === 'working-directory') return [{ kind: 'relative-script', index, detail: `${program} ${script.slice(0, 60)}: write \${__dirname}/${script.replace(/^\.[\\/]/u, '').slice(0, 60)}` }];
  if (source === 'outside') return [{ kind: 'outside-code', index, detail: `${program} ${script.slice(0, 60)}` }];
  return [];
}

function nodeOptionHazards(program: string, option: ParsedOption, offset: number): CommandHazard[] {
  const at = (kind: HazardKind, detail: string): CommandHazard[] => [{ kind, index: offset + option.index, detail: `${program} ${detail}` }];
  switch (option.name) {
    case '--eval':
    case '--print':
    case '--interactive':
      return at('inline-code', option.name);
    case '--require':
    case '--import':
    case '--loader':
    // A startup snapshot holds the code that runs (https://nodejs.org/api/cli.html#--snapshot-blob-path).
    case '--snapshot-blob':
    // The test runner imports its global setup module and any reporter that is not a built-in one,
    // and a package map sends bare specifiers to the files it names (Node.js "--test-reporter",
    // "--test-global-setup", "--experimental-package-map").
    case '--test-global-setup':
    case '--experimental-package-map':
      return option.value === null ? [] : preloadHazards(option.value, at, option.name);
    case '--test-reporter':
      return option.value === null || NODE_REPORTERS.has(option.value) ? [] : preloadHazards(option.value, at, option.name);
    // Reads node.config.json from the working directory, whose nodeOptions may --import anything.
    case '--experimental-default-config-file':
      return at('env-file', option.name);
    case '--env-file':
    case '--env-file-if-exists':
    case '--openssl-config':
    case '--experimental-config-file':
      return at('env-file', option.name);
    case '--run':
      return at('shell', '--run (a package.json script, run by a shell)');
    case '--experimental-network-imports':
      return at('fetcher', option.name);
    default:
      return NODE_DEBUG.test(option.name) ? at('debugger', option.name) : [];
  }
}

/** A preloaded module (`--require`, `--import`, `--loader`) is a file of the bundle or a built-in. */
function preloadHazards(value: string, at: (kind: HazardKind, detail: string) => CommandHazard[], name: string): CommandHazard[] {
  const source = codeSource(value);
  if (source === 'remote') return at('inline-code', `${name} ${value.slice(0, 40)}`);
  if (source === 'outside' || source === 'working-directory') return at('outside-code', `${name} ${value.slice(0, 60)}: load a file under \${__dirname} instead`);
  return [];
}

function bunHazards(args: readonly string[], offset: number): CommandHazard[] {
  const { operand } = parseArgv(args, BUN);
  const word = operand === null ? undefined : args[operand];
  if (word === 'x' || word === 'install' || word === 'add' || word === 'i') return [{ kind: 'fetcher', index: offset + operand!, detail: `bun ${word}` }];
  const before = nodeHazards('bun', operand === null ? args : args.slice(0, operand), offset, BUN);
  // `bun run [options] FILE`: its options are read like the top-level ones.
  if (word === 'run') return [...before, ...nodeHazards('bun run', args.slice(operand! + 1), offset + operand! + 1, BUN)];
  return before;
}

function pythonHazards(program: string, args: readonly string[], offset: number, depth = 0): CommandHazard[] {
  const { options, operand } = parseArgv(args, PYTHON);
  const hazards: CommandHazard[] = [];
  const at = (kind: HazardKind, option: ParsedOption | number, detail: string): void => {
    hazards.push({ kind, index: offset + (typeof option === 'number' ? option : option.index), detail: `${program} ${detail}` });
  };
  for (const option of options) {
    if (option.name === '-c' || option.name === '-i') at('inline-code', option, option.name);
    // -W action:message:category:module:lineno imports the module of a dotted category.
    else if (option.name === '-W' && (option.value ?? '').split(':')[2]?.includes('.')) at('inline-code', option, `-W ${option.value} (imports a module)`);
    else if (option.name === '-X' && /^presite=/u.test(option.value ?? '')) at('inline-code', option, `-X ${option.value}`);
    // Bytecode from another tree runs instead of the bundle's sources (PYTHONPYCACHEPREFIX's option form).
    else if (option.name === '-X' && /^pycache_prefix=/u.test(option.value ?? '')) at('env-injection', option, `-X ${option.value} (compiled code read from another directory)`);
    else if (option.name === '-m' && option.value !== null) hazards.push(...pythonModuleHazards(program, option, args, offset, depth));
  }
  if (operand !== null && args[operand] === '-') at('inline-code', operand, '- (code from stdin)');
  else if (operand !== null && !hazards.some((hazard) => hazard.kind === 'inline-code')) hazards.push(...scriptHazards(program, args[operand]!, offset + operand));
  return hazards;
}

function pythonModuleHazards(program: string, option: ParsedOption, args: readonly string[], offset: number, depth: number): CommandHazard[] {
  const module = option.value!.split('.')[0]!;
  const index = offset + option.index;
  // The module's own arguments start after its name: the next token, or the one after that
  // when the name was a separate token (`-m pip` rather than `-mpip`).
  const attached = args[option.index]!.endsWith(`m${option.value!}`);
  const restStart = option.index + (attached ? 1 : 2);
  const rest = args.slice(restStart);
  if (PYTHON_DEBUGGERS.has(module)) return [{ kind: 'debugger', index, detail: `${program} -m ${module}` }];
  if (PYTHON_CONSOLES.has(module)) return [{ kind: 'inline-code', index, detail: `${program} -m ${module} (code from stdin or its arguments)` }];
  if (PYTHON_RUNNERS.has(module)) return [{ kind: 'outside-code', index, detail: `${program} -m ${module} runs the program named after it: run the entry point itself` }];
  if (module === 'pipx' || module === 'ensurepip' || (module === 'pip' && rest.some((word) => PIP_FETCHES.has(word)))) {
    return [{ kind: 'fetcher', index, detail: `${program} -m ${module}` }];
  }
  if (module === 'uv') return hazardsOf('uv', rest, offset + restStart, depth + 1);
  return [];
}

function uvHazards(args: readonly string[], offset: number, depth: number): CommandHazard[] {
  const global = parseArgv(args, UV);
  const hazards = uvOptionHazards(global.options, offset);
  if (global.operand === null) return hazards;
  const sub = args[global.operand]!;
  const after = args.slice(global.operand + 1);
  const afterOffset = offset + global.operand + 1;
  if (sub === 'tool' || sub === 'pip' || sub === 'add' || sub === 'x') {
    const word = after.find((arg) => !arg.startsWith('-'));
    if (sub === 'add' || sub === 'x' || word === 'run' || word === 'install' || word === 'uvx') {
      hazards.push({ kind: 'fetcher', index: offset + global.operand, detail: `uv ${sub}${word && sub !== 'add' ? ` ${word}` : ''}` });
    }
    return hazards;
  }
  if (sub !== 'run') return hazards;
  const run = parseArgv(after, UV);
  hazards.push(...uvOptionHazards(run.options, afterOffset));
  if (run.operand === null) return hazards;
  // `uv run [--module] CMD ARGS`: CMD ARGS is a command line of its own.
  const inner = after.slice(run.operand);
  const innerOffset = afterOffset + run.operand;
  if (run.options.some((option) => option.name === '--module' || option.name === '-m')) {
    return [...hazards, ...pythonHazards('uv run --module', ['-m', ...inner], innerOffset - 1, depth + 1)];
  }
  // `uv run -` reads the script from stdin (the MCP channel).
  if (inner[0] === '-') return [...hazards, { kind: 'inline-code', index: innerOffset, detail: 'uv run - (code from stdin)' }];
  const program = programName(inner[0]!);
  const nested = isKnownProgram(program) ? hazardsOf(program, inner.slice(1), innerOffset + 1, depth + 1) : uvScriptHazards(inner[0]!, innerOffset);
  const directory = [...global.options, ...run.options].find((option) => option.name === '--directory')?.value;
  return [...hazards, ...nested.flatMap((hazard) => inDirectory(hazard, directory, args[hazard.index - offset] ?? ''))];
}

/**
 * `uv --directory D` runs in D: a relative script is D/script, and when D is a bundle directory
 * that is a file of the bundle, unless it climbs out of it (`--directory ${__dirname} run ../x.py`).
 */
function inDirectory(hazard: CommandHazard, directory: string | null | undefined, script: string): CommandHazard[] {
  if (hazard.kind !== 'relative-script' || directory == null || bundlePath(directory)?.inside !== true) return [hazard];
  if (bundlePath(`${directory}/${script}`)?.inside === true) return [];
  return [{ ...hazard, kind: 'outside-code', detail: `${hazard.detail} (climbs out of --directory ${directory.slice(0, 60)})` }];
}

/** `uv run FILE`: a script path (a separator or a script extension), not a command on PATH. */
function uvScriptHazards(target: string, index: number): CommandHazard[] {
  return /[\\/]|\.(?:py|pyw|js|mjs|cjs|ts)$/iu.test(target) ? scriptHazards('uv run', target, index) : [];
}

/** uv options that choose where packages come from: the option forms of the UV_* variables refused in env (environment.ts). */
const UV_SOURCES = set('--index', '--index-url', '--default-index', '--extra-index-url', '--find-links', '--config-file', '--allow-insecure-host', '--trusted-host');

function uvOptionHazards(options: readonly ParsedOption[], offset: number): CommandHazard[] {
  return options.flatMap((option): CommandHazard[] => {
    const index = offset + option.index;
    if (/^--with(?:-editable|-requirements)?$/u.test(option.name)) return [{ kind: 'fetcher', index, detail: `uv run ${option.name} (installs packages at start-up)` }];
    if (option.name === '--env-file') return [{ kind: 'env-file', index, detail: 'uv --env-file' }];
    if (UV_SOURCES.has(option.name)) return [{ kind: 'env-injection', index, detail: `uv ${option.name} (changes where packages come from)` }];
    const value = option.value ?? '';
    // An interpreter given as a path, or a project read from a directory, that is not the bundle's.
    const path = option.name === '--python' ? /[\\/~]|^\.|^\$\{/u.test(value) : option.name === '--project' || option.name === '--directory';
    if (path && value !== '' && bundlePath(value)?.inside !== true) return [{ kind: 'outside-code', index, detail: `uv ${option.name} ${value.slice(0, 60)} (not a directory or file of the bundle)` }];
    return [];
  });
}

function denoHazards(args: readonly string[], offset: number): CommandHazard[] {
  const global = parseArgv(args, DENO);
  if (global.operand === null) return [];
  const sub = args[global.operand]!;
  const index = offset + global.operand;
  if (sub === 'eval' || sub === 'repl') return [{ kind: 'inline-code', index, detail: `deno ${sub}` }];
  if (sub === 'task') return [{ kind: 'shell', index, detail: 'deno task (a shell command from deno.json)' }];
  if (sub === 'install' || sub === 'add' || sub === 'x') return [{ kind: 'fetcher', index, detail: `deno ${sub}` }];
  const runs = sub === 'run' || sub === 'serve';
  const local = runs ? parseArgv(args.slice(global.operand + 1), DENO) : { options: global.options, operand: global.operand };
  const localOffset = runs ? index + 1 : offset;
  const hazards = local.options.flatMap((option): CommandHazard[] => {
    if (/^--inspect(?:-brk|-wait)?$/u.test(option.name)) return [{ kind: 'debugger', index: localOffset + option.index, detail: `deno ${option.name}` }];
    if (option.name === '--env-file') return [{ kind: 'env-file', index: localOffset + option.index, detail: 'deno --env-file' }];
    return [];
  });
  const script = local.operand === null ? undefined : (runs ? args.slice(global.operand + 1) : args)[local.operand];
  if (script === undefined) return hazards;
  const scriptIndex = localOffset + local.operand!;
  if (/^data:/iu.test(script)) hazards.push({ kind: 'inline-code', index: scriptIndex, detail: `deno ${script.slice(0, 40)}` });
  else if (codeSource(script) === 'remote') hazards.push({ kind: 'fetcher', index: scriptIndex, detail: `deno ${script.slice(0, 40)}` });
  else hazards.push(...scriptHazards('deno', script, scriptIndex));
  return hazards;
}
