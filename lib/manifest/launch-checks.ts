// The hardened checks of one command line (the default `mcp_config` or a platform's), every
// platform held to the same rules: what runs (tied to server.type, inside the bundle when it
// claims to be), what the runtime is told to do besides (runtimes.ts), which variables it names,
// and which environment it gets (environment.ts).

import { programName, type LaunchConfig } from './command.ts';
import { lookup, own, serverType, type JsonRecord } from './document.ts';
import { envRule } from './environment.ts';
import { pointer, type AddFinding, type HardenedCode } from './findings.ts';
import { bundlePath, normaliseInBundle } from './paths.ts';
import { commandHazards, isPython, launcherKindOf, type CommandHazard, type HazardKind } from './runtimes.ts';
import { KNOWN_VARIABLES, variableReferences, withSeparators } from './variables.ts';

type Add = AddFinding<HardenedCode>;

// Expected programs per server type (MCPB spec, "Server configuration").
const EXPECTED_PROGRAMS: Record<string, readonly string[]> = {
  node: ['node'],
  python: ['python', 'python3', 'py'],
  uv: ['uv'],
};

const HAZARD_CODES: Record<HazardKind, HardenedCode> = {
  shell: 'MANIFEST_SHELL_COMMAND',
  fetcher: 'MANIFEST_RUNTIME_FETCHER',
  'inline-code': 'MANIFEST_INLINE_CODE',
  debugger: 'MANIFEST_DEBUGGER',
  'env-file': 'MANIFEST_ENV_INJECTION',
  'env-injection': 'MANIFEST_ENV_INJECTION',
  'outside-code': 'MANIFEST_CODE_OUTSIDE_BUNDLE',
  'relative-script': 'MANIFEST_CODE_OUTSIDE_BUNDLE',
};

const HAZARD_MESSAGES: Record<HazardKind, string> = {
  shell: 'starts a shell: what it runs is no longer declared anywhere',
  fetcher: 'downloads code at start-up: what runs is not what was signed',
  'inline-code': 'passes code inline: run a file from the bundle instead',
  debugger: 'opens a debugger, which runs any code sent to it',
  'env-file': 'loads environment or configuration from a file the env checks cannot see',
  'env-injection': 'sets environment that makes a runtime, loader or tool run other code',
  'outside-code': 'loads code that is not a file of the bundle, so it was never signed',
  'relative-script': "runs a relative script path, which the host's working directory decides, not the bundle",
};

function describe(config: LaunchConfig): string {
  return config.platform === 'default' ? 'the command line' : `the ${config.platform} command line`;
}

/** One command line, held to the same rules whether it is the default or a platform's. */
export function checkLaunchConfig(manifest: JsonRecord, config: LaunchConfig, options: ReadonlyMap<string, JsonRecord>, context: { files?: ReadonlySet<string> }, add: Add): void {
  if (config.command !== null) {
    const hazards = commandHazards(config.command, config.args);
    const inBundle = checkCommandPath(config, context, add);
    if (launcherKindOf(hazards) === null) checkCommandType(manifest, config, inBundle, add);
    for (const hazard of hazards) reportHazard(config, hazard, add);
  }
  checkVariables(config, options, add);
  checkSecretsInArgs(config, options, add);
  checkEnv(config, add);
}

function reportHazard(config: LaunchConfig, hazard: CommandHazard, add: Add): void {
  const at = hazard.index < 0 ? config.pointers.command : `${config.pointers.args}/${hazard.index}`;
  add(HAZARD_CODES[hazard.kind], at, `${describe(config)} ${HAZARD_MESSAGES[hazard.kind]} (${hazard.detail})`, hazard.kind === 'fetcher' ? 'warning' : 'error');
}

/**
 * A `${__dirname}` command must stay in the bundle once substituted and normalised (issue 9,
 * finding 6: `${__dirname}/../../../usr/bin/perl`), and name a file of it when the files are
 * known. Returns whether the command is a file inside the bundle.
 */
