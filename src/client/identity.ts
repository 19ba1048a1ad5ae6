/** Lease holder identities (upstream's `<host>_<suffix>`). */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/** A unique identity for this replica: host name plus a random suffix, as upstream's `<host>_<uuid>`. */
export function replicaIdentity(): string {
  return `${hostname()}_${crypto.randomUUID()}`;
}

/** The same identity every time for the same seed on this host (e.g. a server's data directory). */
export function stableReplicaIdentity(seed: string): string {
  return `${hostname()}_${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}
