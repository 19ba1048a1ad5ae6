/**
 * The revisioned key-value store the API server keeps every object in.
 * One global revision counter (as etcd): every write gets the next revision; a key's modRevision is its
 * object's resourceVersion. Only the API server uses this interface.
 */

export interface KeyValue {
  key: string;
  /** Serialized object (JSON, UTF-8). */
  value: Buffer;
  /** Revision of the write that created the key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
  /**
   * Set by the API server's encryption layer when the value was stored by a provider other than the one that
   * writes now: an update that changes nothing must still write it.
   */
  stale?: boolean;
}

export interface ListOptions {
  /** Read at this revision (must not be compacted); default: current revision. */
  revision?: number;
  /** At most this many items; `more` tells whether more exist. 0 or undefined = no limit. */
  limit?: number;
  /** Start at this key (inclusive), for continuation. Must lie under the prefix. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when items past `limit` exist. */
  more: boolean;
  /** How many items remain after these (when known cheaply). */
  remaining?: number;
}

export type StoreEventType = 'create' | 'update' | 'delete';

export interface StoreEvent {
  type: StoreEventType;
  /** For delete: the last value, with modRevision = the deletion's revision. */
  kv: KeyValue;
  /** The value before this event (update and delete). */
  prevKv?: KeyValue;
  revision: number;
}

export interface Watcher {
  /** Stop delivering events. Idempotent. */
  close(): void;
}

export interface WatchCallbacks {
  /** Events in revision order, each exactly once, only for keys under the prefix. */
  onEvents(events: StoreEvent[]): void;
  /** The watch ended (compacted start revision, backend failure, store closed). No more events follow. */
  onError(err: Error): void;
}

export interface Store {
  /** Latest value of a key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys under prefix in key order, at a consistent revision. Throws CompactedError for a compacted revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys under prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Create a key that must not exist. Throws KeyExistsError. */
  create(key: string, value: Buffer): Promise<KeyValue>;
  /** Compare-and-swap: write only if the key's modRevision equals expected. Throws RevisionMismatchError / KeyNotFoundError. */
  update(key: string, value: Buffer, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Delete a key (only if its modRevision equals expected, when given). Returns the deleted value with
   * modRevision set to the deletion's revision. Throws KeyNotFoundError / RevisionMismatchError.
   */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /**
   * Deliver every event under prefix with revision > fromRevision, then live ones.
   * Throws CompactedError (synchronously or via onError) when fromRevision is older than the compacted revision.
   */
  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): Watcher;
  /** Forget history at and below revision (superseded values and deletion records). */
  compact(revision: number): Promise<void>;
  currentRevision(): Promise<number>;
  /** Oldest revision still readable/watchable (the last compaction point). */
  compactedRevision(): Promise<number>;
  /** Finish in-flight writes, end watches, release resources. */
  close(): Promise<void>;
  /**
   * When writes are committed or queued but not yet published to watchers, calls `done` right after the next
   * publication and returns true; otherwise returns false and never calls `done`. Lets watch fan-out wait for
   * events that are a log sync away. Backends that cannot tell leave it out.
   */
  whenPendingPublished?(done: () => void): boolean;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

export class RevisionMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`revision mismatch on ${key}: expected ${expected}, found ${actual}`);
    this.name = 'RevisionMismatchError';
  }
}

/** A conditional write that another writer beat (the key appeared, changed or went): read again and retry. */
export function isLostWrite(err: unknown): boolean {
  return (
    err instanceof KeyExistsError || err instanceof RevisionMismatchError || err instanceof KeyNotFoundError
  );
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted at ${compacted})`);
    this.name = 'CompactedError';
  }
}

export class StoreClosedError extends Error {
  constructor() {
    super('store is closed');
    this.name = 'StoreClosedError';
  }
}
