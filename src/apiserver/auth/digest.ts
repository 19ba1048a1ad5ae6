import { createHash } from 'node:crypto';

/** The sha256 digest of a secret's text, for constant-time comparison with timingSafeEqual. */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
