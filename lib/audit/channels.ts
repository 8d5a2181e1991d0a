// Client configs (claude_desktop_config.json and .mcp.json `mcpServers`, VS Code's mcp.json
// `servers`, Cursor's mcp.json): each server entry classified by its install channel and audited
// as far as the config alone shows, offline. Unpinned package-feed launches fail risk 3.

import { MCPSealError } from '../errors.ts';
import type { AuditCheckers } from './facts.ts';
import { finding } from './findings.ts';
import { launchChannel, type LaunchChannel } from './launch-command.ts';
import { RISKS, type AuditFinding, type ChannelEntry, type RiskId, type RiskResult } from './model.ts';
import { decided, notApplicable, riskResult } from './risk.ts';
import { remoteRisk, type RemoteEndpoint } from './risks-remote.ts';
import { feedFinding } from './risks-supply.ts';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The server map of a client config, or undefined when the document is not one. */
export function serverMapOf(document: unknown): { key: string; servers: Json } | undefined {
  if (!isRecord(document)) return undefined;
  for (const key of ['mcpServers', 'servers']) {
    if (!Object.hasOwn(document, key)) continue;
    const servers = document[key];
    if (!isRecord(servers)) throw new MCPSealError('AUDIT_INPUT_INVALID', `the client config's "${key}" is not an object of server entries`, { details: { pointer: `/${key}` } });
    return { key, servers };
  }
  const mcp = document['mcp'];
  if (isRecord(mcp) && isRecord(mcp['servers'])) return { key: 'mcp.servers', servers: mcp['servers'] };
  return undefined;
}

/** Names of variables that carry credentials. */
const CREDENTIAL_NAME = /(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)$|^AWS_SECRET|^AUTHORIZATION$/iu;

/** A value written out in the config, not a reference the client resolves (`${input:x}`, `${env:X}`, `${X}`). */
function literalValue(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && !/^\$\{[^}]+\}$/u.test(value.trim()) && !/^(?:Bearer|Basic|token)\s+\$\{[^}]+\}$/iu.test(value.trim());
}

function inlineCredentials(values: unknown, where: string): AuditFinding[] {
  if (!isRecord(values)) return [];
  return Object.entries(values)
    .filter(([name, value]) => CREDENTIAL_NAME.test(name) && literalValue(value))
    .map(([name]) => finding('AUDIT_CHANNEL_CREDENTIAL_INLINE', `${where} writes ${name} out in the config (use the client's input or env references)`));
}

function unknownRisk(id: RiskId, why: string): RiskResult {
  return riskResult(id, 'unknown', why, []);
}

const AUDIT_BUNDLE = 'the config alone does not show it: audit the bundle or package itself';

/** The ten risks of one launched (stdio) entry. */
function commandRisks(name: string, launch: LaunchChannel, command: string, args: string[], entry: Json, checkers: AuditCheckers): RiskResult[] {
  const where = `"${name}"`;
  const feed = feedFinding(command, args, where);
  const origin =
    launch.channel === 'mcpseal'
      ? finding('AUDIT_CHANNEL_MCPSEAL', `${where} runs the installed bundle ${launch.target} (verified at install, pinned by sha256 in the lock)`)
      : feed !== null
        ? finding('AUDIT_CHANNEL_PACKAGE_FEED', `${where} runs ${launch.channel} ${launch.target}: no bundle signature is checked`)
        : finding('AUDIT_CHANNEL_LOCAL', `${where} runs ${launch.target} from this machine: nothing binds it to a publisher`);
  const stdio: AuditFinding[] = [];
  if (launch.shell) stdio.push(finding('AUDIT_SPAWN_SHELL', `${where} launches through a shell (${command})`));
  for (const escape of launch.escapes) stdio.push(finding('AUDIT_DOCKER_PRIVILEGED', `${where} runs docker with ${escape}`));
  const lookalike = lookalikeFinding(launch, checkers);
  const credentials = inlineCredentials(entry['env'], where);
  return [
    decided(1, [origin], 'a signed bundle pinned by sha256', launch.channel === 'mcpseal' ? null : AUDIT_BUNDLE),
    unknownRisk(2, AUDIT_BUNDLE),
    launch.channel === 'mcpseal' ? decided(3, [], 'a bundle pinned by sha256: nothing is fetched at launch') : feed ? decided(3, [feed], '') : unknownRisk(3, AUDIT_BUNDLE),
    notApplicable(4, 'launched locally over stdio'),
    unknownRisk(5, AUDIT_BUNDLE),
    stdio.length > 0 ? decided(6, stdio, '') : unknownRisk(6, AUDIT_BUNDLE),
    unknownRisk(7, 'give the bundle and --policy: the config names no publisher'),
    unknownRisk(8, 'only a signer you vetted settles it; stars, downloads and badges are never evidence'),
    lookalike ? decided(9, [lookalike], '') : unknownRisk(9, checkers.lookalikeOf ? 'no signer to compare the name with' : 'no list of well-known names was available'),
    credentials.length > 0 ? decided(10, credentials, '') : unknownRisk(10, AUDIT_BUNDLE),
  ];
}

