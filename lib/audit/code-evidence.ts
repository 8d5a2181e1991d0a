// The bundled code's observations (lib/analysis) held against the declared scopes: hosts it
// contacts, variables it reads, secrets it reaches, programs it starts, code it computes. Own code
// decides; a dependency's capabilities are reported only where they matter on their own (home
// secrets, fetched code, cloud credentials), because a library's unused paths are not the server's.

import type { AnalysisReport, Observation, ObservationKind } from '../analysis/model.ts';
import { HOME_SECRETS, homeSecretOf } from '../manifest/home-secrets.ts';
import type { Scopes } from '../scopes/model.ts';
import type { AuditEvidence } from './model.ts';

export function evidenceOf(observation: Observation): AuditEvidence {
  return { path: observation.evidence.path, line: observation.evidence.line, excerpt: observation.evidence.excerpt };
}

/** Observations of the server's own code that runs (tests shipped in the bundle are not run). */
export function ownRunning(report: AnalysisReport): Observation[] {
  return report.observations.filter((observation) => observation.origin === 'own' && observation.test !== true);
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0)$/iu;
/** Hosts that appear in code as documentation or placeholders, not as destinations. */
const PLACEHOLDER = /(?:^|\.)(?:example\.(?:com|org|net)|localhost|invalid|test)$/iu;

/** The host a literal URL names, lower-cased, or undefined. */
export function hostOf(url: string): string | undefined {
  if (!/^(?:https?|wss?):\/\//iu.test(url)) return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '' || host.includes('${') || host.includes('%7b') ? undefined : host;
  } catch {
    return undefined;
  }
}

/** Literal destinations of the server's own network calls (and URL literals handed to them). */
export function contactedHosts(observations: readonly Observation[]): Map<string, Observation> {
  const hosts = new Map<string, Observation>();
  for (const observation of observations) {
    const literal = (observation.kind === 'network' && observation.target?.origin === 'literal') || (observation.kind === 'url-literal' && observation.networkContext === true);
    if (!literal) continue;
    const host = hostOf(observation.kind === 'network' ? (observation.target?.text ?? observation.detail) : observation.detail);
    if (host === undefined || LOOPBACK.test(host) || PLACEHOLDER.test(host)) continue;
    if (!hosts.has(host)) hosts.set(host, observation);
  }
  return hosts;
}

/** Whether a declared egress rule covers `host` (`*.x` covers every name below x). */
export function egressAllows(scopes: Scopes | null, host: string): boolean {
  for (const rule of scopes?.network.egress ?? []) {
    const pattern = rule.host.toLowerCase();
    if (pattern === host) return true;
    if (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))) return true;
  }
  return false;
}

/** Variables any server may read: the launcher passes them (or their absence is harmless). */
const AMBIENT_ENV: ReadonlySet<string> = new Set(['PATH', 'HOME', 'LANG', 'NODE_ENV', 'TZ']);

export function envDeclared(scopes: Scopes | null, name: string): boolean {
  if (AMBIENT_ENV.has(name)) return true;
  return scopes !== null && (scopes.env.read.includes(name) || scopes.env.secrets.includes(name));
}

/** Cloud credentials by variable name (the SDKs' documented credential and profile variables). */
const CLOUD_ENV = /^(?:AWS_|AZURE_|ARM_CLIENT_|GOOGLE_APPLICATION_CREDENTIALS$|GOOGLE_CLOUD_|GCLOUD_|GCP_|CLOUDSDK_|DIGITALOCEAN_|ALIBABA_CLOUD_|ALICLOUD_|OCI_|IBMCLOUD_|CLOUDFLARE_API|KUBECONFIG$)/u;

export function isCloudCredentialEnv(name: string): boolean {
  return CLOUD_ENV.test(name);
}

/** Home-directory stores that hold cloud credentials (a subset of HOME_SECRETS). */
const CLOUD_STORES: ReadonlySet<string> = new Set(['.aws', '.azure', '.config/gcloud', '.kube']);

