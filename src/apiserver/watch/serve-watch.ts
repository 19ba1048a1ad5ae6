import type { IncomingMessage } from 'node:http';
import { badRequest, isApiError, type ApiError } from '../../api/errors.js';
import { apiVersionOf, type KubeObject, type StoredObject } from '../../api/meta.js';
import { resourceKey, servedView } from '../registry/index.js';
import type { ApiContext, RequestScope } from '../rest/context.js';
import {
  keySelectionPredicate,
  selectionPredicate,
  selectionPrefilter,
  type ObjectPredicate,
} from '../rest/selectors.js';
import { parseIncludeObject, tableColumns, tableRow } from '../rest/table.js';
import { resourcePrefix } from '../storage/keys.js';
import { ChunkFramer } from './chunk-framer.js';
import type { CachedEvent, CachedEventType, SubscribeOptions } from './watch-cache.js';

const framer = new ChunkFramer();

const BOOKMARK_INTERVAL_MS = 60_000;
/** Upstream's default when the client gives no timeoutSeconds: somewhere in 30–60 minutes. */
const DEFAULT_TIMEOUT_MS = 45 * 60_000;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export async function serveWatch(ctx: ApiContext, s: RequestScope, req: IncomingMessage): Promise<void> {
  const def = s.served.def;
  let predicate: ObjectPredicate | undefined = selectionPredicate(ctx, def, s.query);
  if (s.name) {
    const byName = s.name;
    const base = predicate;
    predicate = (o) => o.metadata?.name === byName && (!base || base(o));
  }
  // Name and namespace never change, so a selection on them alone needs neither the object nor its old state.
  const byKey = s.name ? undefined : keySelectionPredicate(ctx, s.query);
  const rvParam = s.query.get('resourceVersion') ?? '';
  const timeoutMs = parseTimeout(s.query.get('timeoutSeconds'));
  const allowBookmarks = s.query.get('allowWatchBookmarks') === 'true';
  const table = s.format.kind === 'table';
  const include = parseIncludeObject(s.query.get('includeObject'));
  const servedApiVersion = apiVersionOf(s.served.group, s.served.version);

  let fromRevision: number;
  let initial: StoredObject[] = [];
  if (rvParam === '' || rvParam === '0') {
    const prefilter = predicate && selectionPrefilter(ctx, def, s.query);
    const page = await ctx.storage.list(def, {
      namespace: s.namespace,
      predicate: predicate as ((o: StoredObject) => boolean) | undefined,
      ...(prefilter ? { prefilter } : {}),
    });
    initial = page.items;
    fromRevision = Number(page.resourceVersion);
  } else {
    fromRevision = Number(rvParam);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) {
      throw badRequest(`invalid resource version: ${JSON.stringify(rvParam)}`);
    }
  }

  const res = s.out.res;
  s.out.startStream(table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json');
  let sentColumns = false;
  let lastRevision = fromRevision;
  let finished = false;

  // Keys of this representation in an event's memo of encodings.
  const objectKey = table ? `table:${servedApiVersion}:${include}` : `json:${servedApiVersion}`;
  const lineKeys: Record<CachedEventType, string> = {
    ADDED: `line:ADDED:${servedApiVersion}`,
    MODIFIED: `line:MODIFIED:${servedApiVersion}`,
    DELETED: `line:DELETED:${servedApiVersion}`,
  };

  /** An event's object is decoded only when its stored bytes cannot be sent as they are. */
  const encodeObject = (ev: CachedEvent | undefined, plain?: KubeObject): string => {
    const cached = ev?.encoded.get(objectKey);
    if (cached !== undefined) return cached;
    // The stored bytes already are the canonical version's JSON: splice in the resourceVersion and send them.
    if (ev && !table && !s.served.alias && ev.type !== 'DELETED') return ev.storedJson;
    const obj = ev ? ev.object : plain!;
    const served = servedView(s.served, obj);
    const text = table
      ? JSON.stringify(tableRow(def, served, ctx.clock.now(), include))
      : JSON.stringify(served);
    ev?.encoded.set(objectKey, text);
    return text;
  };

  const write = (type: EventType, objectJson: string, resourceVersion: string): void => {
    if (finished) return;
    let body = objectJson;
    if (table && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
      const columns = sentColumns ? '[]' : JSON.stringify(tableColumns(def));
      sentColumns = true;
      body = `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":${JSON.stringify(resourceVersion)}},"columnDefinitions":${columns},"rows":[${objectJson}]}`;
    }
    pending.push(`{"type":"${type}","object":${body}}\n`);
    if (pending.length === 1) ctx.watchCache.flushes.add(flush);
  };

  /** The same event line for every watcher of this representation, so their chunks can be shared. */
  const writeShared = (ev: CachedEvent, type: CachedEventType): void => {
    if (finished) return;
    const key = lineKeys[type];
    let line = ev.encoded.get(key);
    if (line === undefined) {
      line = `{"type":"${type}","object":${encodeObject(ev)}}\n`;
      ev.encoded.set(key, line);
    }
    pending.push(line);
    if (pending.length === 1) ctx.watchCache.flushes.add(flush);
  };

  // Events that arrive in one event-loop turn go out in one socket write (TLS records are costly).
  const pending: string[] = [];
  const flush = (): void => {
    if (finished || pending.length === 0) return;
    // A watcher that has not taken what it was sent before is cut off rather than holding memory without bound.
    if (res.writableLength > ctx.watchMaxPendingBytes) {
      ctx.logger.warn('cutting off slow watcher', { resource: def.plural, pendingBytes: res.writableLength });
      finish(true);
      return;
    }
    const socket = res.socket;
    if (!socket) return finish(true);
    // Chunks are framed here and written to the socket itself: the headers went out with startStream, and
    // res.end() writes the last chunk.
    socket.write(framer.frame(pending));
    pending.length = 0;
  };

  const onEvent = (ev: CachedEvent): void => {
    lastRevision = ev.revision;
    let type: CachedEventType = ev.type;
    if (byKey) {
      if (!byKey(ev.parsed)) return;
    } else if (predicate) {
      const now = ev.type !== 'DELETED' && predicate(ev.object);
      const before = ev.prevObject !== undefined && predicate(ev.prevObject);
      if (ev.type === 'ADDED') {
        if (!now) return;
      } else if (ev.type === 'DELETED') {
        if (!before) return;
      } else if (now && !before) type = 'ADDED';
      else if (!now && before) type = 'DELETED';
      else if (!now) return;
    }
    // Only a Table row needs the resourceVersion apart from the object.
    if (table) write(type, encodeObject(ev), ev.object.metadata.resourceVersion);
    else writeShared(ev, type);
  };

  const timers: NodeJS.Timeout[] = [];
  let subscription: { close(): void } | undefined;
  const finish = (abort = false): void => {
    if (finished) return;
    if (!abort) flush();
    finished = true;
    for (const t of timers) clearTimeout(t);
    subscription?.close();
    if (abort) res.destroy();
    else res.end();
  };
  req.on('close', () => finish());
  res.on('close', () => finish());

  for (const obj of initial) write('ADDED', encodeObject(undefined, obj), obj.metadata.resourceVersion);
  try {
    const index = watchIndex(ctx, s);
    subscription = ctx.watchCache.subscribe({
      prefix: resourcePrefix(def, s.namespace),
      ...(index ? { index } : {}),
      fromRevision,
      onEvent,
      onClose: () => finish(),
    });
  } catch (err) {
    if (isApiError(err)) {
      writeError(write, err);
      finish();
      return;
    }
    throw err;
  }
  timers.push(setTimeout(() => finish(), timeoutMs));
  if (allowBookmarks) {
    const bookmark = (): void => {
      const rv = String(Math.max(lastRevision, ctx.watchCache.latestRevision));
      write(
        'BOOKMARK',
        JSON.stringify({
          kind: def.kind,
          apiVersion: servedApiVersion,
          metadata: { resourceVersion: rv, creationTimestamp: null },
        }),
        rv,
      );
      timers.push(setTimeout(bookmark, BOOKMARK_INTERVAL_MS).unref());
    };
    timers.push(setTimeout(bookmark, BOOKMARK_INTERVAL_MS).unref());
  }
}

