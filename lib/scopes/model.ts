// The scope model (DESIGN.md "Scope declarations"): what a bundle's server may touch, declared in
// `_meta["dev.mcpseal"].scopes` and shaped by schemas/scopes.schema.json.

export const SCOPES_NAMESPACE = 'dev.mcpseal';

export interface EgressRule {
  /** A DNS name (one leading `*.` label at most) or an IP address. */
  host: string;
  ports: number[];
}

export interface Scopes {
  filesystem: { read: string[]; write: string[] };
  network: { egress: EgressRule[]; listen: boolean };
  process: { spawn: string[]; workers: boolean; native_addons: boolean };
  env: { read: string[]; secrets: string[] };
}

/** Where the scopes live in a manifest, as a JSON Pointer. */
export const SCOPES_POINTER = '/_meta/dev.mcpseal/scopes';

/** The scopes block of a manifest, unchecked, or undefined when there is none. */
export function scopesOf(manifest: Record<string, unknown>): unknown {
  const meta = manifest['_meta'];
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return undefined;
  const ours = (meta as Record<string, unknown>)[SCOPES_NAMESPACE];
  if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return undefined;
  return (ours as Record<string, unknown>)['scopes'];
}
