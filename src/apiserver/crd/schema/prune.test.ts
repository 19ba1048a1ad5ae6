import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strictDecodingError, unknownFieldMessage } from '../../openapi/strict-fields.js';
import { pruneUnknownFields, type JSONSchemaProps } from './index.js';

const str: JSONSchemaProps = { type: 'string' };

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        image: str,
        items: { type: 'array', items: { type: 'object', properties: { name: str } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: str } } },
        free: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'object', properties: { a: str } } },
        },
      },
    },
  },
};

void describe('pruneUnknownFields', () => {
  void test('removes unspecified fields and reports them sorted, as upstream', () => {
    const obj = {
      apiVersion: 'example.com/v1',
      kind: 'Foo',
      metadata: { name: 'a', bogus: true },
      zeta: 1,
      spec: {
        image: 'nginx',
        foo: 1,
        Bar: 2,
        items: [{ name: 'x', extra: 1 }, 'scalar', { other: 2 }],
        labels: { app: { v: 'x', w: 'y' } },
      },
    };
    const paths = pruneUnknownFields(obj, schema);
    assert.deepEqual(paths, [
      'spec.Bar',
      'spec.foo',
      'spec.items[0].extra',
      'spec.items[2].other',
      'spec.labels.app.w',
      'zeta',
      'metadata.bogus',
    ]);
    assert.deepEqual(obj, {
      apiVersion: 'example.com/v1',
      kind: 'Foo',
      metadata: { name: 'a' }, // root metadata loses what ObjectMeta does not have
      spec: { image: 'nginx', items: [{ name: 'x' }, 'scalar', {}], labels: { app: { v: 'x' } } },
    });
    // What the handler answers under fieldValidation=Strict.
    assert.equal(
      strictDecodingError(paths.slice(0, 2).map(unknownFieldMessage)).message,
      'strict decoding error: unknown field "spec.Bar", unknown field "spec.foo"',
    );
  });

  void test('a clean object is left as it is', () => {
    const obj = { apiVersion: 'v1', kind: 'Foo', spec: { image: 'x', items: [] } };
    assert.deepEqual(pruneUnknownFields(obj, schema), []);
    assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Foo', spec: { image: 'x', items: [] } });
  });

  void test('x-kubernetes-preserve-unknown-fields keeps unknown fields but prunes specified ones below', () => {
    const obj = { spec: { free: { anything: { deep: 1 }, known: { a: 'x', b: 'y' } } } };
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.free.known.b']);
    assert.deepEqual(obj, { spec: { free: { anything: { deep: 1 }, known: { a: 'x' } } } });
  });

  void test('a preserving root keeps everything unspecified', () => {
    const obj = { spec: { x: 1 }, status: { y: 2 } };
    const preserving: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    assert.deepEqual(pruneUnknownFields(obj, preserving), []);
    assert.deepEqual(obj, { spec: { x: 1 }, status: { y: 2 } });
  });

  void test('values of a wrong type are pruned by the schema they meet', () => {
    // An object where a string or an array is expected has no specified fields: all of them go.
    const obj = { spec: { image: { a: 1 }, items: { name: 'x' } } };
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.image.a', 'spec.items.name']);
    assert.deepEqual(obj, { spec: { image: {}, items: {} } });
  });

  void test('embedded resources keep apiVersion, kind and metadata; their metadata is pruned as ObjectMeta', () => {
    const embedded: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            template: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              properties: { spec: { type: 'object', properties: { a: str } } },
            },
            templates: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                'x-kubernetes-embedded-resource': true,
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
        },
      },
    };
    const obj = {
      spec: {
        template: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'p',
            labels: { a: 'b' },
            nonsense: 1,
            ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u', bogus: 1 }],
          },
          spec: { a: 'x', b: 'y' },
          status: {},
        },
        templates: { one: { apiVersion: 'v1', kind: 'Pod', metadata: { zz: 1 }, anything: true } },
      },
    };
    // Schema paths first (sorted), then embedded metadata ones (map keys in brackets, as upstream).
    assert.deepEqual(pruneUnknownFields(obj, embedded), [
      'spec.template.spec.b',
      'spec.template.status',
      'spec.template.metadata.nonsense',
      'spec.template.metadata.ownerReferences[0].bogus',
      'spec.templates[one].metadata.zz',
    ]);
    assert.deepEqual(obj.spec.template, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        labels: { a: 'b' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u' }],
      },
      spec: { a: 'x' },
    });
    assert.deepEqual(obj.spec.templates.one, { apiVersion: 'v1', kind: 'Pod', metadata: {}, anything: true });
  });

  void test('additionalProperties: true keeps keys but nothing below them, as upstream', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: { data: { type: 'object', additionalProperties: true } },
    };
    const obj = { data: { a: 'x', b: { c: 1 } } };
    assert.deepEqual(pruneUnknownFields(obj, s), ['data.b.c']);
    assert.deepEqual(obj, { data: { a: 'x', b: {} } });
  });
});
