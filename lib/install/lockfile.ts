// The lockfile (`mcpseal.lock.json`): what was installed, from whom, and what it was granted, one
// entry per bundle name. Meant to be committed and reviewed like package-lock.json or Cargo.lock:
// a format `version`, keys sorted at every level, 2-space indentation and a trailing newline, so
// the same content always serialises to the same bytes and a diff shows only what changed.
// A file that is not this format is LOCK_INVALID and never rewritten: it may be a merge conflict
// or someone's edit, and guessing would lose what it said.

import { MCPSealError } from '../errors.ts';
import { readBoundedFile, writeFileAtomic } from '../io.ts';
import type { ConfigAnswer, MachineGrants } from '../scopes/model.ts';

export const LOCK_VERSION = 1;
export const LOCK_FILE_NAME = 'mcpseal.lock.json';

/** Largest lockfile read (a few hundred bundles take well under a megabyte). */
const MAX_LOCK_SIZE = 64 * 1024 * 1024;

/** Who signed the installed bundle, as the verification established it. */
export interface LockSigner {
  /** `keyless` (a Fulcio certificate) or `key` (a public key the installer named). */
  kind: 'keyless' | 'key';
  /** The certificate's subject (email or workflow URI); null for a key. */
  identity: string | null;
  issuer: string | null;
  /** GitHub `owner/name` of the source repository, when the certificate names one. */
  repo: string | null;
  /** The source ref (`refs/tags/v1.0.0`), when the certificate names one. */
  ref: string | null;
  /** The key hint of a keyed bundle. */
  keyHint: string | null;
}

/** The first transparency log entry of the signature, when there is one. */
export interface LockLogEntry {
  index: string | null;
  integratedTime: string | null;
}

/** What the server is granted on this machine, resolved at install (the shape launch reads too). */
export type LockGrants = MachineGrants;

/** A user_config answer: a value, or a reference to an environment variable read at launch (sensitive options). */
export type LockConfigValue = ConfigAnswer;

/** The digest of the installed files (see README "Lockfile"): sha256 over the `sha256sum`-style listing. */
export interface LockEntries {
  count: number;
  /** sha256 (hex) of the lines `<sha256 hex>  <name>\n`, sorted by name (UTF-16 order). */
  sha256: string;
  /** `attested`: the attestation listed them; `computed`: hashed at extraction (unsigned, or GitHub provenance). */
  source: 'attested' | 'computed';
}

export interface LockEntry {
  name: string;
  version: string;
  /** sha256 of the .mcpb file: the store tree's name. */
  sha256: string;
  serverType: string;
  signer: LockSigner | null;
  logEntry: LockLogEntry | null;
  /** sha256 of the policy file the install was held to, or null. */
  policy: string | null;
  /** The manifest's declared scopes, as signed. */
  scopes: unknown;
  grants: LockGrants;
  userConfig: Record<string, LockConfigValue>;
  entries: LockEntries;
  /** Tools pinned at the first run (empty until then), sorted by name (README "tools"). */
  tools: LockTool[];
  /** When `run` first pinned the tools; absent until then (and in locks written before pinning existed). */
  toolsPinnedAt?: string;
  /** How the server's last complete live tool list differed from the pins, awaiting `mcpseal tools accept`. */
  toolsPending?: LockToolChange[];
  installedAt: string;
}

/** One pinned tool: sha256 (hex) over the RFC 8785 canonical JSON of its name, description, schemas and annotations. */
export interface LockTool {
  name: string;
  sha256: string;
}

/** A live tool that differs from its pin, as `run` last saw it. */
export interface LockToolChange {
  name: string;
  change: 'changed' | 'new' | 'removed';
  /** The live hash (null: the tool is no longer listed). */
  sha256: string | null;
  /** The pinned hash (null: a new tool). */
  pinned: string | null;
  seenAt: string;
}

export interface Lock {
  version: typeof LOCK_VERSION;
  bundles: Record<string, LockEntry>;
}

/** The entry recorded under `name` (own keys only: a bundle named "constructor" finds nothing inherited). */
export function lockEntryOf(lock: Lock, name: string): LockEntry | undefined {
  return Object.hasOwn(lock.bundles, name) ? lock.bundles[name] : undefined;
}

export function emptyLock(): Lock {
  return { version: LOCK_VERSION, bundles: {} };
}

