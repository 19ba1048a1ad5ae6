/**
 * Where Service address allocations live in the store: one key per allocated cluster IP or node port, outside
 * the API's `/registry/` space, so no API lists them and the watch cache only counts their revisions (as
 * upstream's IPAddress objects, one per address, rather than a bitmap).
 */
import { rfc3339, type Clock } from '../../util/clock.js';
import type { Store } from '../../store/types.js';

export const ALLOCATIONS_PREFIX = '/tugboat/allocations/';
export const SERVICE_IPS_PREFIX = `${ALLOCATIONS_PREFIX}serviceips/`;
export const NODE_PORTS_PREFIX = `${ALLOCATIONS_PREFIX}nodeports/`;

/** The value of an allocation key. */
export interface AllocationRecord {
  /** `namespace/name` of the Service it was allocated for, when known. */
  service?: string;
  /** When it was allocated (RFC 3339): the repair pass leaves young keys alone. */
  at: string;
}

export interface AllocationEntry {
  key: string;
  /** The last key segment (an IP or a port number). */
  name: string;
  modRevision: number;
  record?: AllocationRecord;
}

export function encodeRecord(clock: Clock, service: string | undefined): Buffer {
  const record: AllocationRecord = { ...(service ? { service } : {}), at: rfc3339(clock.now()) };
  return Buffer.from(JSON.stringify(record));
}

function decodeRecord(value: Buffer): AllocationRecord | undefined {
  try {
    const parsed = JSON.parse(value.toString()) as Partial<AllocationRecord>;
    return typeof parsed?.at === 'string' ? (parsed as AllocationRecord) : undefined;
  } catch {
    return undefined;
  }
}

const PAGE = 5000;

/** Every allocation key under prefix, read in pages at one revision. */
export async function listAllocations(store: Store, prefix: string): Promise<AllocationEntry[]> {
  const out: AllocationEntry[] = [];
  let revision: number | undefined;
  let startKey: string | undefined;
  for (;;) {
    const page = await store.list(prefix, {
      limit: PAGE,
      ...(revision !== undefined ? { revision } : {}),
      ...(startKey !== undefined ? { startKey } : {}),
    });
    revision = page.revision;
    for (const kv of page.items) {
      const record = decodeRecord(kv.value);
      out.push({
        key: kv.key,
        name: kv.key.slice(prefix.length),
        modRevision: kv.modRevision,
        ...(record ? { record } : {}),
      });
    }
    if (!page.more || page.items.length === 0) return out;
    startKey = page.items[page.items.length - 1]!.key + '\x00';
  }
}
