// `scopes suggest` from evidence (issue 10 item 2): the manifest's draft (suggest.ts) widened by
// what the analyzer saw the code do. Every suggested item carries why (file:line) in a parallel
// `reasons` structure; whatever was seen but cannot be placed becomes a question for the publisher,
// never a silent omission. The draft itself stays plain scopes, ready to paste.

import type { AnalysisReport, Observation, PathExpression } from '../analysis/model.ts';
import { urlTarget } from '../analysis/urls.ts';
import { launchConfigs } from '../manifest/command.ts';
import { userConfigOptions, type JsonRecord } from '../manifest/document.ts';
import { variableReferences } from '../manifest/variables.ts';
import { secretCarriers } from './check.ts';
import { egressHostProblem } from './hosts.ts';
import type { Grant, Scopes } from './model.ts';

/** Why an item is in the draft: a sentence and where the evidence is (file:line, at most 5). */
export interface Why {
  reason: string;
  at: string[];
}

/** Reasons keyed by scope pointer (`/network/egress/api.github.com`, `/env/read/GITHUB_TOKEN`, `/filesystem/roots`). */
export type Reasons = Record<string, Why[]>;

export interface Question {
  topic: 'filesystem' | 'network' | 'process' | 'env' | 'code';
  question: string;
  at: string[];
}

export interface EvidenceDraft {
  scopes: Scopes;
  reasons: Reasons;
  questions: Question[];
  /** What was seen and deliberately left out of the draft (dependencies' env reads, test files, ...). */
  notes: string[];
}

const MAX_AT = 5;
const SECRET_NAME = /(?:TOKEN|_KEY|KEY_|SECRET|PASSWORD|PASSWD|CREDENTIAL|APIKEY|API_KEY|PRIVATE)/iu;
const HOST = /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?))*|\[[0-9A-Fa-f:.]+\])$/u;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/u;

export function at(observation: Observation): string {
  return `${observation.evidence.path}:${observation.evidence.line}`;
}

/** Collects reasons and questions while the draft is built. */
class Draft {
  readonly reasons: Reasons = {};
  readonly #questions = new Map<string, Question>();
  readonly notes: string[] = [];

  because(pointer: string, reason: string, evidence: readonly Observation[] = []): void {
    const list = (this.reasons[pointer] ??= []);
    const existing = list.find((why) => why.reason === reason);
    const sites = evidence.map(at);
    if (existing) existing.at = [...new Set([...existing.at, ...sites])].slice(0, MAX_AT);
    else list.push({ reason, at: [...new Set(sites)].slice(0, MAX_AT) });
  }

  ask(topic: Question['topic'], question: string, evidence: readonly Observation[] = []): void {
    const existing = this.#questions.get(question);
    const sites = evidence.map(at);
    if (existing) existing.at = [...new Set([...existing.at, ...sites])].slice(0, MAX_AT);
    else this.#questions.set(question, { topic, question, at: [...new Set(sites)].slice(0, MAX_AT) });
  }

