import { rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../util/logger.js';
import { readIfExists, writeFileAtomic } from '../auth/files.js';
import { PKI_FILES } from '../auth/pki.js';
import { SERVICE_ACCOUNT_KEY_FILE } from '../auth/service-account-key.js';
import { secretsEncryptionConfigPath } from '../encryption/secrets-encryption.js';
import type { BootstrapData } from './bootstrap-record.js';

/** Where one server keeps the shared secrets in its data dir (DATA_DIR/server). */
export interface SecretPaths {
  caCert: string;
  caKey: string;
  serviceAccountKey: string;
  encryptionConfig: string;
}

export function secretPaths(serverDir: string): SecretPaths {
  const tls = join(serverDir, 'tls');
  return {
    caCert: join(tls, PKI_FILES.caCert),
    caKey: join(tls, PKI_FILES.caKey),
    serviceAccountKey: join(tls, SERVICE_ACCOUNT_KEY_FILE),
    encryptionConfig: secretsEncryptionConfigPath(serverDir),
  };
}

type SecretName = keyof SecretPaths;
/** The secrets that never change once made: a local copy unlike the cluster's means another cluster's data dir. */
const FIXED: Exclude<SecretName, 'encryptionConfig'>[] = ['caCert', 'caKey', 'serviceAccountKey'];

/** Which of the secret files do not exist yet (the ones this start will make, unless the datastore has them). */
export async function missingSecrets(paths: SecretPaths): Promise<SecretName[]> {
  const names = Object.keys(paths) as SecretName[];
  const present = await Promise.all(names.map(async (n) => (await readIfExists(paths[n])) !== undefined));
  return names.filter((_, i) => !present[i]);
}

export async function removeSecrets(paths: SecretPaths, names: SecretName[]): Promise<void> {
  await Promise.all(names.map((n) => rm(paths[n], { force: true })));
}

/** The local secret files as bootstrap data (after the CA and service account key were ensured). */
export async function readLocalSecrets(paths: SecretPaths): Promise<BootstrapData> {
  const [caCert, caKey, serviceAccountKey, encryptionConfig] = await Promise.all(
    [paths.caCert, paths.caKey, paths.serviceAccountKey, paths.encryptionConfig].map(readIfExists),
  );
  if (caCert === undefined || caKey === undefined || serviceAccountKey === undefined) {
    throw new Error('the cluster CA or the service account key is missing from the data dir');
  }
  const data: BootstrapData = { caCert, caKey, serviceAccountKey };
  if (encryptionConfig !== undefined) {
    data.encryptionConfig = {
      content: encryptionConfig,
      updatedMs: Math.floor((await stat(paths.encryptionConfig)).mtimeMs),
    };
  }
  return data;
}

/**
 * Makes the data dir hold the cluster's secrets: missing files are written from `shared`; a CA or service
 * account key unlike the cluster's stops the server (a data dir of another cluster must not be overwritten,
 * nor used); for the encryption config, which an administrator edits to rotate keys, the newer copy wins.
 */
export async function adoptSharedSecrets(
  paths: SecretPaths,
  shared: BootstrapData,
  log: Logger,
): Promise<void> {
  for (const name of FIXED) {
    const local = await readIfExists(paths[name]);
    if (local === undefined) {
      await writeFileAtomic(paths[name], shared[name], name === 'caCert' ? 0o644 : 0o600);
      log.info('took a shared secret from the datastore', { path: paths[name] });
    } else if (local !== shared[name]) {
      throw new Error(
        `${paths[name]} differs from the one in the datastore: this data dir belongs to another cluster ` +
          '(start with a new --data-dir to join the cluster of this datastore)',
      );
    }
  }
  const config = shared.encryptionConfig;
  if (!config) return;
  const path = paths.encryptionConfig;
  const local = await readIfExists(path);
  if (local === config.content) return;
  if (local !== undefined && (await stat(path)).mtimeMs > config.updatedMs) {
    log.info('the local encryption config is newer than the datastore’s: sharing it', { path });
    return;
  }
  if (local !== undefined)
    log.warn('replacing the local encryption config with the datastore’s newer one', { path });
  await writeFileAtomic(path, config.content, 0o600);
  // Stamped with the datastore's time, so only a later edit counts as newer.
  const time = config.updatedMs / 1000;
  await utimes(path, time, time);
}

/** True when `a` and `b` hold the same secrets (the encryption config compared by content). */
export function sameSecrets(a: BootstrapData, b: BootstrapData): boolean {
  return FIXED.every((n) => a[n] === b[n]) && a.encryptionConfig?.content === b.encryptionConfig?.content;
}
