import type { KeyValue } from '../types.js';

/** Per entry beyond the value: the key, the KeyValue object, the map slot. */
const ENTRY_OVERHEAD = 96;

/**
 * The latest visible value of keys written or read lately, least recently used first out, bounded in bytes.
 * Every write to the database goes through this process, and an entry is replaced (or dropped, for a
 * deletion) when the write becomes visible, so entries never go stale. Updates read the current object
 * right before writing it, usually one that was just written: this spares them a query.
 * Cached KeyValues are shared with callers, who must not change them (nothing in the store does).
 */
export class LatestValues {
  private readonly entries = new Map<string, KeyValue>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): KeyValue | undefined {
    const kv = this.entries.get(key);
    if (kv) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.entries.delete(key);
      this.entries.set(key, kv);
    }
    return kv;
  }

  set(kv: KeyValue): void {
    this.delete(kv.key);
    const size = sizeOf(kv);
    // One huge value must not push out everything else.
    if (size > this.maxBytes / 8) return;
    this.entries.set(kv.key, kv);
    this.bytes += size;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const kv = this.entries.get(key);
    if (!kv) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(kv);
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

function sizeOf(kv: KeyValue): number {
  return kv.value.length + kv.key.length * 2 + ENTRY_OVERHEAD;
}