  get questions(): Question[] {
    return [...this.#questions.values()];
  }
}

/** The option a path reaches the server through: `${user_config.KEY}` in an env value or an argument. */
interface Carrier {
  key: string;
  type: 'directory' | 'file';
  /** The env variable that carries it, or undefined for a command-line argument. */
  env?: string;
}

/** The directory and file options the manifest passes to the server, and how. */
function carriers(manifest: JsonRecord): Carrier[] {
  const options = userConfigOptions(manifest);
  const found = new Map<string, Carrier>();
  const add = (text: string, env?: string): void => {
    for (const reference of variableReferences(text)) {
      const key = reference.userConfigKey;
      const type = key === null ? undefined : options.get(key)?.['type'];
      if (key !== null && (type === 'directory' || type === 'file')) found.set(`${key}\u0000${env ?? ''}`, { key, type, ...(env === undefined ? {} : { env }) });
    }
  };
  for (const config of launchConfigs(manifest)) {
    for (const arg of config.args) add(arg);
    for (const [name, value] of Object.entries(config.env)) add(value, name);
  }
  return [...found.values()];
}

/** Draft scopes from the manifest's draft plus the analyzer's report. */
export function suggestFromEvidence(manifest: JsonRecord, base: Scopes, report: AnalysisReport): EvidenceDraft {
  const scopes: Scopes = structuredClone(base);
  const draft = new Draft();
  explainBase(manifest, scopes, draft);
  const own = report.observations.filter((observation) => observation.origin === 'own' && observation.test !== true);
  placeEnv(manifest, scopes, own, draft);
  placeNetwork(scopes, own, draft);
  placeFilesystem(manifest, scopes, own, draft);
  placeProcess(scopes, own, draft);
  placeDependencies(scopes, report, draft);
  explainUnknowns(report, draft);
  fitSchema(scopes, draft);
  const tests = report.observations.filter((observation) => observation.test === true).length;
  if (tests > 0) draft.notes.push(`${tests} observations in test files (shipped, not run by the server) were not used`);
  return { scopes, reasons: draft.reasons, questions: draft.questions, notes: draft.notes };
}

/** Reasons for what the manifest alone already puts in the draft. */
function explainBase(manifest: JsonRecord, scopes: Scopes, draft: Draft): void {
  for (const path of scopes.filesystem.read) {
    draft.because(`/filesystem/read/${path}`, path === '${__dirname}' ? 'the bundle itself: the server reads its own files' : 'passed to the server in mcp_config (args or env)');
  }
  for (const name of scopes.env.read) draft.because(`/env/read/${name}`, 'set for the server in mcp_config.env');
  for (const name of scopes.env.secrets) draft.because(`/env/secrets/${name}`, 'carries a sensitive user_config option');
  for (const program of scopes.process.spawn) draft.because(`/process/spawn/${program}`, 'the command line starts it (a shell or a run-time fetcher)');
  for (const rule of scopes.network.egress) draft.because(`/network/egress/${rule.host}`, 'the registry a run-time fetcher in the command line downloads from');
  if (scopes.process.native_addons) draft.because('/process/native_addons', 'the bundle ships native code files');
  void manifest;
}

function placeEnv(manifest: JsonRecord, scopes: Scopes, own: readonly Observation[], draft: Draft): void {
  const secrets = secretCarriers(manifest, userConfigOptions(manifest));
  const reads = new Map<string, Observation[]>();
  for (const observation of own.filter((entry) => entry.kind === 'env-read')) {
    if (observation.detail === '*') draft.ask('env', 'the code reads an environment variable by a computed name: which ones, and should they be in env.read?', [observation]);
    else if (!ENV_NAME.test(observation.detail)) draft.ask('env', `the code reads "${observation.detail}", which is not a valid env.read name`, [observation]);
    else reads.set(observation.detail, [...(reads.get(observation.detail) ?? []), observation]);
  }
  for (const [name, evidence] of reads) {
    if (!scopes.env.read.includes(name)) scopes.env.read.push(name);
    draft.because(`/env/read/${name}`, 'the code reads it', evidence);
    if (secrets.has(name)) draft.because(`/env/secrets/${name}`, 'the code reads it and it carries a sensitive option', evidence);
    else if (SECRET_NAME.test(name)) draft.ask('env', `the code reads ${name}, which looks like a secret: pass it from a sensitive user_config option (then it belongs in env.secrets)`, evidence);
  }
  scopes.env.read.sort();
  const dotenv = own.filter((entry) => entry.kind === 'dotenv');
  if (dotenv.length > 0) {
    scopes.filesystem.cwd = maxGrant(scopes.filesystem.cwd, 'read');
    draft.because('/filesystem/cwd', 'loads a .env file from the working directory (dotenv)', dotenv);
  }
}

function placeNetwork(scopes: Scopes, own: readonly Observation[], draft: Draft): void {
  const literals = own.filter((entry) => entry.kind === 'url-literal' || (entry.kind === 'network' && entry.target?.origin === 'literal'));
  for (const observation of literals) addEgress(scopes, observation, 'the code contacts this host (URL literal)', draft);
  const dynamic = own.filter((entry) => entry.kind === 'network' && entry.target?.origin !== 'literal');
  const driven = dynamic.filter((entry) => entry.toolInput === true);
  if (driven.length > 0) {
    scopes.network.userDriven = { reason: 'A tool fetches the URL its input names: the user picks the host at run time.', ports: [443, 80] };
    draft.because('/network/userDriven', 'a tool fetches a URL taken from its input', driven);
  }
  const unplaced = dynamic.filter((entry) => entry.toolInput !== true);
  if (unplaced.length > 0) {
    const hosts = scopes.network.egress.map((rule) => rule.host);
    draft.ask('network', `the code contacts URLs it builds at run time${hosts.length > 0 ? ` (the literal hosts found: ${hosts.slice(0, 5).join(', ')})` : ''}: do they reach any other host? If the user picks it, declare network.userDriven`, unplaced);
  }
  const listen = own.filter((entry) => entry.kind === 'listen');
  if (listen.length > 0) {
    scopes.network.listen = true;
    draft.because('/network/listen', 'the code can accept connections (a server .listen); set false if the bundle only runs the stdio transport', listen);
  }
}

/** Adds host:port of a URL observation to egress (merging ports), or asks when the host is not declarable. */
function addEgress(scopes: Scopes, observation: Observation, reason: string, draft: Draft): void {
  const text = observation.target?.text ?? observation.detail;
  const target = urlTarget(text.replace(/\u2026$/u, ''), { head: text.endsWith('…') });
  if (target === null) return;
  const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  // The validator's own host rule (hosts.ts), not a second list: a draft never declares what validate refuses.
  const problem = HOST.test(host) ? egressHostProblem(host) : { why: 'it is not a host name' };
  if (problem !== null) {
    draft.ask('network', `the code contacts ${host}, which cannot be declared as egress: ${problem.why}`, [observation]);
    return;
  }
  const rule = scopes.network.egress.find((entry) => entry.host === host);
  if (rule === undefined) scopes.network.egress.push({ host, ports: [target.port] });
  else if (!rule.ports.includes(target.port)) rule.ports.push(target.port);
  draft.because(`/network/egress/${host}`, `${reason}, port ${target.port}`, [observation]);
}

function placeFilesystem(manifest: JsonRecord, scopes: Scopes, own: readonly Observation[], draft: Draft): void {
  const fileOps = own.filter((entry) => entry.kind === 'fs-read' || entry.kind === 'fs-write');
  const roots = own.filter((entry) => entry.kind === 'mcp-roots');
  const options = carriers(manifest);
  const envRead = new Set(own.filter((entry) => entry.kind === 'env-read').map((entry) => entry.detail));
  // Options reach the code through its arguments, or through an env variable it reads.
  const reachable = options.filter((option) => option.env === undefined || envRead.has(option.env));
  for (const observation of fileOps) {
    const write = observation.kind === 'fs-write';
    const target: PathExpression = observation.target ?? { origin: 'dynamic' };
    placePath({ scopes, draft, observation, write, target, reachable, roots: roots.length > 0 });
  }
  // A file option's parent covers the file itself.
  scopes.filesystem.write = scopes.filesystem.write.filter((path) => !/^\$\{user_config\.[^}:]+\}$/u.test(path) || !scopes.filesystem.write.includes(path.replace(/\}$/u, ':parent}')));
  if (roots.length > 0) {
    const grant = fileOps.some((entry) => entry.kind === 'fs-write' && entry.target?.origin !== 'literal') ? 'write' : 'read';
    scopes.filesystem.roots = grant;
    draft.because('/filesystem/roots', `the code asks the client for its MCP roots and ${grant === 'write' ? 'writes' : 'reads'} paths it cannot name statically`, roots);
  }
}

