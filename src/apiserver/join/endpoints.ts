import type { IncomingMessage } from 'node:http';
import { methodNotAllowed } from '../../api/errors.js';
import { parseJson, readBody } from '../http/body.js';
import type { Responder } from '../http/respond.js';
import { CA_CERTS_PATH, NODE_JOIN_PATH, type NodeJoin } from './node-join.js';

/** A join request is small; a larger body is not one. */
const MAX_JOIN_BODY = 64 * 1024;

export function isJoinPath(pathname: string): boolean {
  return pathname === CA_CERTS_PATH || pathname === NODE_JOIN_PATH;
}

/**
 * `GET /cacerts` (the CA bundle, without credentials: an agent checks it against the hash in its join token) and
 * `POST /v1-tugboat/node-credentials` (the join token as a bearer token; see NodeJoin).
 */
export async function serveNodeJoin(
  join: NodeJoin,
  req: IncomingMessage,
  out: Responder,
  pathname: string,
): Promise<void> {
  if (pathname === CA_CERTS_PATH) {
    if (req.method !== 'GET') throw methodNotAllowed();
    return out.send(200, join.caPem, 'application/x-pem-file');
  }
  if (req.method !== 'POST') throw methodNotAllowed();
  // Credentials first: without the token nothing of the body is read.
  join.authenticate(req.headers.authorization);
  req.headers.authorization = undefined;
  const body = parseJson(await readBody(req, MAX_JOIN_BODY));
  return out.json(200, await join.join(body));
}
