import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isApiError } from '../../api/errors.js';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  isProtobufContentType,
  PROTOBUF_MAGIC,
  supportedKinds,
} from './index.js';
import { lookupType } from './schema.js';
import { messageTypeFor } from './kinds.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/protobuf/', import.meta.url));

function expectBadRequest(body: Buffer, pattern: RegExp): void {
  assert.throws(
    () => decodeProtobufObject(body),
    (err: unknown) => {
      assert.ok(isApiError(err), `expected ApiError, got ${String(err)}`);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

void describe('captured kubectl 1.32 bodies', () => {
  const names = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.pb'))
    .map((f) => f.slice(0, -3));

  void test('every capture has an expected JSON', () => {
    assert.ok(names.length >= 30, `only ${names.length} fixtures`);
    const expected = new Set(readdirSync(FIXTURES).filter((f) => f.endsWith('.expected.json')));
    for (const n of names) assert.ok(expected.has(`${n}.expected.json`), n);
  });

  for (const name of names) {
    void test(name, () => {
      const body = readFileSync(join(FIXTURES, `${name}.pb`));
      const request = JSON.parse(readFileSync(join(FIXTURES, `${name}.request.json`), 'utf8')) as {
        contentType: string;
      };
      assert.equal(request.contentType, 'application/vnd.kubernetes.protobuf');
      const want = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), 'utf8')) as unknown;
      assert.deepStrictEqual(decodeProtobufObject(body), want);
    });
  }

  void test('the wire-spec Secret example decodes with base64 data', () => {
    const hex =
      '6b3873000a0c0a0276311206536563726574121e0a120a02733112001a0022002a0032003800420012060a01611201621a001a002200';
    assert.deepStrictEqual(decodeProtobufObject(Buffer.from(hex, 'hex')), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      data: { a: 'Yg==' },
    });
  });

  void test('pointer zeros survive, non-pointer zeros do not', () => {
    const zero = decodeProtobufObject(readFileSync(join(FIXTURES, 'deployment-zero-replicas.pb')));
    assert.equal((zero.spec as { replicas?: number }).replicas, 0);
    const pdb = decodeProtobufObject(readFileSync(join(FIXTURES, 'pdb-max-unavailable-zero.pb')));
    assert.equal((pdb.spec as { maxUnavailable?: unknown }).maxUnavailable, 0);
    assert.equal((pdb.metadata as { generation?: number }).generation, undefined);
    assert.equal((pdb.metadata as { creationTimestamp?: unknown }).creationTimestamp, undefined);
  });
});

void describe('malformed bodies are 400 BadRequest', () => {
  void test('missing magic', () => {
    expectBadRequest(Buffer.from('{"kind":"Pod"}'), /magic/);
  });
  void test('empty body', () => {
    expectBadRequest(Buffer.alloc(0), /magic/);
  });
  void test('magic only: no kind', () => {
    expectBadRequest(PROTOBUF_MAGIC, /Kind/);
  });
  void test('truncated envelope', () => {
    const body = readFileSync(join(FIXTURES, 'deployment.pb'));
    expectBadRequest(body.subarray(0, body.length - 40), /unable to decode protobuf/);
  });
  void test('garbage after the magic', () => {
    expectBadRequest(
      Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])]),
      /decode/,
    );
  });
  void test('unknown kind', () => {
    const unknown = lookupType('meta.Unknown');
    const raw = unknown.encode(
      unknown.fromObject({ typeMeta: { apiVersion: 'example.com/v1', kind: 'Widget' } }),
    );
    expectBadRequest(Buffer.concat([PROTOBUF_MAGIC, raw.finish()]), /no kind "Widget" is registered/);
  });
  void test('a nested message that is not a message', () => {
    const unknown = lookupType('meta.Unknown');
    // ObjectMeta (field 1 of Pod) given as a length-delimited field holding invalid wire data
    const raw = Buffer.from([0x0a, 0x03, 0x0a, 0x05, 0x61]);
    const env = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Pod' }, raw }));
    expectBadRequest(Buffer.concat([PROTOBUF_MAGIC, env.finish()]), /Pod \(v1\)/);
  });
});

void describe('declarations', () => {
  void test('every supported kind resolves to a complete message type', () => {
    for (const { apiVersion, kind } of supportedKinds()) {
      const name = messageTypeFor(apiVersion, kind);
      assert.ok(name, `${apiVersion} ${kind}`);
      const type = lookupType(name);
      assert.ok(type.fieldsArray.length > 0, name);
      for (const f of type.fieldsArray)
        assert.ok(f.resolve().resolvedType !== undefined || !f.resolvedType, f.name);
    }
  });
});

void describe('special types', () => {
  void test('Time drops fractions, MicroTime keeps microseconds, empty Time is omitted', () => {
    const lease = encodeProtobufObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', creationTimestamp: '2025-06-07T08:09:10.987Z' },
      spec: { renewTime: '2025-06-07T08:09:10.987654Z' },
    });
    assert.deepStrictEqual(decodeProtobufObject(lease), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', creationTimestamp: '2025-06-07T08:09:10Z' },
      spec: { renewTime: '2025-06-07T08:09:10.987654Z' },
    });
  });

  void test('a RawExtension that is not JSON is a 400', () => {
    const revision = lookupType('apps.ControllerRevision');
    const raw = revision.encode(revision.fromObject({ data: { raw: Buffer.from('{not json') } })).finish();
    const unknown = lookupType('meta.Unknown');
    const env = unknown.encode(
      unknown.fromObject({ typeMeta: { apiVersion: 'apps/v1', kind: 'ControllerRevision' }, raw }),
    );
    expectBadRequest(Buffer.concat([PROTOBUF_MAGIC, env.finish()]), /raw extension does not hold valid JSON/);
  });

  void test('RawExtensions nested without end are a 400, not a stack overflow', () => {
    const revision = lookupType('apps.ControllerRevision');
    const unknown = lookupType('meta.Unknown');
    let body = encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    for (let i = 0; i < 20; i++) {
      const raw = revision.encode(revision.fromObject({ data: { raw: body } })).finish();
      const typeMeta = { apiVersion: 'apps/v1', kind: 'ControllerRevision' };
      body = Buffer.concat([PROTOBUF_MAGIC, unknown.encode(unknown.fromObject({ typeMeta, raw })).finish()]);
    }
    expectBadRequest(body, /nested too deeply/);
  });

  void test('content type detection ignores parameters and case', () => {
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=x'), true);
    assert.equal(isProtobufContentType('application/json'), false);
    assert.equal(isProtobufContentType(undefined), false);
  });
});
