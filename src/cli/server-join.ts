import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../apiserver/auth/files.js';
import { issueNodeCredentials, type Pki } from '../apiserver/auth/pki.js';
import {
  caBundleHash,
  formatJoinToken,
  newJoinPassword,
  parseJoinToken,
} from '../apiserver/join/join-token.js';
import { NodeJoin, type ClusterSettings } from '../apiserver/join/node-join.js';
import { NodePasswords } from '../apiserver/join/node-passwords.js';
import { objectKey } from '../apiserver/storage/keys.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/logger.js';
import type { ServerOptions } from './server-options.js';

const NODE_KEY = { group: '', plural: 'nodes', namespaced: false };

/**
 * The join token agents present (`tugboat agent --server URL --token TOKEN`): `--token` (or $TUGBOAT_TOKEN)
 * when given, else the one kept in DATA_DIR/server/node-token, else a new one. The full token is written there,
 * as k3s writes its node-token, for the administrator to hand to agents.
 */
export async function ensureJoinToken(serverDir: string, caPem: string, given?: string): Promise<string> {
  const path = join(serverDir, 'node-token');
  const text = given ?? (await readIfExists(path));
  let password = newJoinPassword();
  if (text !== undefined) {
    const parsed = parseJoinToken(text);
    if (parsed.caHash !== undefined && parsed.caHash !== caBundleHash(caPem)) {
      throw new Error(`the join token's CA hash does not match this server's CA (${path} or --token)`);
    }
    password = parsed.password;
  }
  const token = formatJoinToken(caPem, password);
  if ((await readIfExists(path))?.trim() !== token) await writeFileAtomic(path, `${token}\n`, 0o600);
  return password;
}

/** The server side of agents joining: the join password, node passwords, credentials from the cluster CA. */
export function createNodeJoin(
  opts: ServerOptions,
  p: { serverDir: string; pki: Pki; password: string; store: Store; log: Logger },
): NodeJoin {
  const ca = { certPem: p.pki.caCert, keyPem: p.pki.caKey };
  return new NodeJoin({
    caPem: p.pki.caCert,
    password: p.password,
    passwords: new NodePasswords(join(p.serverDir, 'cred', 'node-passwd')),
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
    serviceCidr: opts.serviceCidr,
    clusterDomain: opts.clusterDomain,
    clusterDns: opts.clusterDns,
    disableKubeProxy: opts.disableKubeProxy,
    disableNetworkPolicy: opts.disableNetworkPolicy,
  };
}