function writeError(write: (type: EventType, json: string, rv: string) => void, err: ApiError): void {
  write('ERROR', JSON.stringify(err.status), '');
}

/** The index a watch's selection allows: one object by name, or a node's pods (what every kubelet watches). */
function watchIndex(ctx: ApiContext, s: RequestScope): SubscribeOptions['index'] {
  if (s.name) return { field: 'metadata.name', value: s.name };
  const fieldText = (s.query.get('fieldSelector') ?? '').trim();
  if (!fieldText) return undefined;
  const fields = ctx.ext.parseFieldSelector(fieldText);
  const name = fields.requiresExactMatch?.('metadata.name');
  if (name !== undefined) return { field: 'metadata.name', value: name };
  const nodeName =
    resourceKey(s.served.def) === 'pods' ? fields.requiresExactMatch?.('spec.nodeName') : undefined;
  return nodeName === undefined ? undefined : { field: 'spec.nodeName', value: nodeName };
}

function parseTimeout(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw badRequest(`invalid timeoutSeconds: ${JSON.stringify(raw)}`);
  // setTimeout takes at most 2^31-1 ms (about 24.8 days); longer asks are capped there.
  return n === 0 ? DEFAULT_TIMEOUT_MS : Math.min(n * 1000, 2 ** 31 - 1);
}
