// The official SARIF 2.1.0 schema (test/fixtures/sarif/, see SOURCE.md there) as an ajv validator,
// for the renderer's tests and the CLI's.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SARIF_SCHEMA_URI } from '../../lib/report/audit-sarif.ts';

const SCHEMA_FILE = new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url);

/**
 * The official schema is draft-04 (top-level `id`); it uses no keyword whose meaning changed since,
 * so ajv's draft-07 dialect checks it once `id` is named `$id` (SOURCE.md). Strict mode stays on
 * except for `strictTypes`, which objects to the schema's own untyped `enum`+`default` pairs.
 */
export function sarifValidator(): ValidateFunction {
  const { $schema: _draft04, id, ...schema } = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  assert.equal(id, SARIF_SCHEMA_URI, 'the vendored schema is the errata 01 one the logs name');
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats.default(ajv);
  return ajv.compile({ $id: id, ...schema });
}