interface Placement {
  scopes: Scopes;
  draft: Draft;
  observation: Observation;
  write: boolean;
  target: PathExpression;
  reachable: readonly Carrier[];
  roots: boolean;
}

/** One file operation: into read/write, cwd, an option, roots, or a question. */
function placePath(placement: Placement): void {
  const { scopes, draft, observation, write, target } = placement;
  const verb = write ? 'writes' : 'reads';
  switch (target.origin) {
    case 'bundle':
      if (write) draft.ask('filesystem', 'the code writes inside the bundle directory, which an installer keeps read-only: where should that file live (a file or directory option)?', [observation]);
      return;
    case 'cwd':
      scopes.filesystem.cwd = maxGrant(scopes.filesystem.cwd, write ? 'write' : 'read');
      draft.because('/filesystem/cwd', `${verb} a path relative to the working directory`, [observation]);
      return;
    case 'tmp':
      draft.notes.push(`${at(observation)} ${verb} the temporary directory (a sandbox gives a private one)`);
      return;
    case 'literal':
    case 'home': {
      const path = scopePath(target);
      if (path === undefined) draft.ask('filesystem', `the code ${verb} "${target.text ?? '?'}": which directory should the scope name?`, [observation]);
      else addPath(scopes, draft, path, write, `${verb} this path`, observation);
      return;
    }
    default:
      placeCarried(placement);
  }
}