/** Reads the lockfile at `path`; a missing file is an empty lock, anything unreadable as the format is LOCK_INVALID. */
export async function readLock(path: string): Promise<Lock> {
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(path, {
      max: MAX_LOCK_SIZE,
      tooLarge: (size) => lockInvalid(path, `it is ${size} bytes (limit ${MAX_LOCK_SIZE})`),
    });
  } catch (error) {
    if (error instanceof MCPSealError && error.code === 'IO_NOT_FOUND') return emptyLock();
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw lockInvalid(path, `it is not JSON (${(cause as Error).message})`, cause);
  }
  return checkLock(json, path);
}

function lockInvalid(path: string, why: string, cause?: unknown): MCPSealError {
  return new MCPSealError('LOCK_INVALID', `the lockfile ${path} is not an mcpseal lock: ${why}; it was left as it is (fix or move it)`, {
    details: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const HEX64 = /^[0-9a-f]{64}$/u;

/** The shape every later step relies on; the rest of an entry is carried as written. */
function checkLock(json: unknown, path: string): Lock {
  if (!isRecord(json)) throw lockInvalid(path, 'the top level is not an object');
  if (json['version'] !== LOCK_VERSION) throw lockInvalid(path, `"version" is ${JSON.stringify(json['version'])}, this mcpseal reads version ${LOCK_VERSION}`);
  const bundles = json['bundles'];
  if (!isRecord(bundles)) throw lockInvalid(path, '"bundles" is not an object');
  for (const [name, entry] of Object.entries(bundles)) {
    const at = `bundles[${JSON.stringify(name)}]`;
    if (!isRecord(entry)) throw lockInvalid(path, `${at} is not an object`);
    if (entry['name'] !== name) throw lockInvalid(path, `${at}.name is not ${JSON.stringify(name)}`);
    if (typeof entry['version'] !== 'string') throw lockInvalid(path, `${at}.version is not a string`);
    if (typeof entry['sha256'] !== 'string' || !HEX64.test(entry['sha256'])) throw lockInvalid(path, `${at}.sha256 is not a sha256`);
    if (!isRecord(entry['grants']) || !isRecord(entry['entries'])) throw lockInvalid(path, `${at} lacks grants or entries`);
    checkToolFields(entry, at, path);
  }
  return json as unknown as Lock;
}

const isHashOrNull = (value: unknown): boolean => value === null || (typeof value === 'string' && HEX64.test(value));

/**
 * The tool pins of an entry, when present: `run` trusts them to decide what the client sees, so a
 * malformed one is LOCK_INVALID rather than read as "nothing pinned" (which would re-pin silently).
 * Older locks have `tools: []` and neither `toolsPinnedAt` nor `toolsPending`: still valid.
 */
function checkToolFields(entry: Record<string, unknown>, at: string, path: string): void {
  const tools = entry['tools'];
  if (tools !== undefined && (!Array.isArray(tools) || !tools.every((tool) => isRecord(tool) && typeof tool['name'] === 'string' && typeof tool['sha256'] === 'string' && HEX64.test(tool['sha256'])))) {
    throw lockInvalid(path, `${at}.tools is not a list of { name, sha256 }`);
  }
  if (entry['toolsPinnedAt'] !== undefined && typeof entry['toolsPinnedAt'] !== 'string') throw lockInvalid(path, `${at}.toolsPinnedAt is not a string`);
  const pending = entry['toolsPending'];
  const changes = ['changed', 'new', 'removed'];
  if (
    pending !== undefined &&
    (!Array.isArray(pending) ||
      !pending.every((item) => isRecord(item) && typeof item['name'] === 'string' && changes.includes(item['change'] as string) && isHashOrNull(item['sha256']) && isHashOrNull(item['pinned'])))
  ) {
    throw lockInvalid(path, `${at}.toolsPending is not a list of { name, change, sha256, pinned }`);
  }
}

/** The lock as committed: keys sorted at every level, 2-space indentation, a trailing newline. */
export function serializeLock(lock: Lock): string {
  return `${JSON.stringify(sortKeys(lock), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  // fromEntries defines own properties: a bundle named "__proto__" stays a key, never a prototype.
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}

/**
 * Writes the lock atomically: a new temporary file beside it (`O_EXCL`), fsync, rename, then an
 * fsync of the directory, so a crash at any point leaves either the old lock or the new one.
 */
export async function writeLock(path: string, lock: Lock): Promise<void> {
  await writeFileAtomic(path, serializeLock(lock), { durable: true });
}
