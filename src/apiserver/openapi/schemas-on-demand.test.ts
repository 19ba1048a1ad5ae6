import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { silentLogger } from '../../util/logger.js';
import { loadSchemasOnDemand } from './schemas-on-demand.js';
import { GENERATED_SCHEMAS_FILE, loadSchemas } from './schemas.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-on-demand-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
function writeFile(content: string): string {
  const file = path.join(dir, `schemas-${files++}.json`);
  fs.writeFileSync(file, content);
  return file;
}

const REF = { allOf: [{ $ref: '#/components/schemas/a.Meta' }], default: {} };
const SCHEMAS = {
  'a.Meta': { description: 'Metadata.', type: 'object', properties: { name: { type: 'string' } } },
  'a.One': {
    description: 'One, with "quotes", a \\ backslash, {braces} and [brackets] — and ünïcode.',
    type: 'object',
    properties: { name: { type: 'string' }, meta: REF, n: { type: 'integer', format: 'int32' } },
    'x-kubernetes-group-version-kind': [{ group: 'a', version: 'v1', kind: 'One' }],
  },
  'a.Two': {
    type: 'object',
    properties: { name: { type: 'string' }, meta: REF, keys: { type: 'array', items: { type: 'string' } } },
    'x-kubernetes-group-version-kind': [
      { group: 'a', version: 'v1', kind: 'Two' },
      { group: 'a', version: 'v1beta1', kind: 'Two' },
    ],
  },
  'a.Empty': {},
};

void describe('loadSchemasOnDemand', () => {
  void test('reads every schema as the eager loader does, whatever the layout of the file', () => {
    for (const text of [
      JSON.stringify({ source: 'test', schemas: SCHEMAS }),
      JSON.stringify({ schemas: SCHEMAS, source: 'test', extra: [1, { x: '}' }] }, null, 2),
    ]) {
      const file = writeFile(text);
      const lazy = loadSchemasOnDemand(file, silentLogger);
      const eager = loadSchemas(file, silentLogger, { descriptions: false });
      assert.equal(lazy.source, 'test');
      assert.deepEqual([...lazy.byGvk], [...eager.byGvk]);
      assert.deepEqual(lazy.byGvk.get('a/v1beta1/Two'), 'a.Two');
      assert.deepEqual(lazy.schemas, eager.schemas);
      assert.ok('a.Empty' in lazy.schemas);
      assert.ok(!('a.Missing' in lazy.schemas));
      assert.equal(lazy.schemas['a.Missing'], undefined);
    }
  });

  void test('parses a schema only when asked for it, once, sharing identical parts with those parsed before', () => {
    const file = writeFile(JSON.stringify({ source: 'test', schemas: SCHEMAS }));
    const set = loadSchemasOnDemand(file, silentLogger);
    const one = set.schemas['a.One'];
    assert.equal(set.schemas['a.One'], one, 'the same object on every read');
    assert.equal(one?.description, undefined, 'without descriptions');
    const two = set.schemas['a.Two'];
    assert.equal(one?.properties?.meta, two?.properties?.meta);
    assert.equal(one?.properties?.name, two?.properties?.name);
    assert.ok(Object.isFrozen(one));
    assert.throws(() => {
      (set.schemas as Record<string, unknown>)['a.New'] = {};
    }, TypeError);
  });

  void test('a file replaced while running is indexed again', () => {
    const file = writeFile(JSON.stringify({ source: 'test', schemas: SCHEMAS }));
    const set = loadSchemasOnDemand(file, silentLogger);
    assert.ok(set.schemas['a.Meta']);
    const changed = {
      'a.Pad': { type: 'string', format: 'padding-'.repeat(20) },
      ...SCHEMAS,
      'a.Three': { 'x-kubernetes-group-version-kind': [{ group: 'a', version: 'v1', kind: 'Three' }] },
    };
    fs.writeFileSync(file, JSON.stringify({ source: 'test', schemas: changed }));
    // Not read before the change: its bytes moved.
    assert.equal(set.byGvk.get('a/v1/Three'), undefined);
    assert.deepEqual(
      set.schemas['a.Two'],
      loadSchemas(file, silentLogger, { descriptions: false }).schemas['a.Two'],
    );
    assert.equal(set.byGvk.get('a/v1/Three'), 'a.Three', 'the GVK index follows the file');
    assert.ok('a.Three' in set.schemas);
  });

  void test('a file it cannot index is loaded whole, or replaced by the minimal schemas', () => {
    const unusual = writeFile(JSON.stringify({ schemas: SCHEMAS }));
    assert.deepEqual(
      Object.keys(loadSchemasOnDemand(unusual, silentLogger).schemas).sort(),
      Object.keys(SCHEMAS).sort(),
    );
    const broken = writeFile('{"source": "test", "schemas": {"a.One": {');
    assert.equal(loadSchemasOnDemand(broken, silentLogger).source, 'fallback');
  });

  void test('the generated file: the schemas on demand equal the eager set', () => {
    const lazy = loadSchemasOnDemand(GENERATED_SCHEMAS_FILE, silentLogger);
    const eager = loadSchemas(GENERATED_SCHEMAS_FILE, silentLogger, { descriptions: false });
    assert.ok(Object.keys(eager.schemas).length > 400);
    assert.deepEqual([...lazy.byGvk].sort(), [...eager.byGvk].sort());
    assert.deepEqual(Object.keys(lazy.schemas).sort(), Object.keys(eager.schemas).sort());
    for (const name of Object.keys(eager.schemas))
      assert.deepEqual(lazy.schemas[name], eager.schemas[name], name);
  });
});
