import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gnosticDocumentType } from '../../src/apiserver/openapi/v2/gnostic-proto.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

const PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

describe('GET /openapi/v2', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const get = (accept: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/openapi/v2`, { headers: { ...(accept ? { accept } : {}), ...headers } });

  test('protobuf, as kubectl asks for it: a gnostic Document with every served kind', async () => {
    const res = await get(PROTOBUF_ACCEPT);
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-type'),
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    assert.equal(res.headers.get('vary'), 'Accept');
    assert.match(res.headers.get('etag') ?? '', /^"[0-9A-F]{128}"$/);
    const type = gnosticDocumentType();
    const doc = type.toObject(type.decode(new Uint8Array(await res.arrayBuffer()))) as {
      swagger: string;
      definitions: {
        additional_properties: Array<{ name: string; value: { vendor_extension?: unknown[] } }>;
      };
      paths: { path: Array<{ name: string }> };
    };
    assert.equal(doc.swagger, '2.0');
    const names = new Set(doc.definitions.additional_properties.map((d) => d.name));
    for (const n of [
      'io.k8s.api.core.v1.ConfigMap',
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.batch.v1.CronJob',
      'io.k8s.api.networking.v1.Ingress',
      'io.k8s.api.extensions.v1beta1.Deployment',
    ]) {
      assert.ok(names.has(n), n);
    }
    assert.ok(doc.paths.path.some((p) => p.name === '/api/v1/namespaces/{namespace}/configmaps/{name}'));
  });

  test('JSON when asked for JSON or anything; same ETag', async () => {
    const pb = await get(PROTOBUF_ACCEPT);
    await pb.arrayBuffer();
    for (const accept of ['application/json', '*/*', undefined]) {
      const res = await get(accept);
      assert.equal(res.status, 200, String(accept));
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.headers.get('etag'), pb.headers.get('etag'));
      const doc = (await res.json()) as {
        swagger: string;
        definitions: Record<string, { properties?: object }>;
      };
      assert.equal(doc.swagger, '2.0');
      assert.ok(doc.definitions['io.k8s.api.core.v1.PodSpec']?.properties);
    }
  });

  test('406 for a type it cannot produce; 304 for a matching If-None-Match', async () => {
    const bad = await get('text/html');
    assert.equal(bad.status, 406);
    const status = (await bad.json()) as { kind: string; code: number; reason: string };
    assert.deepEqual([status.kind, status.code, status.reason], ['Status', 406, 'NotAcceptable']);
    const first = await get(PROTOBUF_ACCEPT);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    const again = await get(PROTOBUF_ACCEPT, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
  });

  test('/ lists /openapi/v2', async () => {
    const res = await fetch(`${server.url}/`);
    const body = (await res.json()) as { paths: string[] };
    assert.ok(body.paths.includes('/openapi/v2'));
  });
});