/** A path from an env variable, the command line or an expression the analyzer cannot follow. */
function placeCarried({ scopes, draft, observation, write, target, reachable, roots }: Placement): void {
  const verb = write ? 'writes' : 'reads';
  const carriedBy = target.origin === 'env' ? reachable.filter((option) => option.env === target.text) : target.origin === 'argv' ? reachable.filter((option) => option.env === undefined) : reachable;
  for (const option of carriedBy) {
    const path = option.type === 'file' && write && target.beside === true ? `\${user_config.${option.key}:parent}` : `\${user_config.${option.key}}`;
    addPath(scopes, draft, path, write, `${verb} a path that comes from the ${option.type} option ${option.key}${option.env === undefined ? ' (passed as an argument)' : ` (env ${option.env})`}${path.endsWith(':parent}') ? ', beside the file (a temporary file, a rename)' : ''}`, observation);
  }
  if (carriedBy.length > 0 || (roots && target.origin === 'dynamic')) return;
  const source = target.origin === 'env' ? `the path in env ${target.text ?? '?'}` : target.origin === 'argv' ? 'a path from the command line' : 'a path the analyzer cannot follow';
  draft.ask('filesystem', `the code ${verb} ${source}: pass it from a directory or file option (user_config) and declare that option in filesystem.${write ? 'write' : 'read'}`, [observation]);
}

function addPath(scopes: Scopes, draft: Draft, path: string, write: boolean, reason: string, observation: Observation): void {
  const list = write ? scopes.filesystem.write : scopes.filesystem.read;
  if (!list.includes(path)) list.push(path);
  draft.because(`/filesystem/${write ? 'write' : 'read'}/${path}`, reason, [observation]);
}

/** `${HOME}/.cache/app` for `~/.cache/app/…`; an absolute literal up to its first hole. */
function scopePath(target: PathExpression): string | undefined {
  const text = (target.text ?? '').split(/\$\{\u2026\}|\u2026/u)[0]!.replace(/\/+$/u, '');
  if (target.origin === 'home') {
    const rest = text.replace(/^~\/?/u, '');
    return rest === '' || rest.split('/').includes('..') ? undefined : `\${HOME}/${rest}`;
  }
  return text === '' || text === '/' || text.split('/').includes('..') ? undefined : text;
}

function maxGrant(current: Grant | undefined, wanted: Grant): Grant {
  const order: Grant[] = ['none', 'read', 'write'];
  return order.indexOf(wanted) > order.indexOf(current ?? 'none') ? wanted : (current ?? 'none');
}

function placeProcess(scopes: Scopes, own: readonly Observation[], draft: Draft): void {
  for (const observation of own.filter((entry) => entry.kind === 'spawn')) {
    if (observation.detail === '') {
      draft.ask('process', 'the code starts a program it names at run time: which programs, for process.spawn?', [observation]);
      continue;
    }
    if (!scopes.process.spawn.includes(observation.detail)) scopes.process.spawn.push(observation.detail);
    draft.because(`/process/spawn/${observation.detail}`, 'the code starts this program', [observation]);
  }
  const workers = own.filter((entry) => entry.kind === 'worker');
  if (workers.length > 0) {
    scopes.process.workers = true;
    draft.because('/process/workers', 'the code starts workers (threads or processes of itself)', workers);
  }
  const native = own.filter((entry) => entry.kind === 'native');
  if (native.length > 0) {
    scopes.process.native_addons = true;
    draft.because('/process/native_addons', 'the code loads native code', native);
  }
  const dynamic = own.filter((entry) => entry.kind === 'dynamic-code');
  if (dynamic.length > 0) draft.ask('code', 'the code loads or evaluates code the analyzer cannot read (dynamic require/import, eval, new Function, vm): what does it run, and what does that touch?', dynamic);
}

