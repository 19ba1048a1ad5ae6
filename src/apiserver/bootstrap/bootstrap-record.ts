import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

/**
 * The secrets every server of one cluster must share, kept in the datastore as k3s keeps its bootstrap data:
 * a second server started on the same datastore with the same token takes them instead of making its own.
 */
export interface BootstrapData {
  /** The cluster CA's certificate and key (PEM), which sign every server's leaf certificates. */
  caCert: string;
  caKey: string;
  /** The PEM private key that signs service account tokens. */
  serviceAccountKey: string;
  /** `--secrets-encryption`'s EncryptionConfiguration, when a server made one. */
  encryptionConfig?: {
    content: string;
    /** When that content was written (ms since the epoch): the newer of this and a local edit wins. */
    updatedMs: number;
  };
}

/**
 * The stored form (version 1), a JSON object:
 *
 *   { "version": 1, "salt": B64, "nonce": B64, "ciphertext": B64 }
 *
 * key = scrypt(token password, salt (16 random bytes), 32 bytes, N=2^15, r=8, p=1); ciphertext = AES-256-GCM
 * of the UTF-8 JSON of BootstrapData under that key and nonce (12 random bytes), with the 16-byte tag appended
 * and `tugboat-bootstrap-v1` as additional data. Each write draws a new salt and nonce. A wrong password and a
 * tampered record both fail the tag check.
 */
interface SealedRecord {
  version: 1;
  salt: string;
  nonce: string;
  ciphertext: string;
}

const AAD = Buffer.from('tugboat-bootstrap-v1');
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The record was written with another token (or altered): this server cannot use it. */
export class BootstrapTokenError extends Error {
  constructor() {
    super(
      'bootstrap data already found in the datastore and encrypted with a different token: start this server ' +
        "with the cluster's token (--token or $TUGBOAT_TOKEN: the content of DATA_DIR/server/node-token on " +
        'the first server)',
    );
    this.name = 'BootstrapTokenError';
  }
}

/** Encrypts `data` with a key derived from the join password, in the stored form above. */
export async function sealBootstrapData(data: BootstrapData, password: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(password, salt), nonce);
  cipher.setAAD(AAD);
  const body = Buffer.concat([
    cipher.update(JSON.stringify(data), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  const record: SealedRecord = {
    version: 1,
    salt: salt.toString('base64'),
    nonce: nonce.toString('base64'),
    ciphertext: body.toString('base64'),
  };
  return Buffer.from(JSON.stringify(record));
}

/** Decrypts a stored record; throws BootstrapTokenError when the password does not open it. */
export async function openBootstrapData(value: Buffer, password: string): Promise<BootstrapData> {
  const record = parseRecord(value);
  const salt = Buffer.from(record.salt, 'base64');
  const nonce = Buffer.from(record.nonce, 'base64');
  const body = Buffer.from(record.ciphertext, 'base64');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw malformed('bad nonce or ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', await deriveKey(password, salt), nonce);
  decipher.setAAD(AAD);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new BootstrapTokenError();
  }
  return checkData(JSON.parse(plain.toString('utf8')) as unknown);
}

function deriveKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function parseRecord(value: Buffer): SealedRecord {
  let record: unknown;
  try {
    record = JSON.parse(value.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  const r = record as Partial<Record<keyof SealedRecord, unknown>> | null;
  if (typeof r !== 'object' || r === null) throw malformed('not an object');
  if (r.version !== 1) throw malformed(`unknown version ${JSON.stringify(r.version)}`);
  if (typeof r.salt !== 'string' || typeof r.nonce !== 'string' || typeof r.ciphertext !== 'string') {
    throw malformed('salt, nonce and ciphertext must be strings');
  }
  return r as SealedRecord;
}

/** The tag vouches for the content, so this only guards against a record written by a different program. */
function checkData(data: unknown): BootstrapData {
  const d = data as Partial<BootstrapData> | null;
  const strings = d && [d.caCert, d.caKey, d.serviceAccountKey].every((v) => typeof v === 'string');
  const config = d?.encryptionConfig;
  if (
    !strings ||
    (config !== undefined && (typeof config.content !== 'string' || typeof config.updatedMs !== 'number'))
  ) {
    throw malformed('unexpected content');
  }
  return d as BootstrapData;
}

function malformed(why: string): Error {
  return new Error(`the bootstrap data in the datastore is malformed (${why})`);
}
