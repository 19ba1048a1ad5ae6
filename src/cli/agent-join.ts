import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../apiserver/auth/files.js';
import { caBundleHash, parseJoinToken } from '../apiserver/join/join-token.js';
import {
  CA_CERTS_PATH,
  NODE_JOIN_PATH,
  type ClusterSettings,
  type NodeJoinRequest,
  type NodeJoinResponse,
} from '../apiserver/join/node-join.js';
import type { Logger } from '../util/logger.js';
import { sleep } from '../util/wait.js';

export interface JoinOptions {
  /** The URL requests go to, `https://HOST:PORT`. */
  server: string;
  /** The server as the user named it, for messages (default: `server`). */
  shownServer?: string;
  token: string;
  nodeName: string;
  /** The agent's folder (DATA_DIR/agent): node password and credentials are kept there. */
  agentDir: string;
  hostnames: string[];
  addresses: string[];
  logger: Logger;
  /** Aborts the retries (shutdown while the server cannot be reached). */
  signal?: AbortSignal;
  /** First retry delay; it doubles up to 10 s. */
  retryDelayMs?: number;
}

export interface JoinedNode {
  caPem: string;
  client: { certPem: string; keyPem: string };
  serving: { certPem: string; keyPem: string };
  cluster: ClusterSettings;
}

/** A refusal that retrying cannot change (wrong token, CA mismatch, name taken). */
export class JoinRefused extends Error {}

/** File names under DATA_DIR/agent (k3s-like). */
const FILES = {
  nodePassword: 'node-password',
  ca: 'server-ca.crt',
  clientCert: 'client-kubelet.crt',
  clientKey: 'client-kubelet.key',
  servingCert: 'serving-kubelet.crt',
  servingKey: 'serving-kubelet.key',
} as const;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Joins the cluster as k3s's agents do: fetch the CA from `/cacerts` and check it against the token's hash (or,
 * for a bare token, against the CA this agent saw before), then present the token for node credentials. New
 * credentials are asked for at every start, so they are renewed as the agent restarts. Until the server answers,
 * retries with backoff; a refusal ends the join with JoinRefused.
 */
export async function joinCluster(opts: JoinOptions): Promise<JoinedNode> {
  const token = parseJoinToken(opts.token);
  const nodePassword = await ensureNodePassword(join(opts.agentDir, FILES.nodePassword));
  let delay = opts.retryDelayMs ?? 1000;
  for (;;) {
    try {
      const caPem = await fetchCa(opts, token.caHash);
      const body: NodeJoinRequest = {
        nodeName: opts.nodeName,
        nodePassword,
        hostnames: opts.hostnames,
        addresses: opts.addresses,
      };
      const res = await send(`${opts.server}${NODE_JOIN_PATH}`, {
        method: 'POST',
        ca: caPem,
        headers: { authorization: `Bearer ${token.password}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: opts.signal,
      });
      if (res.status === 401) throw new JoinRefused('the server refused the join token');
      if (res.status === 400 || res.status === 403) throw new JoinRefused(statusMessage(res.body));
      if (res.status !== 200)
        throw new Error(`the server answered ${res.status}: ${statusMessage(res.body)}`);
      const joined = parseJoined(res.body, caPem);
      await saveCredentials(opts.agentDir, joined);
      opts.logger.info('joined the cluster', {
        server: opts.shownServer ?? opts.server,
        node: opts.nodeName,
      });
      return joined;
    } catch (err) {
      if (err instanceof JoinRefused || opts.signal?.aborted) throw err;
      opts.logger.warn(`cannot join yet, retrying in ${delay / 1000}s`, { error: (err as Error).message });
      await sleep(delay, opts.signal);
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  }
}

async function fetchCa(opts: JoinOptions, caHash: string | undefined): Promise<string> {
  // The CA is not known yet: this first request cannot verify the server, which is what the hash is for.
  const res = await send(`${opts.server}${CA_CERTS_PATH}`, {
    method: 'GET',
    rejectUnauthorized: false,
    signal: opts.signal,
  });
  if (res.status !== 200) throw new Error(`GET ${CA_CERTS_PATH} answered ${res.status}`);
  const caPem = res.body;
  if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${CA_CERTS_PATH} sent no certificate`);
  const caPath = join(opts.agentDir, FILES.ca);
  if (caHash !== undefined) {
    if (caBundleHash(caPem) !== caHash) {
      throw new JoinRefused(
        `the server's CA does not match the hash in the join token: ${opts.shownServer ?? opts.server} is not the cluster's server`,
      );
    }
    return caPem;
  }
  const known = await readIfExists(caPath);
  if (known !== undefined && known !== caPem) {
    throw new JoinRefused(
      `the server's CA differs from the one this agent joined with before (${caPath}); ` +
        'use a token with the CA hash (K10…) from the server',
    );
  }
  if (known === undefined) {
    opts.logger.warn('the join token has no CA hash: trusting the CA the server presents on first contact');
  }
  return caPem;
}

async function ensureNodePassword(path: string): Promise<string> {
  const existing = (await readIfExists(path))?.trim();
  if (existing) return existing;
  const password = randomBytes(16).toString('hex');
  await writeFileAtomic(path, `${password}\n`, 0o600);
  return password;
}

function parseJoined(text: string, caPem: string): JoinedNode {
  const r = JSON.parse(text) as Partial<NodeJoinResponse>;
  const pems = [r.clientCert, r.clientKey, r.servingCert, r.servingKey];
  if (!pems.every((p) => typeof p === 'string' && p.includes('-----BEGIN')) || !r.cluster) {
    throw new Error('the join response lacks credentials');
  }
  return {
    caPem,
    client: { certPem: r.clientCert!, keyPem: r.clientKey! },
    serving: { certPem: r.servingCert!, keyPem: r.servingKey! },
    cluster: r.cluster,
  };
}

async function saveCredentials(dir: string, joined: JoinedNode): Promise<void> {
  await writeFileAtomic(join(dir, FILES.clientKey), joined.client.keyPem, 0o600);
  await writeFileAtomic(join(dir, FILES.clientCert), joined.client.certPem, 0o644);
  await writeFileAtomic(join(dir, FILES.servingKey), joined.serving.keyPem, 0o600);
  await writeFileAtomic(join(dir, FILES.servingCert), joined.serving.certPem, 0o644);
  await writeFileAtomic(join(dir, FILES.ca), joined.caPem, 0o644);
}

function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not a Status: fall through
  }
  return body.slice(0, 200);
}

interface SendOptions {
  method: string;
  ca?: string;
  rejectUnauthorized?: boolean;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

function send(url: string, o: SendOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method,
        headers: o.headers,
        // A new connection each time: a retry may then reach another of the server's processes.
        agent: false,
        timeout: REQUEST_TIMEOUT_MS,
        rejectUnauthorized: o.rejectUnauthorized ?? true,
        ...(o.ca ? { ca: o.ca } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in ${REQUEST_TIMEOUT_MS / 1000}s`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
