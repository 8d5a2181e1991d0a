// The scope model (DESIGN.md "Scope declarations"): what a bundle's server may touch, declared in
// `_meta["dev.mcpseal"].scopes` and shaped by schemas/scopes.schema.json.
//
// The four blocks keep the keys they always had, all required. The keys added for real servers
// (`filesystem.roots`, `filesystem.cwd`, `network.userDriven`) are optional, and absent means
// denied, exactly like an empty list or `false`: a signed manifest cannot change without
// re-signing, so a new required key would invalidate every bundle already signed.

export const SCOPES_NAMESPACE = 'dev.mcpseal';

export interface EgressRule {
  /** A DNS name (one leading `*.` label at most) or an IP address. */
  host: string;
  ports: number[];
}

/** How far a run-time grant reaches: nothing, reading, or reading and writing. */
export type Grant = 'none' | 'read' | 'write';

/** Egress to hosts the user picks at run time (a fetch tool), declared with a reason and its ports. */
export interface UserDrivenEgress {
  /** A human sentence: why the server reaches hosts no manifest can name. */
  reason: string;
  ports: number[];
}

/**
 * What a server is granted on one machine: the scopes resolved at install (recorded in the lock
 * entry) and read again at launch. One shape for both, so the two can never disagree.
 */
export interface MachineGrants {
  /** Absolute real paths (symlinks resolved where the path exists). */
  read: string[];
  write: string[];
  /** `host:port`, one per port. */
  egress: string[];
  listen: boolean;
  spawn: string[];
  workers: boolean;
  nativeAddons: boolean;
  env: { read: string[]; secrets: string[] };
  /** Granted at run time by the client (MCP roots, the working directory, user-picked hosts). */
  runtime: { roots: Grant; cwd: Grant; userDriven: UserDrivenEgress | null };
}

/** A user_config answer as recorded: a value, or a reference to an environment variable read at launch (sensitive options). */
export type ConfigAnswer = { value: string | number | boolean | string[] } | { env: string };

export interface Scopes {
  filesystem: {
    read: string[];
    write: string[];
    /** Directories the MCP client grants at run time through MCP roots (absent: `none`). */
    roots?: Grant;
    /** The working directory the host starts the server in (absent: `none`). */
    cwd?: Grant;
  };
  network: {
    egress: EgressRule[];
    listen: boolean;
    /** Egress to hosts chosen by the user at run time (absent: none). */
    userDriven?: UserDrivenEgress;
  };
  process: { spawn: string[]; workers: boolean; native_addons: boolean };
  env: { read: string[]; secrets: string[] };
}

/** The run-time grants of a scopes block, absent keys read as denied. */
export interface RuntimeGrants {
  roots: Grant;
  cwd: Grant;
  userDriven: UserDrivenEgress | null;
}

export function runtimeGrants(scopes: Scopes): RuntimeGrants {
  return {
    roots: scopes.filesystem.roots ?? 'none',
    cwd: scopes.filesystem.cwd ?? 'none',
    userDriven: scopes.network.userDriven ?? null,
  };
}

/** Where the scopes live in a manifest, as a JSON Pointer. */
export const SCOPES_POINTER = '/_meta/dev.mcpseal/scopes';

/** The scopes block of a manifest, unchecked, or undefined when there is none. */
export function scopesOf(manifest: Record<string, unknown>): unknown {
  const meta = manifest['_meta'];
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return undefined;
  if (!Object.hasOwn(meta, SCOPES_NAMESPACE)) return undefined;
  const ours = (meta as Record<string, unknown>)[SCOPES_NAMESPACE];
  if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return undefined;
  return Object.hasOwn(ours, 'scopes') ? (ours as Record<string, unknown>)['scopes'] : undefined;
}
