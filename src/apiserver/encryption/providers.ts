import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import nacl from 'tweetnacl';

/**
 * One way of storing values at rest, as a kube-apiserver EncryptionConfiguration provider. `context` is the
 * value's store key: authenticated data for AES-GCM, so a value copied to another key does not decrypt.
 */
export interface ValueTransformer {
  /** Throws when the value cannot be read; `stale` says it should be written again in the current form. */
  fromStorage(data: Buffer, context: string): { value: Buffer; stale: boolean };
  toStorage(data: Buffer, context: string): Buffer;
}

/** Reserved for encrypted values: JSON starts with `{`, upstream's protobuf with `k8s\0`. */
export const ENCRYPTED_PREFIX = 'k8s:enc:';

export interface PrefixedTransformer {
  prefix: Buffer;
  transformer: ValueTransformer;
}

/**
 * Reads with the first transformer whose prefix the value carries and that can read it (two providers of one
 * kind share a prefix while keys rotate, so a failure moves on to the next); writes with the first one. A value
 * read by any but the first is stale, as upstream's prefixTransformers.
 */
export class PrefixTransformers implements ValueTransformer {
  constructor(
    private readonly entries: PrefixedTransformer[],
    private readonly noMatch: string,
  ) {}

  fromStorage(data: Buffer, context: string): { value: Buffer; stale: boolean } {
    const errors: string[] = [];
    for (const [i, { prefix, transformer }] of this.entries.entries()) {
      if (!startsWith(data, prefix)) continue;
      try {
        const read = transformer.fromStorage(data.subarray(prefix.length), context);
        return { value: read.value, stale: read.stale || i !== 0 };
      } catch (err) {
        // The identity provider refusing encrypted data is not worth reporting when another reads it.
        if (prefix.length > 0) errors.push((err as Error).message);
      }
    }
    throw new Error(
      errors.length === 0 ? this.noMatch : errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`,
    );
  }

  toStorage(data: Buffer, context: string): Buffer {
    const { prefix, transformer } = this.entries[0]!;
    return Buffer.concat([prefix, transformer.toStorage(data, context)]);
  }
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.subarray(0, prefix.length).equals(prefix);
}

/** Values stored as they are; encrypted ones are refused so that a later provider may read them. */
export const identityTransformer: ValueTransformer = {
  fromStorage(data) {
    if (startsWith(data, Buffer.from(ENCRYPTED_PREFIX))) {
      throw new Error('identity transformer tried to read encrypted data');
    }
    return { value: data, stale: false };
  },
  toStorage: (data) => data,
};

const AES_BLOCK = 16;

function aesAlgorithm(key: Buffer, mode: 'cbc' | 'gcm'): string {
  return `aes-${key.length * 8}-${mode}`;
}

/** AES-CBC with PKCS#7 padding: a random 16-byte IV, then the ciphertext (upstream's aescbc layout). */
export function aesCbcTransformer(key: Buffer): ValueTransformer {
  const algorithm = aesAlgorithm(key, 'cbc');
  return {
    fromStorage(data) {
      if (data.length < AES_BLOCK) throw new Error('the stored data was shorter than the required size');
      const body = data.subarray(AES_BLOCK);
      if (body.length % AES_BLOCK !== 0)
        throw new Error('the stored data is not a multiple of the block size');
      const decipher = createDecipheriv(algorithm, key, data.subarray(0, AES_BLOCK));
      try {
        return { value: Buffer.concat([decipher.update(body), decipher.final()]), stale: false };
      } catch {
        throw new Error('invalid padding on input');
      }
    },
    toStorage(data) {
      const iv = randomBytes(AES_BLOCK);
      const cipher = createCipheriv(algorithm, key, iv);
      return Buffer.concat([iv, cipher.update(data), cipher.final()]);
    },
  };
}

const GCM_NONCE = 12;
const GCM_TAG = 16;

/** AES-GCM: a random 12-byte nonce, the ciphertext, the 16-byte tag (Go's Seal layout); the key is authenticated. */
export function aesGcmTransformer(key: Buffer): ValueTransformer {
  const algorithm = aesAlgorithm(key, 'gcm') as CipherGCMTypes;
  return {
    fromStorage(data, context) {
      if (data.length < GCM_NONCE) throw new Error('the stored data was shorter than the required size');
      if (data.length < GCM_NONCE + GCM_TAG) throw new Error('cipher: message authentication failed');
      const decipher = createDecipheriv(algorithm, key, data.subarray(0, GCM_NONCE), {
        authTagLength: GCM_TAG,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(data.subarray(data.length - GCM_TAG));
      try {
        const body = data.subarray(GCM_NONCE, data.length - GCM_TAG);
        return { value: Buffer.concat([decipher.update(body), decipher.final()]), stale: false };
      } catch {
        throw new Error('cipher: message authentication failed');
      }
    },
    toStorage(data, context) {
      const nonce = randomBytes(GCM_NONCE);
      const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: GCM_TAG });
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(data), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]);
    },
  };
}

const SECRETBOX_NONCE = nacl.secretbox.nonceLength;

/** XSalsa20-Poly1305 (NaCl secretbox): a random 24-byte nonce, then the sealed box. */
export function secretboxTransformer(key: Buffer): ValueTransformer {
  const keyBytes = new Uint8Array(key);
  return {
    fromStorage(data) {
      if (data.length < SECRETBOX_NONCE + nacl.secretbox.overheadLength) {
        throw new Error('the stored data was shorter than the required size');
      }
      const opened = nacl.secretbox.open(
        new Uint8Array(data.subarray(SECRETBOX_NONCE)),
        new Uint8Array(data.subarray(0, SECRETBOX_NONCE)),
        keyBytes,
      );
      // Upstream's message for a box that does not open.
      if (!opened) throw new Error('output array was not large enough for encryption');
      return { value: Buffer.from(opened), stale: false };
    },
    toStorage(data) {
      const nonce = randomBytes(SECRETBOX_NONCE);
      const sealed = nacl.secretbox(new Uint8Array(data), new Uint8Array(nonce), keyBytes);
      return Buffer.concat([nonce, sealed]);
    },
  };
}
