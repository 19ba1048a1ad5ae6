import { join } from 'node:path';
import { isLostWrite, type Store } from '../../store/types.js';
import type { Logger } from '../../util/logger.js';
import { ensurePki, type Pki, type PkiOptions } from '../auth/pki.js';
import { ensureServiceAccountKey } from '../auth/service-account-key.js';
import { ensureSecretsEncryptionConfig } from '../encryption/secrets-encryption.js';
import { openBootstrapData, sealBootstrapData, type BootstrapData } from './bootstrap-record.js';
import { BOOTSTRAP_DATA_KEY } from './keys.js';
import {
  adoptSharedSecrets,
  missingSecrets,
  readLocalSecrets,
  removeSecrets,
  sameSecrets,
  secretPaths,
} from './local-secrets.js';

export interface BootstrapOptions {
  /** The datastore, opened before anything of the cluster's is made. */
  store: Store;
  /** DATA_DIR/server. */
  serverDir: string;
  /** The join token's password, which encrypts the record. */
  password: string;
  /** Names and addresses this server's serving certificate covers. */
  pki: Omit<PkiOptions, 'logger'>;
  /** `--secrets-encryption`: make the shared encryption config when the cluster has none yet. */
  secretsEncryption: boolean;
  logger: Logger;
}

export interface ClusterSecrets {
  pki: Pki;
  serviceAccountKeyPem: string;
}

/** Writes lost to another server this many times in a row mean something else is wrong. */
const MAX_ATTEMPTS = 5;

/**
 * k3s's bootstrap for servers that share a datastore: the cluster CA, the service account key and the
 * `--secrets-encryption` config live in the datastore, encrypted with the token. When the record exists its
 * secrets are taken (a wrong token or another cluster's data dir stops the server); otherwise this server's
 * own (made now, or already in its data dir from before servers shared them) are written there, and a server
 * that loses the race to write first drops what it made and takes the winner's. Leaf certificates stay per
 * server, issued from the shared CA (ensurePki re-issues any not signed by it).
 */
export async function bootstrapClusterSecrets(o: BootstrapOptions): Promise<ClusterSecrets> {
  const log = o.logger;
  const paths = secretPaths(o.serverDir);
  const tlsDir = join(o.serverDir, 'tls');
  for (let attempt = 1; ; attempt++) {
    const stored = await o.store.get(BOOTSTRAP_DATA_KEY);
    const shared = stored ? await openBootstrapData(stored.value, o.password) : undefined;
    if (shared) await adoptSharedSecrets(paths, shared, log);
    const madeHere = await missingSecrets(paths);

    const pki = await ensurePki(tlsDir, { ...o.pki, logger: log });
    const serviceAccountKeyPem = await ensureServiceAccountKey(tlsDir, log);
    if (o.secretsEncryption) await ensureSecretsEncryptionConfig(o.serverDir);
    const local = await readLocalSecrets(paths);
    if (shared && local.caCert !== shared.caCert) {
      // ensurePki replaced the CA it was given: it no longer passes the checks (expired or about to).
      throw new Error('the cluster CA in the datastore is expired or expires within 90 days');
    }
    if (shared && sameSecrets(local, shared)) return { pki, serviceAccountKeyPem };

    try {
      await writeRecord(o.store, local, o.password, stored?.modRevision);
      log.info(
        shared ? 'updated the bootstrap data in the datastore' : 'wrote the bootstrap data to the datastore',
      );
      return { pki, serviceAccountKeyPem };
    } catch (err) {
      if (!isLostWrite(err) || attempt >= MAX_ATTEMPTS) throw err;
      // Another server wrote first: what this start made is dropped, and the next pass takes the winner's.
      await removeSecrets(paths, madeHere);
      log.info('another server wrote the bootstrap data first: taking its secrets');
    }
  }
}

async function writeRecord(
  store: Store,
  data: BootstrapData,
  password: string,
  modRevision: number | undefined,
): Promise<void> {
  const value = await sealBootstrapData(data, password);
  if (modRevision === undefined) await store.create(BOOTSTRAP_DATA_KEY, value);
  else await store.update(BOOTSTRAP_DATA_KEY, value, modRevision);
}
