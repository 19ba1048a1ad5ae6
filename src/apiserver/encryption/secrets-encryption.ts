import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from '../auth/files.js';

export const ENCRYPTION_CONFIG_API_VERSION = 'apiserver.config.k8s.io/v1';
export const ENCRYPTION_CONFIG_KIND = 'EncryptionConfiguration';

/** k3s's name for the key its --secrets-encryption generates. */
export const GENERATED_KEY_NAME = 'aescbckey';

/** Where `--secrets-encryption` keeps its EncryptionConfiguration (shared by the servers of a cluster). */
export function secretsEncryptionConfigPath(serverDir: string): string {
  return join(serverDir, 'cred', 'encryption-config.json');
}

/**
 * The EncryptionConfiguration `--secrets-encryption` uses, as k3s writes it: Secrets written with AES-CBC under
 * a random 32-byte key, values stored before encryption was turned on still readable (identity). Created once
 * in DATA_DIR/server/cred/encryption-config.json and kept; returns its path.
 */
export async function ensureSecretsEncryptionConfig(serverDir: string): Promise<string> {
  const path = secretsEncryptionConfigPath(serverDir);
  if ((await readIfExists(path)) !== undefined) return path;
  const config = {
    kind: ENCRYPTION_CONFIG_KIND,
    apiVersion: ENCRYPTION_CONFIG_API_VERSION,
    resources: [
      {
        resources: ['secrets'],
        providers: [
          { aescbc: { keys: [{ name: GENERATED_KEY_NAME, secret: randomBytes(32).toString('base64') }] } },
          { identity: {} },
        ],
      },
    ],
  };
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o600);
  return path;
}
