/** An HTTPS admission webhook for tests: answers AdmissionReviews with a handler and records what it saw. */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, issueLeaf } from '../../src/apiserver/auth/x509.js';

export interface ReviewRequest {
  uid: string;
  operation: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  requestKind?: { group: string; version: string; kind: string };
  subResource?: string;
  name: string;
  namespace?: string;
  userInfo: { username: string; groups?: string[] };
  object: Record<string, any> | null;
  oldObject: Record<string, any> | null;
  dryRun: boolean;
  options?: Record<string, unknown>;
}

export interface ReviewAnswer {
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string };
  patch?: unknown[];
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export type ReviewHandler = (request: ReviewRequest, path: string) => ReviewAnswer;

/** Answers with whatever it writes itself: malformed answers, dropped connections. */
export type RawHandler = (request: ReviewRequest, res: import('node:http').ServerResponse) => void;

export interface WebhookServer {
  port: number;
  /** base64 PEM of the CA that signed the serving certificate, as a caBundle. */
  caBundle: string;
  /** Requests received, by path. */
  seen: { path: string; request: ReviewRequest }[];
  handle(path: string, handler: ReviewHandler): void;
  handleRaw(path: string, handler: RawHandler): void;
  close(): Promise<void>;
}

export async function startWebhookServer(dnsNames: string[] = []): Promise<WebhookServer> {
  const ca = await createCa('webhook-test-ca', 1);
  const leaf = await issueLeaf(ca, {
    commonName: 'webhook',
    usage: 'server',
    ips: ['127.0.0.1'],
    dnsNames,
    days: 1,
  });
  const handlers = new Map<string, ReviewHandler>();
  const rawHandlers = new Map<string, RawHandler>();
  const seen: WebhookServer['seen'] = [];
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: ReviewRequest };
      seen.push({ path, request: review.request });
      const raw = rawHandlers.get(path);
      if (raw) {
        raw(review.request, res);
        return;
      }
      const handler = handlers.get(path);
      if (!handler) {
        res.writeHead(404).end('no handler');
        return;
      }
      const answer = handler(review.request, path);
      const response: Record<string, unknown> = {
        uid: review.request.uid,
        allowed: answer.allowed,
      };
      if (answer.status) response.status = answer.status;
      if (answer.warnings) response.warnings = answer.warnings;
      if (answer.auditAnnotations) response.auditAnnotations = answer.auditAnnotations;
      if (answer.patch) {
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(answer.patch)).toString('base64');
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    seen,
    handle: (path, handler) => handlers.set(path, handler),
    handleRaw: (path, handler) => rawHandlers.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
