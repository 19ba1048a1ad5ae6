/** Revision hashing as upstream's controller history: FNV-32a of the revision data (plus collisionCount). */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bit, over the UTF-8 bytes of `text`. */
export function fnv32a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Upstream rand.SafeEncodeString: each character mapped into an alphabet without vowels and look-alikes. */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so equal data always hashes equal whatever order the server sent. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/**
 * The `controller-revision-hash` of revision data: the hash of its canonical JSON, then of the decimal
 * collisionCount when there is one, rendered as the safe-encoded decimal of the 32-bit sum.
 */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let hash = fnv32a(canonicalJson(data ?? null));
  if (collisionCount !== undefined && collisionCount !== null) hash = fnv32a(String(collisionCount), hash);
  return safeEncode(String(hash));
}
