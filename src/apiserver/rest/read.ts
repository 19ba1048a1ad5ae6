import { badRequest, notAcceptable } from '../../api/errors.js';
import { apiVersionOf, type KubeObject, type StoredObject } from '../../api/meta.js';
import { toServedVersion } from '../registry/index.js';
import { writtenJson } from '../storage/object-storage.js';
import type { ApiContext, RequestScope } from './context.js';
import { selectionPredicate, selectionPrefilter } from './selectors.js';
import { parseIncludeObject, toTable } from './table.js';

/** Plain JSON in the canonical version needs no decode/encode: the stored bytes are served as they are. */
function servesStoredBytes(s: RequestScope): boolean {
  return s.format.kind === 'json' && !s.served.alias;
}

export async function getObject(ctx: ApiContext, s: RequestScope): Promise<void> {
  if (servesStoredBytes(s)) {
    s.out.send(200, await ctx.storage.getJson(s.served.def, s.namespace, s.name!), 'application/json');
    return;
  }
  const obj = await ctx.storage.mustGet(s.served.def, s.namespace, s.name!);
  respondObject(ctx, s, 200, obj);
}

/** Writes one object in the negotiated representation (JSON, YAML or a one-row Table). */
export function respondObject(ctx: ApiContext, s: RequestScope, code: number, obj: KubeObject): void {
  const served = toServedVersion(s.served, obj);
  switch (s.format.kind) {
    case 'table':
      s.out.json(
        code,
        toTable(s.served.def, [served], ctx.clock.now(), parseIncludeObject(s.query.get('includeObject')), {
          resourceVersion: obj.metadata?.resourceVersion ?? '',
        }),
      );
      return;
    case 'yaml':
      s.out.yaml(code, served);
      return;
    case 'partial-metadata':
      s.out.json(code, {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: served.metadata,
      });
      return;
    case 'json': {
      const stored = s.served.alias ? undefined : writtenJson(obj);
      if (stored !== undefined) s.out.send(code, stored, 'application/json');
      else s.out.json(code, served);
    }
  }
}

export function parseLimit(query: URLSearchParams): number | undefined {
  const raw = query.get('limit');
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${JSON.stringify(raw)}`);
  return n;
}

export async function listObjects(ctx: ApiContext, s: RequestScope): Promise<void> {
  const def = s.served.def;
  const predicate = selectionPredicate(ctx, def, s.query);
  const continueToken = s.query.get('continue') ?? undefined;
  if (!predicate && servesStoredBytes(s)) {
    const raw = await ctx.storage.listJson(def, {
      namespace: s.namespace,
      limit: parseLimit(s.query),
      continueToken: continueToken || undefined,
    });
    const meta: Record<string, unknown> = { resourceVersion: raw.resourceVersion };
    if (raw.continue) meta.continue = raw.continue;
    if (raw.remainingItemCount !== undefined) meta.remainingItemCount = raw.remainingItemCount;
    const head = JSON.stringify({
      kind: `${def.kind}List`,
      apiVersion: apiVersionOf(s.served.group, s.served.version),
      metadata: meta,
    });
    s.out.send(200, `${head.slice(0, -1)},"items":[${raw.items.join(',')}]}`, 'application/json');
    return;
  }
  const prefilter = predicate && selectionPrefilter(ctx, def, s.query);
  const page = await ctx.storage.list(def, {
    namespace: s.namespace,
    limit: parseLimit(s.query),
    continueToken: continueToken || undefined,
    predicate: predicate as ((o: StoredObject) => boolean) | undefined,
    ...(prefilter ? { prefilter } : {}),
  });
  const listMeta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue) listMeta.continue = page.continue;
  if (page.remainingItemCount !== undefined) listMeta.remainingItemCount = page.remainingItemCount;
  const items = page.items.map((o) => toServedVersion(s.served, o));
  switch (s.format.kind) {
    case 'table':
      s.out.json(
        200,
        toTable(def, items, ctx.clock.now(), parseIncludeObject(s.query.get('includeObject')), listMeta),
      );
      return;
    case 'partial-metadata':
      s.out.json(200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: listMeta,
        items: items.map((o) => ({
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: o.metadata,
        })),
      });
      return;
    case 'yaml':
    case 'json': {
      const list = {
        kind: `${def.kind}List`,
        apiVersion: apiVersionOf(s.served.group, s.served.version),
        metadata: listMeta,
        items,
      };
      if (s.format.kind === 'yaml') s.out.yaml(200, list);
      else s.out.json(200, list);
      return;
    }
    default:
      throw notAcceptable('only the following media types are accepted: application/json, application/yaml');
  }
}
