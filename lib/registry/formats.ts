// The one format the registry's server.schema.json uses, for ajv (the generated validator imports
// this module; see scripts/build-schemas.ts). mcpseal does not ship ajv-formats for one format.

/**
 * JSON Schema `uri` (draft-07 §7.3.5: an absolute URI, RFC 3986 §4.3): a scheme (§3.1), a colon,
 * no white space, and a value the WHATWG URL parser accepts. A relative reference is refused.
 */
export function isAbsoluteUri(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/u.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The formats server.schema.json uses, in ajv's `{ type, validate }` form. */
export const registryFormats = {
  uri: { type: 'string', validate: isAbsoluteUri },
} as const;
