// server.json against the MCP registry's published schema (schemas/server.schema.json, vendored
// unchanged; its source in schemas/server.schema.SOURCE.md), compiled at build time.

import { validateServerJson } from './generated/server-validator.ts';

/** The schema version vendored: the `$id` of schemas/server.schema.json. */
export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** One place a server.json breaks the schema. */
export interface SchemaProblem {
  /** JSON Pointer of the offending value (`""` for the document). */
  pointer: string;
  message: string;
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** The most problems reported for one document (an attacker's file can break every rule). */
const MAX_PROBLEMS = 20;

/** Every place `document` breaks the registry's schema (empty when it validates). */
export function serverSchemaProblems(document: unknown): SchemaProblem[] {
  const validate = validateServerJson as ((data: unknown) => boolean) & { errors?: AjvError[] | null };
  if (validate(document)) return [];
  return (validate.errors ?? []).slice(0, MAX_PROBLEMS).map((error) => ({
    pointer: error.instancePath,
    message: error.keyword === 'additionalProperties' ? `unknown property "${String(error.params['additionalProperty'])}"` : (error.message ?? error.keyword),
  }));
}
