/**
 * A throw-away API server that answers just enough discovery for kubectl's typed generators
 * and records every request body, so real protobuf bodies can be captured as test fixtures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { encodeProtobufObject } from '../index.js';
import { AGGREGATED, aggregated, legacyCoreV1 } from './discovery.js';
import { CANNED, FULL_CRONJOB_PB, reviewStatus } from './canned.js';

export interface CapturedRequest {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

/** Reads typeMeta and metadata.name out of a protobuf envelope without any message declarations. */
function peekEnvelope(body: Buffer): { apiVersion: string; kind: string; name: string } {
  const out = { apiVersion: '', kind: '', name: '' };
  const fields = (
    buf: Uint8Array,
    fn: (field: number, r: protobuf.Reader, wire: number) => boolean,
  ): void => {
    const r = protobuf.Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (!fn(tag >>> 3, r, tag & 7)) r.skipType(tag & 7);
    }
  };
  try {
    fields(body.subarray(4), (f, r) => {
      if (f === 1)
        fields(r.bytes(), (g, r2) => {
          if (g === 1) out.apiVersion = r2.string();
          else if (g === 2) out.kind = r2.string();
          else return false;
          return true;
        });
      else if (f === 2)
        fields(r.bytes(), (g, r2) => {
          if (g !== 1) return false;
          fields(r2.bytes(), (h, r3) => {
            if (h !== 1) return false;
            out.name = r3.string();
            return true;
          });
          return true;
        });
      else return false;
      return true;
    });
  } catch {
    // a non-protobuf body: answer with what we have
  }
  return out;
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': type });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse, log: CapturedRequest[]): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  log.push({
    method: req.method ?? '',
    url: req.url ?? '',
    contentType: req.headers['content-type'] ?? '',
    body,
  });
  if (req.method === 'GET') {
    if (path === '/version')
      return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (path === '/api') return send(res, 200, aggregated(true), AGGREGATED);
    if (path === '/apis') return send(res, 200, aggregated(false), AGGREGATED);
    if (path === '/api/v1') return send(res, 200, legacyCoreV1());
    // served as protobuf (our encoder) so that kubectl's Go decoder checks it
    if (path === `/apis/batch/v1/namespaces/default/cronjobs/${FULL_CRONJOB_PB.metadata.name}`) {
      res.writeHead(200, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
      res.end(encodeProtobufObject(FULL_CRONJOB_PB));
      return;
    }
    const canned = CANNED[path];
    if (canned) return send(res, 200, canned);
    return send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  }
  if (req.method === 'POST') {
    const { apiVersion, kind, name } = peekEnvelope(body);
    const ns = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
    const metadata: Record<string, unknown> = { name: name || 'x' };
    if (ns) metadata.namespace = ns;
    return send(res, 201, { apiVersion, kind, metadata, status: reviewStatus(kind) });
  }
  return send(res, 405, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405 });
}

export async function startCaptureServer(): Promise<{ server: Server; url: string; log: CapturedRequest[] }> {
  const log: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res, log));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, log };
}
