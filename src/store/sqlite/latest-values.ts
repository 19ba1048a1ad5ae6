import type { KeyValue } from '../types.js';

/** Per entry beyond the value: the key, the KeyValue and entry objects, the map slot. */
const ENTRY_OVERHEAD = 96;

/**
 * The latest visible value of keys written or read lately, bounded in bytes; a full cache drops the entries
 * not used since they were last passed over (second chance: a read only marks its entry, where moving it to
 * the end of the map would cost two hash operations per read and leave the map rehashing its holes).
 * Every write to the database goes through this process, and an entry is replaced (or dropped, for a
 * deletion) when the write becomes visible, so entries never go stale. Updates read the current object
 * right before writing it, usually one that was just written: this spares them a query.
 * Cached KeyValues are shared with callers, who must not change them (nothing in the store does).
 */
export class LatestValues {
  private readonly entries = new Map<string, { kv: KeyValue; used: boolean }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): KeyValue | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.kv;
  }

  set(kv: KeyValue): void {
    this.delete(kv.key);
    const size = sizeOf(kv);
    // One huge value must not push out everything else.
    if (size > this.maxBytes / 8) return;
    this.entries.set(kv.key, { kv, used: false });
    this.bytes += size;
    // Oldest first; a used entry moves to the end, unmarked, and goes if it comes round again unused. The entry
    // just written stays: it is the likeliest to be read next (an update reads what was written before it).
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      if (key === kv.key) continue;
      if (entry.used) {
        entry.used = false;
        this.entries.delete(key);
        this.entries.set(key, entry);
      } else {
        this.delete(key);
      }
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(entry.kv);
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
