import type { KubeObject, WatchEventType } from '../api/meta.js';
import type { ClientObject } from './object.js';
import type { ClientConfig } from './config.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resources.js';
import { errorFromStatus, Transport, type LineStream } from './transport.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export type PatchOptions = WriteOptions & { subresource?: string; force?: boolean };

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** The typed entry point: one transport, a ResourceClient per resource. */
export class ApiClient {
  readonly transport: Transport;
  constructor(readonly config: ClientConfig) {
    this.transport = new Transport(config);
  }

  resource<T extends ClientObject = KubeObject>(type: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this.transport, type);
  }

  close(): void {
    this.transport.close();
  }
}

/** Verbs on one resource. Namespace is '' (or ignored) for cluster-scoped resources. */
export class ResourceClient<T extends ClientObject> {
  constructor(
    readonly transport: Transport,
    readonly type: ResourceType,
  ) {}

  async get(namespace: string, name: string): Promise<T> {
    return this.json<T>('GET', resourcePath(this.type, namespace, name));
  }

  async list(namespace = '', opts: ListOptions = {}): Promise<ListResult<T>> {
    const list = await this.json<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(
      'GET',
      resourcePath(this.type, namespace) + query({ ...opts }),
    );
    const items = list.items ?? [];
    const kind = this.type.kind;
    const apiVersion = apiVersionOf(this.type);
    // Lists carry kind/apiVersion only on the list; informers and callers want them on every item.
    for (const item of items as ClientObject[]) {
      item.kind ??= kind;
      item.apiVersion ??= apiVersion;
    }
    const result: ListResult<T> = { items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    if (list.metadata?.continue) result.continue = list.metadata.continue;
    return result;
  }

  /** Every page of a list, read at one revision. */
  async listAll(namespace = '', opts: Omit<ListOptions, 'continue'> = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let page = await this.list(namespace, opts);
    items.push(...page.items);
    while (page.continue) {
      page = await this.list(namespace, { ...opts, continue: page.continue });
      items.push(...page.items);
    }
    return { items, resourceVersion: page.resourceVersion };
  }

  /**
   * Streams watch events to `onEvent`. An ERROR event (e.g. 410 Expired) is handed to `onEnd` as an ApiError and
   * ends the watch. `onEnd` runs exactly once.
   */
  watch(
    namespace: string,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onEnd: (err?: Error) => void,
  ): Promise<LineStream> {
    let failed: Error | undefined;
    let stream: LineStream | undefined;
    const path = resourcePath(this.type, namespace) + query({ ...opts, watch: true });
    return this.transport
      .stream(path, {
        onLine: (line) => {
          if (failed) return;
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch (err) {
            failed = err as Error;
            stream?.close();
            return;
          }
          if (event.type === 'ERROR') {
            failed = errorFromStatus(event.object as never);
            stream?.close();
            return;
          }
          onEvent(event);
        },
        onEnd: (err) => onEnd(failed ?? err),
      })
      .then((s) => (stream = s));
  }

  async create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write('POST', resourcePath(this.type, obj.metadata?.namespace), obj, opts);
  }

  /** A create whose answer the caller does not read (an Event): the returned object is not decoded. */
  async createWithoutResult(obj: T, opts: WriteOptions = {}): Promise<void> {
    await this.send(
      'POST',
      ...this.writeRequest(resourcePath(this.type, obj.metadata?.namespace), obj, opts),
    );
  }

  async update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write('PUT', this.objectPath(obj), obj, opts);
  }

  async updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write('PUT', this.objectPath(obj, 'status'), obj, opts);
  }

  async patch(
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    return this.json<T>(
      'PATCH',
      this.patchPath(namespace, name, opts),
      JSON.stringify(patch),
      patchContentTypes[type],
    );
  }

  /**
   * A patch whose answer the caller does not read (a Lease renewal, a status report): the same request, but
   * the returned object is not decoded. Errors are thrown as by patch.
   */
  async patchWithoutResult(
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<void> {
    await this.send(
      'PATCH',
      this.patchPath(namespace, name, opts),
      JSON.stringify(patch),
      patchContentTypes[type],
    );
  }

  private patchPath(namespace: string, name: string, opts: PatchOptions): string {
    const params: Record<string, string | number | boolean | undefined> = {
      fieldManager: opts.fieldManager,
      force: opts.force,
    };
    if (opts.dryRun) params.dryRun = 'All';
    return resourcePath(this.type, namespace, name, opts.subresource) + query(params);
  }

  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...opts };
    return this.json('DELETE', resourcePath(this.type, namespace, name), JSON.stringify(body));
  }

  /** POST to a subresource (binding, eviction). */
  async createSubresource<R = unknown>(
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R> {
    return this.json<R>('POST', resourcePath(this.type, namespace, name, subresource), JSON.stringify(body));
  }

  async getSubresource<R = unknown>(namespace: string, name: string, subresource: string): Promise<R> {
    return this.json<R>('GET', resourcePath(this.type, namespace, name, subresource));
  }

  async updateSubresource<R = unknown>(
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R> {
    return this.json<R>('PUT', resourcePath(this.type, namespace, name, subresource), JSON.stringify(body));
  }

  private objectPath(obj: T, subresource?: string): string {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${this.type.kind} without metadata.name`);
    return resourcePath(this.type, obj.metadata?.namespace, name, subresource);
  }

  private async write(method: string, path: string, obj: T, opts: WriteOptions): Promise<T> {
    return this.json<T>(method, ...this.writeRequest(path, obj, opts));
  }

  /** The path with the write's query and the body, with apiVersion and kind filled in. */
  private writeRequest(path: string, obj: T, opts: WriteOptions): [string, string] {
    const params: Record<string, string | number | boolean | undefined> = { fieldManager: opts.fieldManager };
    if (opts.dryRun) params.dryRun = 'All';
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return [path + query(params), JSON.stringify(body)];
  }

  private async json<R>(method: string, path: string, body?: string, contentType?: string): Promise<R> {
    return JSON.parse(await this.send(method, path, body, contentType)) as R;
  }

  /** The request; the answer's body as text, undecoded. */
  private async send(method: string, path: string, body?: string, contentType?: string): Promise<string> {
    const opts = body === undefined ? {} : { body, ...(contentType ? { contentType } : {}) };
    return (await this.transport.request(method, path, opts)).body;
  }
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '' || v === false) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
