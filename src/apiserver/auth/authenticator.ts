import { timingSafeEqual } from 'node:crypto';
import { sha256 } from './digest.js';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../../api/errors.js';
import type { Authenticator, UserInfo } from '../config.js';
import { loadTokenFile, type TokenEntry } from './tokenfile.js';
import { tls } from '../../util/node-tls.js';
import { bearerToken } from './bearer-token.js';
import { AUTHENTICATED_GROUP } from './users.js';

export interface AuthenticatorOptions {
  /** A static token file (kube-apiserver --token-auth-file format). */
  tokenFile?: string;
  /** Tokens given directly, in addition to the file's. */
  tokens?: TokenEntry[];
}

/** Certificates and static tokens need no I/O: this authenticator always answers at once. */
export interface SyncAuthenticator extends Authenticator {
  authenticate(req: IncomingMessage): UserInfo | undefined;
}

/** What a connection's client certificate says; computed once per TLS connection. */
type CertResult = { kind: 'user'; user: UserInfo } | { kind: 'none' } | { kind: 'invalid' };

interface HashedToken {
  digest: Buffer;
  user: UserInfo;
}

/**
 * Authenticates by client certificate (verified by the TLS layer against the cluster CA: the server must
 * listen with `requestCert: true, rejectUnauthorized: false, ca: <cluster CA>`) or by bearer token.
 * As upstream's union authenticator: the first method that yields a user wins; credentials that are present
 * but wrong answer 401 only when no other method succeeds.
 */
export function createAuthenticator(opts: AuthenticatorOptions = {}): SyncAuthenticator {
  const entries = [...(opts.tokenFile ? loadTokenFile(opts.tokenFile) : []), ...(opts.tokens ?? [])];
  const byDigest = new Map<string, HashedToken>();
  for (const e of entries) {
    // A later duplicate replaces an earlier one, as upstream's map does.
    const digest = sha256(e.token);
    const user: UserInfo = { username: e.username, groups: withAuthenticated(e.groups) };
    if (e.uid) user.uid = e.uid;
    byDigest.set(digest.toString('hex'), { digest, user });
  }
  const tokens = [...byDigest.values()];
  const certCache = new WeakMap<TLSSocket, CertResult>();
  // A keep-alive connection sends the same token with every request: hash and compare it once per connection.
  // Comparing with what this same connection sent before reveals nothing about other tokens.
  const tokenCache = new WeakMap<Socket, { token: string; user: UserInfo }>();

  return {
    authenticate(req: IncomingMessage): UserInfo | undefined {
      const cert = certUser(req, certCache);
      if (cert.kind === 'user') return cert.user;

      const token = bearerToken(req.headers.authorization);
      if (token !== undefined) {
        const cached = tokenCache.get(req.socket);
        let user = cached?.token === token ? cached.user : undefined;
        if (!user) {
          user = lookupToken(tokens, token);
          if (!user) throw unauthorized();
          tokenCache.set(req.socket, { token, user });
        }
        // Keep the credential away from anything downstream (logs, proxies), as upstream does. Clearing the
        // value rather than deleting the header keeps the headers object in V8's fast mode for every later read.
        req.headers.authorization = undefined;
        return cloneUser(user);
      }
      if (cert.kind === 'invalid') throw unauthorized();
      return undefined;
    },
  };
}

function certUser(req: IncomingMessage, cache: WeakMap<TLSSocket, CertResult>): CertResult {
  const socket = req.socket;
  if (!(socket instanceof tls.TLSSocket)) return { kind: 'none' };
  let result = cache.get(socket);
  if (!result) {
    result = readPeerCertificate(socket);
    cache.set(socket, result);
  }
  return result.kind === 'user' ? { kind: 'user', user: cloneUser(result.user) } : result;
}

function readPeerCertificate(socket: TLSSocket): CertResult {
  const peer = socket.getPeerCertificate();
  // Without a client certificate Node returns an empty object (or null once the socket is gone).
  if (!peer || Object.keys(peer).length === 0) return { kind: 'none' };
  if (!socket.authorized) return { kind: 'invalid' };
  const subject = peer.subject as unknown as Record<string, string | string[] | undefined>;
  const cn = asList(subject.CN)[0];
  if (!cn) return { kind: 'none' }; // upstream: a certificate without a CN names no user
  return { kind: 'user', user: { username: cn, groups: withAuthenticated(asList(subject.O)) } };
}

/** Compares against every known token, in time independent of which (if any) matches. */
function lookupToken(tokens: HashedToken[], token: string): UserInfo | undefined {
  const digest = sha256(token);
  let found: UserInfo | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(t.digest, digest)) found = t.user;
  }
  return found;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? [...groups] : [...groups, AUTHENTICATED_GROUP];
}

function cloneUser(u: UserInfo): UserInfo {
  const copy: UserInfo = { username: u.username, groups: [...u.groups] };
  if (u.uid !== undefined) copy.uid = u.uid;
  return copy;
}
