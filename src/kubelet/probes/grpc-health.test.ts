import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import protobuf from 'protobufjs';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcHealthCheck } from './grpc-health.js';

/** A health service: "" and "db" answer SERVING and NOT_SERVING; "slow" never answers; "none" is unimplemented. */
let port = 0;
const requested: string[] = [];
const server = http2.createServer();
server.on('stream', (stream, headers) => {
  if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': '12',
        'grpc-message': 'unknown service',
      },
      { endStream: true },
    );
    return;
  }
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    const body = Buffer.concat(chunks);
    const r = protobuf.Reader.create(body.subarray(5));
    const service = r.len > 0 ? (r.uint32(), r.string()) : '';
    requested.push(service);
    if (service === 'slow') return;
    if (service === 'none') {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '12',
          'grpc-message': 'unknown%20service',
        },
        { endStream: true },
      );
      return;
    }
    const status = service === 'db' ? 2 : 1;
    const message = protobuf.Writer.create().uint32(8).int32(status).finish();
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame);
  });
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

void test('messages round-trip the wire format', () => {
  assert.deepEqual([...encodeHealthCheckRequest('')], [0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeHealthCheckRequest('db')], [0, 0, 0, 0, 4, 0x0a, 2, 0x64, 0x62]);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1])), 1);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
  assert.equal(decodeHealthCheckResponse(Buffer.from([1, 0, 0, 0, 0])), undefined, 'compressed is refused');
});

void test('SERVING is healthy; NOT_SERVING, unimplemented, refused and silent servers fail as upstream says', async () => {
  assert.deepEqual(await grpcHealthCheck('127.0.0.1', port, '', 1000), {
    result: 'success',
    output: 'service healthy',
  });
  assert.deepEqual(await grpcHealthCheck('127.0.0.1', port, 'db', 1000), {
    result: 'failure',
    output: 'service unhealthy (responded with "NOT_SERVING")',
  });
  assert.deepEqual(requested.slice(0, 2), ['', 'db']);
  const none = await grpcHealthCheck('127.0.0.1', port, 'none', 1000);
  assert.equal(
    none.output,
    'this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service',
  );
  const slow = await grpcHealthCheck('127.0.0.1', port, 'slow', 300);
  assert.deepEqual(slow, { result: 'failure', output: 'timeout: health rpc did not complete within 0.3s' });
  const closed = await grpcHealthCheck('127.0.0.1', 1, '', 1000);
  assert.equal(closed.result, 'failure');
  assert.match(
    closed.output,
    /^timeout: failed to connect service "127.0.0.1:1" within 1s: connect ECONNREFUSED/,
  );
});
