/**
 * gRPC probes: one call of the standard health service (`grpc.health.v1.Health/Check`) over plain-text
 * HTTP/2, with upstream's outcomes and messages (pkg/probe/grpc). The two messages have one field each, so
 * they are written and read with protobufjs' wire primitives rather than a generated client.
 */
import http2 from 'node:http2';
import type * as Protobuf from 'protobufjs';
import { lazyRequire } from '../../util/lazy-require.js';

// Loaded with the first gRPC probe: most pods have none.
const protobuf = lazyRequire<typeof Protobuf>('protobufjs');

export interface GrpcOutcome {
  result: 'success' | 'failure';
  output: string;
}

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const GRPC_UNIMPLEMENTED = 12;

/** A length-prefixed gRPC message (uncompressed) carrying HealthCheckRequest{service}. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const w = protobuf().Writer.create();
  if (service !== '') w.uint32((1 << 3) | 2).string(service);
  const message = w.finish();
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** HealthCheckResponse.status from a length-prefixed gRPC message; undefined when malformed. */
export function decodeHealthCheckResponse(frame: Buffer): number | undefined {
  if (frame.length < 5 || frame[0] !== 0) return undefined;
  const length = frame.readUInt32BE(1);
  if (frame.length < 5 + length) return undefined;
  const r = protobuf().Reader.create(frame.subarray(5, 5 + length));
  let status = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 0) status = r.int32();
    else r.skipType(tag & 7);
  }
  return status;
}

export function grpcHealthCheck(
  host: string,
  port: number,
  service: string,
  timeoutMs: number,
): Promise<GrpcOutcome> {
  const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const seconds = `${timeoutMs / 1000}s`;
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const session = http2.connect(`http://${addr}`, () => (connected = true));
    const finish = (o: GrpcOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => {
      finish(
        connected
          ? { result: 'failure', output: `timeout: health rpc did not complete within ${seconds}` }
          : {
              result: 'failure',
              output: `timeout: failed to connect service "${addr}" within ${seconds}: context deadline exceeded`,
            },
      );
    }, timeoutMs);
    const connectFailed = (err: Error): void => {
      const cause = err.cause instanceof Error ? err.cause : err;
      finish({
        result: 'failure',
        output: `timeout: failed to connect service "${addr}" within ${seconds}: ${cause.message}`,
      });
    };
    session.on('error', connectFailed);
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: number | undefined;
    let grpcMessage = '';
    const takeStatus = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined) grpcStatus = Number(h['grpc-status']);
      if (typeof h['grpc-message'] === 'string') grpcMessage = decodeURIComponent(h['grpc-message']);
    };
    req.on('response', takeStatus);
    req.on('trailers', takeStatus);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (err) => {
      if (!connected) return connectFailed(err);
      finish({ result: 'failure', output: `error: health rpc probe failed: ${err.message}` });
    });
    req.on('end', () => {
      if (grpcStatus === GRPC_UNIMPLEMENTED) {
        return finish({
          result: 'failure',
          output: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}`,
        });
      }
      if (grpcStatus !== 0) {
        return finish({
          result: 'failure',
          output: `error: health rpc probe failed: rpc error: code = ${grpcStatus ?? 'Unknown'} desc = ${grpcMessage}`,
        });
      }
      const status = decodeHealthCheckResponse(Buffer.concat(chunks));
      if (status === 1) return finish({ result: 'success', output: 'service healthy' });
      finish({
        result: 'failure',
        output: `service unhealthy (responded with "${SERVING_STATUS[status ?? 0] ?? String(status)}")`,
      });
    });
    req.end(encodeHealthCheckRequest(service));
  });
}
