import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { cloneJson } from '../../api/meta.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The alphabet of apimachinery's rand.SafeEncodeString: no vowels (no words), no look-alikes (0/o, 1/l). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** 32-bit FNV-1a. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A canonical JSON form: keys sorted, and null/undefined values, empty objects and empty arrays dropped
 * (Go's omitempty makes them indistinguishable from absent once an object has been through the API).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(prune(value)) ?? '';
}

function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => prune(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = prune((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/**
 * The pod-template-hash of a template (upstream controller.ComputeHash): FNV-32a over the template, then the
 * collision count as 8 little-endian bytes when set, printed in decimal and safe-encoded. Upstream hashes Go's
 * struct dump; we hash the canonical JSON, so values differ from a real cluster's but are stable and follow
 * the same rules.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const encoder = new TextEncoder();
  let h = fnv32a(encoder.encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(template: PodTemplateSpec | undefined): unknown {
  const copy = cloneJson(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** Templates equal apart from the pod-template-hash label (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}
