import { createHash, randomBytes } from 'node:crypto';

/**
 * The token agents join with, in k3s's "secure" format: `K10<sha256 of the CA bundle>::<user>:<password>`.
 * The hash lets an agent check that the server it reached holds the cluster's CA before it trusts it; the
 * password is the shared secret the server checks. A bare password (no `K10` prefix) is accepted too, and then
 * the agent trusts the CA the server presents on first contact.
 */
export interface JoinToken {
  /** Hex sha256 of the CA bundle's PEM text, when the token carries it. */
  caHash?: string;
  password: string;
}

const PREFIX = 'K10';
const TOKEN_USER = 'server';

/** Hex sha256 of a CA bundle's PEM text, as it is served at `/cacerts`. */
export function caBundleHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatJoinToken(caPem: string, password: string): string {
  return `${PREFIX}${caBundleHash(caPem)}::${TOKEN_USER}:${password}`;
}

/** A new random join password (what k3s generates when `--token` is not given). */
export function newJoinPassword(): string {
  return randomBytes(16).toString('hex');
}

/** Parses a token; throws an Error naming what is wrong with it. */
export function parseJoinToken(text: string): JoinToken {
  const token = text.trim();
  if (token === '') throw new Error('the join token is empty');
  if (!token.startsWith(PREFIX)) {
    if (token.includes('::')) throw new Error('the join token has "::" but does not start with K10');
    return { password: token };
  }
  const sep = token.indexOf('::');
  if (sep < 0) throw new Error('a K10 join token has the form K10<ca-hash>::<user>:<password>');
  const caHash = token.slice(PREFIX.length, sep).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(caHash)) throw new Error('the CA hash of the join token is not a sha256 in hex');
  const credentials = token.slice(sep + 2);
  const colon = credentials.indexOf(':');
  const password = colon < 0 ? credentials : credentials.slice(colon + 1);
  if (password === '') throw new Error('the join token has no password');
  return { caHash, password };
}
