// Custom ajv formats for checks JSON Schema cannot state exactly. Each one runs the same code
// as the zod check it mirrors, so the compat schemas accept what @anthropic-ai/mcpb accepts.
// The generated validators import this module (see scripts/build-schemas.ts).

/**
 * zod 3 `z.string().url()` (zod/v3/types.js, check kind "url"): valid iff `new URL(value)`
 * does not throw. That admits `mailto:x`, `javascript:alert(1)` and `a:b`, and refuses
 * `http://` and relative references; the hardened profile narrows it, the compat one must not.
 */
export function isZodUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The formats the manifest schemas use, in ajv's `{ type, validate }` form. */
export const zodFormats = {
  'zod-url': { type: 'string', validate: isZodUrl },
} as const;