/** Dependencies: host literals of the packages the server imports, secret-looking env reads as questions, the rest as notes. */
function placeDependencies(scopes: Scopes, report: AnalysisReport, draft: Draft): void {
  const imported = new Set(report.imports);
  const dependency = report.observations.filter((entry) => entry.origin === 'dependency' && entry.test !== true);
  for (const observation of dependency) {
    const direct = observation.package !== undefined && imported.has(observation.package);
    // A dependency's loopback URLs are parse bases (`new URL(req.url, 'http://localhost')`) or its own listener.
    const loopback = /^(?:https?|wss?):\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/]|$)/iu.test(observation.target?.text ?? observation.detail);
    if (direct && !loopback && (observation.kind === 'url-literal' || (observation.kind === 'network' && observation.target?.origin === 'literal')) && observation.networkContext !== false) {
      if (observation.kind === 'network' || observation.networkContext === true) {
        addEgress(scopes, observation, `the dependency ${observation.package ?? '?'}, which the server imports, contacts this host`, draft);
      }
    } else if (observation.kind === 'env-read' && SECRET_NAME.test(observation.detail) && ENV_NAME.test(observation.detail) && !scopes.env.read.includes(observation.detail)) {
      draft.ask('env', `the dependency ${observation.package ?? '?'} reads ${observation.detail}, which looks like a secret: does the server rely on it? Then pass it from a sensitive user_config option`, [observation]);
    }
  }
  const counts = new Map<string, Set<string>>();
  for (const observation of dependency) counts.set(observation.kind, (counts.get(observation.kind) ?? new Set()).add(observation.package ?? '?'));
  for (const [kind, packages] of counts) {
    draft.notes.push(`dependencies with ${kind} observations (not placed unless above): ${[...packages].slice(0, 12).join(', ')}${packages.size > 12 ? `, and ${packages.size - 12} more` : ''}`);
  }
}

/** The schema's bounds (scopes.schema.json): longer lists are cut, and the cut is a question. */
const BOUNDS = { list: 256, spawn: 64, ports: 64, entry: 1024 } as const;

function fitSchema(scopes: Scopes, draft: Draft): void {
  const cut = <T>(list: T[], max: number, what: string): T[] => {
    if (list.length <= max) return list;
    draft.ask('code', `the code names ${list.length} ${what}, more than a scope may list (${max}): the draft keeps the first ${max}; which does the server need?`);
    return list.slice(0, max);
  };
  const short = (entry: string): boolean => entry.length <= BOUNDS.entry;
  scopes.filesystem.read = cut(scopes.filesystem.read.filter(short), BOUNDS.list, 'readable paths');
  scopes.filesystem.write = cut(scopes.filesystem.write.filter(short), BOUNDS.list, 'writable paths');
  scopes.env.read = cut(scopes.env.read, BOUNDS.list, 'environment variables');
  scopes.process.spawn = cut(scopes.process.spawn.filter(short), BOUNDS.spawn, 'programs');
  scopes.network.egress = cut(scopes.network.egress.filter((rule) => rule.host.length <= 253), BOUNDS.list, 'hosts');
  for (const rule of scopes.network.egress) rule.ports = cut(rule.ports, BOUNDS.ports, `ports of ${rule.host}`);
}

function explainUnknowns(report: AnalysisReport, draft: Draft): void {
  for (const unknown of report.unknowns.filter((entry) => entry.origin === 'own')) {
    draft.ask('code', `${unknown.path} was not analyzed (${unknown.reason}: ${unknown.message}): review what it does by hand`);
  }
  const dependencies = report.unknowns.filter((entry) => entry.origin === 'dependency');
  if (dependencies.length > 0) draft.notes.push(`${dependencies.length} dependency files were not analyzed (${[...new Set(dependencies.map((entry) => entry.reason))].join(', ')})`);
}
