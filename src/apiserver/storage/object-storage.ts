import {
  alreadyExists,
  badRequest,
  expired,
  hasReason,
  isApiError,
  notFound,
  staleConflict,
} from '../../api/errors.js';
import type { GroupResource, KubeObject, StoredObject } from '../../api/meta.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KeyValue,
  type Store,
} from '../../store/types.js';
import { objectKey, resourcePrefix, type ResourceKeyParts } from './keys.js';

export interface StorageResource extends ResourceKeyParts {
  kind: string;
}

export interface Page<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type ListPage = Page<StoredObject>;

export interface ListQuery {
  namespace?: string;
  limit?: number;
  continueToken?: string;
  /** Items failing the predicate are skipped (selectors); the page still fills up to limit. */
  predicate?: (obj: StoredObject) => boolean;
  /**
   * A test of an item's stored bytes that every item the predicate accepts passes: items failing it are skipped
   * without being decoded.
   */
  prefilter?: (value: Buffer) => boolean;
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** The object layer over the key-value store: key layout, (de)serialization, resourceVersion, error mapping. */
/**
 * A write that lost a race: the object changed (Conflict) or went (NotFound) between the read it was based on
 * and the write. Only these are worth retrying from a fresh read; conflicts that a request or a webhook decided
 * are answered as they are.
 */
function lostRace<E extends Error>(err: E): E {
  return Object.assign(err, { lostRace: true });
}

export function isLostRace(err: unknown): boolean {
  return (err as { lostRace?: boolean } | undefined)?.lostRace === true;
}

/**
 * Errors of a write by the server itself worth a fresh read and another decision: someone else wrote the object
 * meanwhile (created it first, changed it, or deleted it).
 */
export function racedWithAnotherWriter(err: unknown): boolean {
  return (
    hasReason(err, 'AlreadyExists') ||
    hasReason(err, 'NotFound') ||
    (isApiError(err) && err.status.reason === 'Conflict' && isLostRace(err))
  );
}

export class ObjectStorage {
  constructor(readonly store: Store) {}

  async get(
    r: StorageResource,
    namespace: string | undefined,
    name: string,
  ): Promise<StoredObject | undefined> {
    const kv = await this.store.get(objectKey(r, namespace, name));
    return kv ? decodeKv(kv) : undefined;
  }

  /** The object's JSON text as served in the canonical version (fast path for plain GETs). */
  async getJson(r: StorageResource, namespace: string | undefined, name: string): Promise<string> {
    const kv = await this.store.get(objectKey(r, namespace, name));
    if (!kv) throw notFound(groupResource(r), name);
    return spliceResourceVersion(kv);
  }

  async mustGet(r: StorageResource, namespace: string | undefined, name: string): Promise<StoredObject> {
    const obj = await this.get(r, namespace, name);
    if (!obj) throw notFound(groupResource(r), name);
    return obj;
  }

  async create(r: StorageResource, obj: KubeObject): Promise<StoredObject> {
    const meta = obj.metadata ?? {};
    const name = meta.name ?? '';
    try {
      const value = encodeObject(obj);
      const kv = await this.store.create(objectKey(r, meta.namespace, name), value);
      return withRevision(obj, value, kv.modRevision);
    } catch (err) {
      if (err instanceof KeyExistsError) throw alreadyExists(groupResource(r), name);
      throw err;
    }
  }

  /** Compare-and-swap on the object's previous resourceVersion. */
  async update(r: StorageResource, obj: KubeObject, expectedRevision: number): Promise<StoredObject> {
    const meta = obj.metadata ?? {};
    const name = meta.name ?? '';
    try {
      const value = encodeObject(obj);
      const kv = await this.store.update(objectKey(r, meta.namespace, name), value, expectedRevision);
      return withRevision(obj, value, kv.modRevision);
    } catch (err) {
      if (err instanceof RevisionMismatchError) throw lostRace(staleConflict(groupResource(r), name));
      if (err instanceof KeyNotFoundError) throw lostRace(notFound(groupResource(r), name));
      throw err;
    }
  }

  async delete(
    r: StorageResource,
    namespace: string | undefined,
    name: string,
    expectedRevision?: number,
  ): Promise<StoredObject> {
    try {
      const kv = await this.store.delete(objectKey(r, namespace, name), expectedRevision);
      return decodeKv(kv);
    } catch (err) {
      if (err instanceof RevisionMismatchError) throw lostRace(staleConflict(groupResource(r), name));
      if (err instanceof KeyNotFoundError) throw lostRace(notFound(groupResource(r), name));
      throw err;
    }
  }

  async list(r: StorageResource, q: ListQuery = {}): Promise<ListPage> {
    return this.scan(r, q, decodeKv, q.predicate, q.prefilter);
  }

  /** A page of objects as JSON text, without decoding them (unfiltered lists in the canonical version). */
  async listJson(r: StorageResource, q: Omit<ListQuery, 'predicate'> = {}): Promise<Page<string>> {
    return this.scan(r, q, spliceResourceVersion);
  }