function checkCommandPath(config: LaunchConfig, context: { files?: ReadonlySet<string> }, add: Add): boolean {
  const located = bundlePath(config.command!);
  if (located === null) {
    // A program given by a path that the host's working directory (`./node`, `bin/node`), the
    // user's home (`~/node`) or an install-time value (`${DOCUMENTS}/node`, `${user_config.dir}/node`)
    // decides is not the bundle's, whatever its name says, nor is a UNC path (`\\\\host\\share`, fetched
    // over SMB); a bare name or an absolute local path is the host's.
    if (/^(?:~|\$\{|[\\/]{2})/u.test(config.command!) || (/[\\/]/u.test(config.command!) && !/^(?:[\\/]|[A-Za-z]:[\\/])/u.test(config.command!))) {
      add('MANIFEST_UNSAFE_PATH', config.pointers.command, `${describe(config)} runs "${config.command!.slice(0, 120)}", a program the working directory, the user's files or an install-time value decides: name the runtime (node, python3, uv) or a file under \${__dirname}`);
    }
    return false;
  }
  if (!located.inside || located.path === '') {
    const reason = located.inside ? 'it names the bundle directory, not a program' : located.reason;
    add('MANIFEST_UNSAFE_PATH', config.pointers.command, `${describe(config)} runs "${config.command!.slice(0, 120)}", which is not a file inside the bundle: ${reason}`);
    return false;
  }
  if (context.files && !context.files.has(located.path)) {
    add('MANIFEST_FILE_MISSING', config.pointers.command, `${describe(config)} runs "${located.path}", which is not in the bundle`);
  }
  return true;
}

/** The command fits server.type: its runtime, or (always for `binary`) a file inside the bundle. */
function checkCommandType(manifest: JsonRecord, config: LaunchConfig, inBundle: boolean, add: Add): void {
  const type = serverType(manifest);
  const program = programName(config.command!);
  const expected = lookup(EXPECTED_PROGRAMS, type);
  const runtime = expected !== undefined && (expected.includes(program) || (type === 'python' && isPython(program)));
  if (type === 'binary' ? inBundle : inBundle || runtime) return;
  const wanted = type === 'binary' ? 'a file inside the bundle (${__dirname}/...)' : expected ? expected.join(' or ') : 'a known runtime';
  add('MANIFEST_COMMAND_MISMATCH', config.pointers.command, `${describe(config)} runs "${config.command!.slice(0, 80)}" but server.type "${type}" expects ${wanted}`);
}

/** Every `${...}` names a variable hosts substitute or a user_config option (own keys only: not `constructor`). */
function checkVariables(config: LaunchConfig, options: ReadonlyMap<string, JsonRecord>, add: Add): void {
  const strings: [string, string][] = [[config.pointers.command, config.command ?? '']];
  config.args.forEach((arg, index) => strings.push([`${config.pointers.args}/${index}`, arg]));
  for (const [key, value] of Object.entries(config.env)) strings.push([`${config.pointers.env}${pointer(key)}`, value]);
  for (const [at, text] of strings) {
    for (const reference of variableReferences(text)) {
      if (reference.userConfigKey !== null) {
        if (!options.has(reference.userConfigKey)) add('MANIFEST_UNKNOWN_VARIABLE', at, `\${${reference.name}} names no user_config option`);
      } else if (!KNOWN_VARIABLES.includes(reference.name)) {
        add('MANIFEST_UNKNOWN_VARIABLE', at, `\${${reference.name}} is not a variable hosts substitute`);
      }
    }
  }
}

function checkSecretsInArgs(config: LaunchConfig, options: ReadonlyMap<string, JsonRecord>, add: Add): void {
  config.args.forEach((arg, index) => {
    for (const reference of variableReferences(arg)) {
      const option = reference.userConfigKey === null ? undefined : options.get(reference.userConfigKey);
      if (option?.['sensitive'] === true) {
        add('MANIFEST_SECRET_IN_ARGS', `${config.pointers.args}/${index}`, `the sensitive option "${reference.userConfigKey}" is passed in args, visible to every user in the process list; pass it in env`);
      }
    }
  });
}

/** The environment refuses what makes a runtime, loader or tool run other code (environment.ts). */
function checkEnv(config: LaunchConfig, add: Add): void {
  for (const [key, value] of Object.entries(config.env)) {
    const at = `${config.pointers.env}${pointer(key)}`;
    const rule = envRule(key);
    if (rule === null || rule.verdict === 'allow') continue;
    if (rule.verdict === 'bundle-only') {
      const parts = value.split(/[:;]/u).filter((part) => part !== '');
      if (!parts.every((part) => bundlePath(part)?.inside === true)) add('MANIFEST_ENV_INJECTION', at, `${key} outside the bundle makes the runtime load code from elsewhere (${rule.why})`);
    } else if (rule.verdict === 'refuse') {
      add('MANIFEST_ENV_INJECTION', at, `${key} makes the runtime, loader or a tool run code the manifest does not name: ${rule.why} (${rule.source})`);
    } else {
      add('MANIFEST_ENV_SENSITIVE', at, `${key} ${rule.why}`, 'warning');
    }
  }
}

/** The entry point is what runs: some argument of every command line must name it. */
export function checkEntryPointUsed(manifest: JsonRecord, configs: readonly LaunchConfig[], add: Add): void {
  const declared = own(own(manifest, 'server'), 'entry_point');
  if (typeof declared !== 'string' || configs.length === 0) return;
  const entry = normaliseInBundle(declared);
  // An entry point outside the bundle (already MANIFEST_UNSAFE_PATH) is run by no in-bundle path either.
  const path = entry.inside ? entry.path : declared;
  for (const config of configs) {
    if (![config.command ?? '', ...config.args].some((text) => namesEntryPoint(text, path))) {
      add('MANIFEST_ENTRY_POINT_UNUSED', config.pointers.args, `${describe(config)} does not run the entry point "${declared}"`);
    }
  }
}

/** Whether an argument names the entry point: through `${__dirname}` (normalised, so it cannot climb out and back), or as a relative path. */
function namesEntryPoint(text: string, entryPoint: string): boolean {
  const spelled = withSeparators(text).replace(/\\/gu, '/');
  const rooted = spelled.indexOf('${__dirname}');
  if (rooted >= 0) {
    const located = bundlePath(spelled.slice(rooted));
    return located?.inside === true && located.path === entryPoint;
  }
  return spelled === entryPoint || spelled === `./${entryPoint}` || spelled.endsWith(`/${entryPoint}`) || spelled.endsWith(`=${entryPoint}`);
}
