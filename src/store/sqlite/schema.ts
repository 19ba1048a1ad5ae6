import type Database from 'better-sqlite3';

/**
 * One table in kine's shape: one row per revision (id). A row records a create, an update or a deletion
 * (deleted = 1, value = the last value) of `name`; prev_revision links to the row it supersedes.
 * Row id 0 is a marker, not a key: prev_revision = the compacted revision, create_revision = how far
 * compaction has actually removed rows.
 */
export const COMPACT_MARKER_NAME = 'compact_rev_key';

const ddl = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT,
  created INTEGER,
  deleted INTEGER,
  create_revision INTEGER,
  prev_revision INTEGER,
  lease INTEGER,
  value BLOB,
  -- Kine stores an update's previous value here; this store leaves it NULL (half the bytes per update) and
  -- reads the previous value from the prev_revision row when it replays history.
  old_value BLOB
);
-- An index on (name) alone holds exactly what (name, id) does (id is the rowid): one is enough.
DROP INDEX IF EXISTS kine_name_index;
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
-- Kine also keeps a unique index on (name, prev_revision) so that two writers cannot both supersede a row.
-- Here one process writes and checks every write against the key's newest row in the same transaction; no
-- query reads the index, and maintaining it was some 40% of the cost of an insert.
DROP INDEX IF EXISTS kine_name_prev_revision_uindex;
`;

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
  old_value: Buffer | null;
}

export function initSchema(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL: a commit does not fsync the WAL; the store syncs it on a background thread (wal-sync.ts) and
  // acknowledges writes only after that, so they survive a crash of the process or the machine.
  db.pragma('synchronous = NORMAL');
  // 16 MiB of page cache, not more: a commit whose B-tree rebalancing swapped two pages (it parks one at the
  // pending-byte page number, ~262,000) walks every page in the cache, and writes with a random key order do
  // that often. With 64 MiB that walk was 4-7 % of the store's CPU; 16 MiB holds the hot index pages.
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = MEMORY');
  db.exec(ddl);
}

const cols = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';
/** Without old_value: reading a second blob per row costs time where it is not needed. */
const kvCols = 'id, name, created, deleted, create_revision, prev_revision, value, NULL AS old_value';

/** Every statement the store runs, prepared once. */
export function prepareStatements(db: Database.Database) {
  return {
    latest: db.prepare<[string], Row>(`SELECT ${kvCols} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
    /** The newest row of a key at or below a revision. */
    latestAt: db.prepare<[string, number], Row>(
      `SELECT ${kvCols} FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
    ),
    insert: db.prepare<[number, string, number, number, number, number, Buffer, Buffer | null]>(
      `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, lease, value, old_value)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    ),
    /**
     * Live rows under [start, end) as of a revision, in name order. The newest id per name comes from the
     * covering (name, id) index in name order, so the scan streams (no sort) and stops at the limit.
     */
    // Raw rows of only what a list returns: [id, name, create_revision, value] (about a quarter faster).
    listAt: db
      .prepare<[string, string, number, number], [number, string, number, Buffer | null]>(
        `SELECT k.id, k.name, k.create_revision, k.value FROM
         (SELECT name, MAX(id) AS mid FROM kine INDEXED BY kine_name_id_index
          WHERE name >= ? AND name < ? AND id > 0 AND id <= ? GROUP BY name ORDER BY name) m
         CROSS JOIN kine k ON k.id = m.mid
       WHERE k.deleted = 0 ORDER BY m.name LIMIT ?`,
      )
      .raw(true),
    count: db.prepare<[string, string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM
         (SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name < ? AND id > 0 AND id <= ? GROUP BY name) m
         CROSS JOIN kine k ON k.id = m.mid
       WHERE k.deleted = 0`,
    ),
    /**
     * History rows after a revision under [start, end), in revision order. An update's previous value is read
     * from the row it superseded (compaction keeps that row while the update is in the retained history);
     * old_value is only there in databases written before the store stopped filling it in.
     */
    history: db.prepare<[number, number, string, string, number], Row>(
      `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value,
              CASE WHEN k.created = 0 AND k.deleted = 0 THEN COALESCE(k.old_value, p.value) END AS old_value
       FROM kine k LEFT JOIN kine p ON p.id = k.prev_revision AND k.created = 0 AND k.deleted = 0
       WHERE k.id > ? AND k.id <= ? AND k.name >= ? AND k.name < ? ORDER BY k.id LIMIT ?`,
    ),
    maxId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM kine'),
    sequence: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'kine'"),
    marker: db.prepare<[], Row>(`SELECT ${cols} FROM kine WHERE id = 0`),
    setMarker: db.prepare<[number, number]>(
      `INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, lease)
       VALUES (0, '${COMPACT_MARKER_NAME}', 0, 0, ?, ?, 0)
       ON CONFLICT (id) DO UPDATE SET create_revision = excluded.create_revision, prev_revision = excluded.prev_revision`,
    ),
    /** Remove rows superseded by rows in (lo, hi]. */
    compactSuperseded: db.prepare<[number, number]>(
      `DELETE FROM kine WHERE id > 0 AND id IN
         (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision != 0)`,
    ),
    /** Remove deletion markers in (lo, hi]. */
    compactDeletions: db.prepare<[number, number]>(
      'DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1',
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