function lookalikeFinding(launch: LaunchChannel, checkers: AuditCheckers): AuditFinding | null {
  if (checkers.lookalikeOf === undefined || (launch.channel !== 'npx' && launch.channel !== 'uvx' && launch.channel !== 'pipx')) return null;
  const bare = launch.channel === 'npx' ? launch.target.replace(/(?!^)@[^@/]*$/u, '') : launch.target.replace(/(?:\[[^\]]*\])?(?:===?|@).*$/u, '');
  const ecosystem = launch.channel === 'npx' ? 'npm' : 'pypi';
  const near = checkers.lookalikeOf(bare, ecosystem) ?? checkers.lookalikeOf(bare, 'mcp');
  return near === undefined || near.toLowerCase() === bare.toLowerCase() ? null : finding('AUDIT_NAME_LOOKALIKE', `${bare} is one edit away from the well-known ${near}`);
}

function remoteEndpoint(name: string, entry: Json): RemoteEndpoint {
  const headers = isRecord(entry['headers']) ? Object.keys(entry['headers']).map((header) => ({ name: header, secret: false })) : [];
  return { type: typeof entry['type'] === 'string' ? entry['type'] : undefined, url: entry['url'] as string, headers, where: `"${name}"` };
}

/** The ten risks of a remote (URL) entry. */
function remoteRisks(name: string, entry: Json, path: string): RiskResult[] {
  const endpoint = remoteEndpoint(name, entry);
  const remote = remoteRisk([endpoint], path);
  const credentials = inlineCredentials(entry['headers'], `"${name}"`).concat(inlineCredentials(entry['env'], `"${name}"`));
  return RISKS.map(({ id }) => {
    if (id === 4) return remote;
    if (id === 3 || id === 6) return notApplicable(id, 'a remote server: nothing is installed or started locally');
    if (id === 10 && credentials.length > 0) return decided(10, credentials, '');
    return unknownRisk(id, 'a remote server: its code is not available to audit');
  });
}

function invalidEntry(name: string, why: string): ChannelEntry {
  const risks = RISKS.map(({ id }) => (id === 1 ? decided(1, [finding('AUDIT_CHANNEL_ENTRY_INVALID', `"${name}": ${why}`)], '') : unknownRisk(id, 'the entry is not launchable')));
  return { name, channel: 'other', target: '', pinned: false, risks };
}

/** One server entry of a client config, classified and audited. */
export function auditEntry(name: string, entry: unknown, path: string, checkers: AuditCheckers): ChannelEntry {
  if (!isRecord(entry)) return invalidEntry(name, 'not an object');
  if (typeof entry['url'] === 'string' && entry['command'] === undefined) {
    return { name, channel: 'remote', target: entry['url'], pinned: false, risks: remoteRisks(name, entry, path) };
  }
  const command = entry['command'];
  if (typeof command !== 'string' || command.trim() === '') return invalidEntry(name, 'no command string and no url');
  const rawArgs = entry['args'] ?? [];
  if (!Array.isArray(rawArgs) || rawArgs.some((arg) => typeof arg !== 'string')) return invalidEntry(name, '"args" is not a list of strings');
  const args = rawArgs as string[];
  // A whole command line in "command" ("npx -y pkg"): split on spaces, as the clients that accept it do.
  const [program, ...inline] = args.length === 0 && /\s/u.test(command.trim()) ? command.trim().split(/\s+/u) : [command];
  const launch = launchChannel(program!, [...inline, ...args]);
  return { name, channel: launch.channel, target: launch.target, pinned: launch.pinned, risks: commandRisks(name, launch, program!, [...inline, ...args], entry, checkers) };
}
