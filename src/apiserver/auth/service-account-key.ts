import { createPrivateKey, generateKeyPair } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger, type Logger } from '../../util/logger.js';
import { readIfExists, writeFileAtomic } from './files.js';

/** The service account signing key in the PKI folder (k3s's name). */
export const SERVICE_ACCOUNT_KEY_FILE = 'service.key';

const generate = promisify(generateKeyPair);

/**
 * The PEM RSA private key that signs service account tokens: created on first start, reused afterwards (tokens
 * already handed out stay valid across restarts). A file that is not a usable RSA key is replaced.
 */
export async function ensureServiceAccountKey(dir: string, logger: Logger = silentLogger): Promise<string> {
  const path = join(dir, SERVICE_ACCOUNT_KEY_FILE);
  const existing = await readIfExists(path);
  if (existing !== undefined && isRsaPrivateKey(existing)) return existing;
  logger.info('creating the service account signing key', { path });
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await writeFileAtomic(path, pem, 0o600);
  return pem;
}

function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}
