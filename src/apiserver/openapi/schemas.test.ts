import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { silentLogger, type Logger } from '../../util/logger.js';
import { SERVED_KINDS } from './kinds.js';
import { loadSchemas, schemaNameForGvk } from './schemas.js';
import { generatedSchemaSet } from './testing/generated.js';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (m) => warnings.push(m), child: () => recordingLogger(), warnings };
}

void describe('loadSchemas', () => {
  void test('reads a generated file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'k8s-schemas.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          source: 'test',
          schemas: {
            'a.B': {
              type: 'object',
              'x-kubernetes-group-version-kind': [{ group: 'a', version: 'v1', kind: 'B' }],
            },
          },
        }),
      );
      const set = loadSchemas(file, silentLogger);
      assert.equal(set.source, 'test');
      assert.equal(set.byGvk.get('a/v1/B'), 'a.B');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('without descriptions: schema descriptions go, a property named description stays', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'k8s-schemas.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          source: 'test',
          schemas: {
            'a.Class': {
              description: 'A class.',
              type: 'object',
              properties: {
                description: { description: 'What the class is for.', type: 'string' },
                value: { description: 'Its value.', type: 'integer' },
              },
            },
          },
        }),
      );
      const full = loadSchemas(file, silentLogger).schemas['a.Class'];
      assert.equal(full?.description, 'A class.');
      const bare = loadSchemas(file, silentLogger, { descriptions: false }).schemas['a.Class'];
      assert.deepEqual(bare, {
        type: 'object',
        properties: { description: { type: 'string' }, value: { type: 'integer' } },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('without descriptions: identical subtrees are one frozen object, and the set reads as parsed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'k8s-schemas.json');
      const ref = { allOf: [{ $ref: '#/components/schemas/a.Meta' }], default: {} };
      const schemas = {
        'a.One': {
          type: 'object',
          properties: { name: { type: 'string' }, meta: ref, n: { type: 'integer' } },
        },
        'a.Two': {
          type: 'object',
          properties: { name: { type: 'string' }, meta: ref, keys: { type: 'array' } },
        },
      };
      fs.writeFileSync(file, JSON.stringify({ source: 'test', schemas }));
      const set = loadSchemas(file, silentLogger, { descriptions: false });
      assert.deepEqual(set.schemas, schemas);
      const one = set.schemas['a.One']?.properties ?? {};
      const two = set.schemas['a.Two']?.properties ?? {};
      assert.equal(one.name, two.name);
      assert.equal(one.meta, two.meta);
      assert.notEqual(set.schemas['a.One'], set.schemas['a.Two']);
      // Shared objects are frozen, and so (each of its parts being shareable) is the whole set.
      assert.ok(Object.isFrozen(one.meta) && Object.isFrozen(one.meta?.allOf));
      assert.ok(Object.isFrozen(set.schemas));
      assert.throws(() => {
        (one.name as { type?: string }).type = 'integer';
      }, TypeError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void test('without descriptions, the generated set equals the full one with its descriptions removed', () => {
    const full = loadSchemas(undefined, silentLogger).schemas;
    const bare = loadSchemas(undefined, silentLogger, { descriptions: false }).schemas;
    const strip = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map((x) => strip(x));
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k, x]) => !(k === 'description' && typeof x === 'string'))
          .map(([k, x]) => [k, strip(x)]),
      );
    };
    assert.ok(Object.keys(full).length > 400);
    assert.deepEqual(bare, strip(full));
  });

  void test('a missing file falls back to minimal schemas for every served kind and warns once', () => {
    const logger = recordingLogger();
    const missing = path.join(os.tmpdir(), 'no-such-dir-openapi', 'k8s-schemas.json');
    const set = loadSchemas(missing, logger);
    loadSchemas(missing, logger);
    assert.equal(set.source, 'fallback');
    assert.equal(logger.warnings.length, 1);
    for (const k of SERVED_KINDS) assert.ok(schemaNameForGvk(set, k), `${k.group}/${k.version} ${k.kind}`);
  });
});

void describe('schemaNameForGvk', () => {
  const set = generatedSchemaSet();
  void test('exact, same-group older versions, and legacy extensions kinds', () => {
    assert.equal(
      schemaNameForGvk(set, { group: 'apps', version: 'v1', kind: 'Deployment' }),
      'io.k8s.api.apps.v1.Deployment',
    );
    assert.equal(
      schemaNameForGvk(set, { group: 'batch', version: 'v1beta1', kind: 'CronJob' }),
      'io.k8s.api.batch.v1.CronJob',
    );
    assert.equal(
      schemaNameForGvk(set, { group: 'autoscaling', version: 'v2beta2', kind: 'HorizontalPodAutoscaler' }),
      'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
    );
    assert.equal(
      schemaNameForGvk(set, { group: 'events.k8s.io', version: 'v1beta1', kind: 'Event' }),
      'io.k8s.api.events.v1.Event',
    );
    assert.equal(
      schemaNameForGvk(set, { group: 'extensions', version: 'v1beta1', kind: 'Deployment' }),
      'io.k8s.api.apps.v1.Deployment',
    );
    // Ingress changed shape after v1beta1 (serviceName/servicePort): both old versions have a schema of their own.
    for (const group of ['extensions', 'networking.k8s.io']) {
      assert.equal(
        schemaNameForGvk(set, { group, version: 'v1beta1', kind: 'Ingress' }),
        'io.k8s.api.networking.v1beta1.Ingress',
      );
    }
    const backend = set.schemas['io.k8s.api.networking.v1beta1.IngressBackend'];
    assert.deepEqual(Object.keys(backend?.properties ?? {}).sort(), [
      'resource',
      'serviceName',
      'servicePort',
    ]);
    assert.equal(
      schemaNameForGvk(set, { group: 'example.com', version: 'v1', kind: 'Deployment' }),
      undefined,
    );
  });
});