  private async scan<T>(
    r: StorageResource,
    q: Omit<ListQuery, 'predicate'>,
    decode: (kv: KeyValue) => T,
    predicate?: (item: T) => boolean,
    prefilter?: (value: Buffer) => boolean,
  ): Promise<Page<T>> {
    const prefix = resourcePrefix(r, q.namespace);
    let revision: number | undefined;
    let startKey: string | undefined;
    if (q.continueToken) {
      const token = decodeContinue(q.continueToken);
      if (token.rv > (await this.store.currentRevision())) {
        throw badRequest(
          'invalid continue token: continue key is not valid: the resourceVersion is in the future',
        );
      }
      revision = token.rv;
      startKey = prefix + token.start;
    }
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    const items: T[] = [];
    let more = false;
    let remaining: number | undefined;
    let lastKey: string | undefined;
    try {
      // Page through the store until `limit` items pass the predicate (or the keys run out).
      for (;;) {
        const want = limit === 0 ? 0 : Math.max(limit - items.length, predicate ? 100 : 0);
        const page = await this.store.list(prefix, { revision, limit: want, startKey });
        revision = page.revision;
        let stoppedEarly = false;
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i]!;
          lastKey = kv.key;
          if (prefilter && !prefilter(kv.value)) continue;
          const item = decode(kv);
          if (predicate && !predicate(item)) continue;
          items.push(item);
          if (limit > 0 && items.length >= limit) {
            stoppedEarly = i < page.items.length - 1 || page.more;
            if (!predicate && page.remaining !== undefined)
              remaining = page.remaining + (page.items.length - 1 - i);
            break;
          }
        }
        if (limit > 0 && items.length >= limit) {
          more = stoppedEarly;
          break;
        }
        if (!page.more || page.items.length === 0) break;
        startKey = page.items[page.items.length - 1]!.key + '\u0000';
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        throw q.continueToken ? expired(CONTINUE_TOO_OLD) : expired(err.message);
      }
      throw err;
    }
    const result: Page<T> = { items, resourceVersion: String(revision ?? 0) };
    if (more && lastKey !== undefined) {
      result.continue = encodeContinue(revision ?? 0, lastKey.slice(prefix.length) + '\u0000');
      if (remaining !== undefined) result.remainingItemCount = remaining;
    }
    return result;
  }

  async currentResourceVersion(): Promise<string> {
    return String(await this.store.currentRevision());
  }
}

export function groupResource(r: StorageResource): GroupResource {
  return { group: r.group, resource: r.plural };
}

export function decodeKv(kv: Pick<KeyValue, 'value' | 'modRevision' | 'stale'>): StoredObject {
  const obj = JSON.parse(kv.value.toString('utf8')) as StoredObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  if (kv.stale) staleObjects.add(obj);
  return obj;
}

/** Objects read from values stored in a form the store no longer writes (an encryption key rotated away). */
const staleObjects = new WeakSet<object>();

/** True when the object's stored value should be written again even if nothing in it changes. */
export function isStoredStale(obj: KubeObject): boolean {
  return staleObjects.has(obj);
}

/**
 * The stored bytes never carry resourceVersion: it is the key's modRevision. apiVersion, kind and metadata
 * always come first, so readers can splice the resourceVersion into the bytes without parsing them
 * (spliceResourceVersion).
 */
export function encodeObject(obj: KubeObject): Buffer {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  return Buffer.from(JSON.stringify({ apiVersion, kind, metadata: meta, ...rest }));
}

const METADATA_OPEN = '"metadata":{';

/**
 * JSON text of a stored object with its resourceVersion, without a parse/stringify round trip. Relies on the
 * layout encodeObject writes: the first `"metadata":{` is the top-level one (apiVersion and kind before it
 * are strings, which cannot contain an unescaped quote).
 */
export function spliceResourceVersion(kv: Pick<KeyValue, 'value' | 'modRevision'>): string {
  const text = kv.value.toString('utf8');
  const at = text.indexOf(METADATA_OPEN);
  if (at < 0) return JSON.stringify(decodeKv(kv));
  const insertAt = at + METADATA_OPEN.length;
  const rv = `"resourceVersion":"${kv.modRevision}"`;
  const sep = text[insertAt] === '}' ? '' : ',';
  return text.slice(0, insertAt) + rv + sep + text.slice(insertAt);
}

/** Objects create and update returned, with the bytes they were stored as. */
const storedForms = new WeakMap<object, { value: Buffer; modRevision: number }>();

/**
 * The object as written, with its new resourceVersion (the caller hands over ownership of obj). Its stored
 * bytes are remembered, so the write's response can send them (writtenJson) instead of encoding it again.
 */
function withRevision(obj: KubeObject, value: Buffer, revision: number): StoredObject {
  const stored = obj as StoredObject;
  stored.metadata.resourceVersion = String(revision);
  storedForms.set(stored, { value, modRevision: revision });
  return stored;
}

/**
 * JSON text (canonical version) of an object just returned by create or update, from the bytes stored;
 * undefined for any other object. The caller must not have changed the object since.
 */
export function writtenJson(obj: KubeObject): string | undefined {
  const form = storedForms.get(obj);
  return form ? spliceResourceVersion(form) : undefined;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  const invalidToken = (why: string) =>
    badRequest(`invalid continue token: continue key is not valid: ${why}`);
  let token: ContinueToken;
  try {
    token = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    throw invalidToken('illegal base64 data or JSON');
  }
  if (token?.v !== 'meta.k8s.io/v1') throw invalidToken('server does not recognize this encoded key');
  if (typeof token.rv !== 'number' || !Number.isSafeInteger(token.rv) || token.rv <= 0) {
    throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  // A start key is relative to the listed prefix and may not climb out of it.
  if (
    typeof token.start !== 'string' ||
    token.start.startsWith('/') ||
    token.start.split('/').includes('..')
  ) {
    throw invalidToken('continue key is not valid');
  }
  return token;
}
