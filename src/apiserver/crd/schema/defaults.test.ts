import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, pruneNonNullableNulls, type JSONSchemaProps } from './index.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        image: { type: 'string', default: 'nginx' },
        tag: { type: 'string', nullable: true, default: 'latest' },
        note: { type: 'string', default: null },
        resources: {
          type: 'object',
          default: { limits: { cpu: '1' } },
          properties: { limits: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            default: { port: 80 },
            properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } },
          },
        },
        env: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            default: { value: '' },
            properties: { value: { type: 'string' }, secret: { type: 'boolean', default: false } },
          },
        },
      },
    },
  },
};

void describe('applyDefaults', () => {
  void test('an absent object is defaulted, then defaulted further by its own schema', () => {
    const obj: Record<string, unknown> = { apiVersion: 'v1', kind: 'Foo' };
    applyDefaults(obj, schema);
    assert.deepEqual(obj.spec, {
      replicas: 1,
      image: 'nginx',
      tag: 'latest',
      resources: { limits: { cpu: '1' } },
    });
  });

  void test('present values are kept; null is defaulted only where the schema is not nullable', () => {
    const obj: Record<string, unknown> = { spec: { replicas: 3, image: null, tag: null, note: null } };
    applyDefaults(obj, schema);
    assert.deepEqual(obj.spec, {
      replicas: 3,
      image: 'nginx',
      tag: null,
      note: null, // `default: null` is no default
      resources: { limits: { cpu: '1' } },
    });
  });

  void test('array items and additionalProperties values are defaulted, nulls included', () => {
    const obj: Record<string, unknown> = {
      spec: { ports: [{ port: 8080 }, null, { protocol: 'UDP' }], env: { A: { value: 'x' }, B: null } },
    };
    applyDefaults(obj, schema);
    const spec = obj.spec as Record<string, unknown>;
    assert.deepEqual(spec.ports, [
      { port: 8080, protocol: 'TCP' },
      { port: 80, protocol: 'TCP' },
      { protocol: 'UDP' },
    ]);
    assert.deepEqual(spec.env, { A: { value: 'x', secret: false }, B: { value: '', secret: false } });
  });

  void test('defaults are deep copies', () => {
    const a: Record<string, unknown> = {};
    const b: Record<string, unknown> = {};
    applyDefaults(a, schema);
    applyDefaults(b, schema);
    const limits = (obj: Record<string, unknown>): Record<string, unknown> =>
      ((obj.spec as Record<string, unknown>).resources as Record<string, Record<string, unknown>>).limits ??
      {};
    limits(a).cpu = '2';
    assert.equal(limits(b).cpu, '1');
    assert.deepEqual(schema.properties?.spec?.properties?.resources?.default, { limits: { cpu: '1' } });
  });

  void test('values of another type than the schema are left alone', () => {
    const obj: Record<string, unknown> = { spec: 'oops' };
    applyDefaults(obj, schema);
    assert.deepEqual(obj, { spec: 'oops' });
  });
});

void describe('pruneNonNullableNulls', () => {
  void test('drops nulls the schema neither allows nor defaults', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            a: { type: 'string' },
            b: { type: 'string', nullable: true },
            c: { type: 'string', default: 'x' },
            list: { type: 'array', items: { type: 'object', properties: { d: { type: 'string' } } } },
            map: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    };
    const obj: Record<string, unknown> = {
      unknown: null,
      spec: { a: null, b: null, c: null, list: [{ d: null }, null], map: { k: null } },
    };
    pruneNonNullableNulls(obj, s);
    assert.deepEqual(obj, { unknown: null, spec: { b: null, c: null, list: [{}, null], map: {} } });
    applyDefaults(obj, s);
    assert.deepEqual(obj.spec, { b: null, c: 'x', list: [{}, null], map: {} });
  });
});
