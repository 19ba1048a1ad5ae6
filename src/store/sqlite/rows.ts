import type { KeyValue, StoreEvent } from '../types.js';
import type { Row } from './schema.js';

const empty = Buffer.alloc(0);

/** The key's value as written by this row (for a deletion: the last value, at the deletion's revision). */
export function rowToKv(row: Row): KeyValue {
  return {
    key: row.name,
    value: row.value ?? empty,
    createRevision: row.create_revision,
    modRevision: row.id,
  };
}

export function rowToEvent(row: Row): StoreEvent {
  const kv = rowToKv(row);
  if (row.created === 1) return { type: 'create', kv, revision: row.id };
  const prevKv: KeyValue = {
    key: row.name,
    value: row.deleted === 1 ? kv.value : (row.old_value ?? empty),
    createRevision: row.create_revision,
    modRevision: row.prev_revision,
  };
  return { type: row.deleted === 1 ? 'delete' : 'update', kv, prevKv, revision: row.id };
}