/** Places outside HOME_SECRETS a reviewer also treats as secrets: browser profiles and keychains. */
const OTHER_SECRETS = /(?:^|\/)(?:\.mozilla\/firefox|\.config\/(?:google-chrome|chromium|BraveSoftware)|Library\/Application Support\/(?:Google\/Chrome|Firefox|BraveSoftware)|Library\/Cookies|AppData\/(?:Local|Roaming)\/(?:Google\/Chrome|Mozilla\/Firefox)|login\.keychain|\.electrum|\.bitcoin|\.ethereum)(?:\/|$)/iu;

/**
 * The home-directory secret store a file-system observation reaches, or null: the path's text as
 * the analyzer followed it (`~/.ssh/id_rsa`, `${HOME}/.aws`, `/home/x/.netrc`), or a literal that
 * names a store anywhere (`.ssh/id_rsa` joined to os.homedir()).
 */
export function secretStoreOf(observation: Observation): string | null {
  const text = observation.target?.text;
  if (text === undefined) return null;
  const clean = text.replace(/\\/gu, '/');
  const fromHome = observation.target?.origin === 'home';
  // The analyzer writes the home directory as `~`, `${HOME}`, or a hole `${…}` it followed to os.homedir().
  const home = /^(?:~|\$\{[^}]*\}|\$HOME)(?:\/|$)(.*)$/u.exec(clean);
  const segments = home && (fromHome || !clean.startsWith('${…}')) ? ['${HOME}', ...home[1]!.split('/').filter((part) => part !== '' && part !== '…')] : clean.split('/');
  const store = homeSecretOf(segments);
  if (store !== null) return store;
  const other = OTHER_SECRETS.exec(clean);
  if (other) return other[0].replace(/^\/|\/$/gu, '');
  // A path built by concatenation (`os.homedir() + "/.ssh/id_rsa"`) reaches the analyzer as `~`
  // alone: the line that reaches the home directory and names a store is the evidence.
  return fromHome ? (STORE_IN_LINE.exec(observation.evidence.excerpt)?.[1] ?? null) : null;
}

/** A home secret store named in a line of code, after a quote or a separator. */
const STORE_IN_LINE = new RegExp(`["'\`/\\\\](${HOME_SECRETS.map((store) => store.replace(/[.*+?^\${}()|[\]\\]/gu, '\\$&')).join('|')})(?=["'\`/\\\\]|$)`, 'u');

export function isCloudStore(store: string): boolean {
  return CLOUD_STORES.has(store);
}

/** A spawn that goes through a shell: `exec`/`execSync`, `shell: true`, `os.system`, `shell=True`, or a shell program. */
export function spawnsShell(observation: Observation): boolean {
  if (/^(?:sh|bash|zsh|dash|ksh|fish|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)$/iu.test(observation.detail)) return true;
  return /\bexec(?:Sync)?\s*\(|shell\s*:\s*true|\bos\.system\s*\(|\bos\.popen\s*\(|shell\s*=\s*True/u.test(observation.evidence.excerpt);
}

/** Whether `program` is declared in process.spawn (by name, or by a path whose last segment it is). */
export function spawnDeclared(scopes: Scopes | null, program: string): boolean {
  const base = program.split(/[\\/]/u).pop()!;
  return (scopes?.process.spawn ?? []).some((declared) => declared === program || declared.split(/[\\/]/u).pop() === base);
}

/** The analysis layer's observation kinds for fetched or decoded code (analysis/model.ts). */
const OBFUSCATION_KINDS: ReadonlySet<ObservationKind> = new Set<ObservationKind>(['eval-fetched', 'obfuscation']);

/** Dynamic code that evaluates fetched or decoded text, or an obfuscation observation. */
export function isObfuscation(observation: Observation): boolean {
  if (OBFUSCATION_KINDS.has(observation.kind)) return true;
  if (observation.kind !== 'dynamic-code') return false;
  return /\b(?:atob|Buffer\.from\([^)]*base64|fromCharCode|unescape|decodeURIComponent|fetch|https?\.get|axios|response\.text|\.text\(\)|b64decode|zlib\.decompress|marshal\.loads|urlopen|requests\.get)\b/u.test(observation.evidence.excerpt);
}
