import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../apiserver/auth/files.js';
import { issueNodeCredentials, type Pki } from '../apiserver/auth/pki.js';
import {
  caBundleHash,
  formatJoinToken,
  newJoinPassword,
  parseJoinToken,
  type JoinToken,
} from '../apiserver/join/join-token.js';
import { NodeJoin, type ClusterSettings } from '../apiserver/join/node-join.js';
import { importNodePasswordFile, NodePasswords } from '../apiserver/join/node-passwords.js';
import { objectKey } from '../apiserver/storage/keys.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/logger.js';
import type { ServerOptions } from './server-options.js';

const NODE_KEY = { group: '', plural: 'nodes', namespaced: false };

/**
 * The join token agents present (`tugboat agent --server URL --token TOKEN`): `--token` (or $TUGBOAT_TOKEN)
 * when given, else the one kept in DATA_DIR/server/node-token, else a new one. Known before the cluster CA,
 * whose shared copy in the datastore it decrypts.
 */
export async function resolveJoinToken(serverDir: string, given?: string): Promise<JoinToken> {
  const text = given ?? (await readIfExists(nodeTokenPath(serverDir)));
  return text === undefined ? { password: newJoinPassword() } : parseJoinToken(text);
}

/**
 * Writes the full token to DATA_DIR/server/node-token, as k3s writes its node-token, for the administrator to
 * hand to agents and further servers. Throws when the token names another CA than the cluster's.
 */
export async function writeJoinToken(serverDir: string, caPem: string, token: JoinToken): Promise<void> {
  const path = nodeTokenPath(serverDir);
  if (token.caHash !== undefined && token.caHash !== caBundleHash(caPem)) {
    throw new Error(`the join token's CA hash does not match this server's CA (${path} or --token)`);
  }
  const text = formatJoinToken(caPem, token.password);
  if ((await readIfExists(path))?.trim() !== text) await writeFileAtomic(path, `${text}\n`, 0o600);
}

/** resolveJoinToken and writeJoinToken in one; resolves to the password. */
export async function ensureJoinToken(serverDir: string, caPem: string, given?: string): Promise<string> {
  const token = await resolveJoinToken(serverDir, given);
  await writeJoinToken(serverDir, caPem, token);
  return token.password;
}

function nodeTokenPath(serverDir: string): string {
  return join(serverDir, 'node-token');
}

/** The server side of agents joining: the join password, node passwords, credentials from the cluster CA. */
export function createNodeJoin(
  opts: ServerOptions,
  p: { pki: Pki; password: string; store: Store; log: Logger },
): NodeJoin {
  const ca = { certPem: p.pki.caCert, keyPem: p.pki.caKey };
  return new NodeJoin({
    caPem: p.pki.caCert,
    password: p.password,
    passwords: new NodePasswords(p.store),
    issue: async (nodeName, hostnames, addresses) => {
      const credentials = await issueNodeCredentials(ca, nodeName, hostnames, addresses);
      p.log.info('issued node credentials', { node: nodeName, addresses });
      return credentials;
    },
    nodeExists: async (name) => (await p.store.get(objectKey(NODE_KEY, undefined, name))) !== undefined,
    cluster: clusterSettings(opts),
  });
}

/** What every agent of this server's cluster is told (its own one included). */
export function clusterSettings(opts: ServerOptions): ClusterSettings {
  return {
    clusterCidr: opts.clusterCidr,
    flannelBackend: opts.flannelBackend,
    serviceCidr: opts.serviceCidr,
    clusterDomain: opts.clusterDomain,
    clusterDns: opts.clusterDns,
    disableKubeProxy: opts.disableKubeProxy,
    disableNetworkPolicy: opts.disableNetworkPolicy,
  };
}

/**
 * Copies the node passwords a server kept in DATA_DIR/server/cred/node-passwd before they moved to the store
 * (names the store already holds keep their claim).
 */
export async function importNodePasswords(serverDir: string, store: Store, log: Logger): Promise<void> {
  const path = join(serverDir, 'cred', 'node-passwd');
  const copied = await importNodePasswordFile(store, path);
  if (copied > 0) log.info('imported node passwords into the datastore', { path, nodes: copied });
}
