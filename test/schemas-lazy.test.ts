// The rewrite of ajv's standalone code in scripts/build-schemas.ts (lazySchemaConstants): a schema
// constant nothing reads is removed, one that is read is built on first use, and the code means
// what it meant. The validators themselves run in test/manifest-compat.test.ts and test/registry.test.ts.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lazySchemaConstants } from '../scripts/build-schemas.ts';

async function evaluate(code: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as Record<string, unknown>;
}

describe('lazySchemaConstants (scripts/build-schemas.ts)', () => {
  it('removes a constant nothing reads and builds a read one on first use, leaving property names alone', async () => {
    const code = [
      'const schema1 = {"properties":{"a":{"type":"string"}},"enum":["x",-1,null,true]};',
      'const schema2 = {"unused":[1,2,3]};',
      'export let reads = 0;',
      'export function check(key) { reads++; return Object.prototype.hasOwnProperty.call(schema1.properties, key) && ({ schema2: 3 }).schema2 === 3; }',
      'export const values = () => schema1.enum;',
    ].join('\n');
    const rewritten = lazySchemaConstants(code);
    assert.doesNotMatch(rewritten, /const schema\d/u);
    assert.doesNotMatch(rewritten, /"unused"/u);
    assert.match(rewritten, /^let schema1Made; function schema1\(\) \{ return \(schema1Made \?\?= \{"properties"/u);
    assert.match(rewritten, /\(\{ schema2: 3 \}\)\.schema2/u);
    const before = await evaluate(code);
    const after = await evaluate(rewritten);
    for (const module of [before, after]) {
      assert.equal((module['check'] as (key: string) => boolean)('a'), true);
      assert.equal((module['check'] as (key: string) => boolean)('b'), false);
      assert.deepEqual((module['values'] as () => unknown[])(), ['x', -1, null, true]);
    }
    // Built once: the same object on every read.
    assert.equal((after['values'] as () => unknown[])(), (after['values'] as () => unknown[])());
  });

  it('leaves a constant that is not a JSON literal, or not a schema, as it is', () => {
    const code = 'const schema3 = make();\nconst other = {"a":1};\nconst schema4 = {"a":[1]}, schema5 = 2;\nexport default [schema3, other, schema4, schema5];\n';
    assert.equal(lazySchemaConstants(code), code);
  });

  it('stops at a second binding of a schema name (which one a reference meant would be a guess)', () => {
    assert.throws(() => lazySchemaConstants('const schema1 = {"a":1};\nexport function f(schema1) { return schema1.a; }\n'), /binds or uses "schema1"/u);
    assert.throws(() => lazySchemaConstants('const schema1 = {"a":1};\nexport function f() { const schema1 = 2; return schema1; }\n'), /binds or uses "schema1"/u);
    assert.throws(() => lazySchemaConstants('const schema1 = {"a":1};\nexport const o = { schema1 };\n'), /binds or uses "schema1"/u);
  });

  it('the committed validators hold no schema constant built at load', () => {
    for (const file of ['../lib/manifest/generated/manifest-validators.ts', '../lib/registry/generated/server-validator.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      assert.doesNotMatch(source, /^const schema\d+ = /mu, file);
      assert.match(source, /^let schema\d+Made; function schema\d+\(\)/mu, file);
    }
  });
});
