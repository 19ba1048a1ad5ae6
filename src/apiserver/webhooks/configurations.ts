/**
 * The stored Validating/MutatingWebhookConfigurations, kept in memory from the watch cache, as the webhooks
 * each request is checked against. Upstream calls webhooks ordered by their configurations' names, then by
 * their order within one configuration.
 */
import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import type { Webhook } from './types.js';

const GROUP = 'admissionregistration.k8s.io';

function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The webhooks of one stored configuration, with upstream's v1 defaults for anything unset. */
export function webhooksOf(config: StoredObject, mutating: boolean): Webhook[] {
  return asArray<Record<string, unknown>>(config.webhooks).map((w) => ({
    configuration: config.metadata.name,
    name: typeof w.name === 'string' ? w.name : '',
    mutating,
    clientConfig: w.clientConfig ?? {},
    rules: asArray<Record<string, unknown>>(w.rules).map((r) => ({
      operations: asArray<string>(r.operations),
      apiGroups: asArray<string>(r.apiGroups),
      apiVersions: asArray<string>(r.apiVersions),
      resources: asArray<string>(r.resources),
      scope: typeof r.scope === 'string' ? r.scope : '*',
    })),
    failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: w.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector } : {}),
    ...(w.objectSelector ? { objectSelector: w.objectSelector } : {}),
    sideEffects: typeof w.sideEffects === 'string' ? w.sideEffects : '',
    timeoutSeconds: typeof w.timeoutSeconds === 'number' ? w.timeoutSeconds : 10,
    admissionReviewVersions: asArray<string>(w.admissionReviewVersions),
    reinvocationPolicy: w.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
    matchConditions: asArray<{ name: string; expression: string }>(w.matchConditions),
  }));
}

class ConfigurationSet {
  private readonly configs = new Map<string, Webhook[]>();
  private ordered: Webhook[] = [];

  constructor(private readonly mutating: boolean) {}

  put(config: StoredObject): void {
    this.configs.set(config.metadata.name, webhooksOf(config, this.mutating));
    this.reorder();
  }

  remove(name: string): void {
    if (this.configs.delete(name)) this.reorder();
  }

  get webhooks(): readonly Webhook[] {
    return this.ordered;
  }

  private reorder(): void {
    const names = [...this.configs.keys()].sort();
    this.ordered = names.flatMap((n) => this.configs.get(n)!);
  }
}

export class WebhookConfigurations {
  readonly validating = new ConfigurationSet(false);
  readonly mutating = new ConfigurationSet(true);

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
  ) {}

  /** True when no webhook is configured at all: requests skip the webhook path. */
  get none(): boolean {
    return this.validating.webhooks.length === 0 && this.mutating.webhooks.length === 0;
  }

  async track(watchCache: WatchCache): Promise<Subscription[]> {
    const subs: Subscription[] = [];
    for (const [plural, set] of [
      ['validatingwebhookconfigurations', this.validating],
      ['mutatingwebhookconfigurations', this.mutating],
    ] as const) {
      const def = this.registry.get(GROUP, plural);
      if (!def) continue;
      const page = await this.storage.list(def);
      for (const config of page.items) set.put(config);
      subs.push(
        watchCache.subscribe({
          prefix: resourcePrefix(def),
          fromRevision: Number(page.resourceVersion),
          onEvent: (ev) => {
            if (ev.type === 'DELETED') set.remove(ev.parsed.name);
            else set.put(ev.object);
          },
          onClose: () => {},
        }),
      );
    }
    return subs;
  }
}
