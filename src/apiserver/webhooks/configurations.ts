/**
 * The stored Validating/MutatingWebhookConfigurations, kept in memory from the watch cache, as the webhooks
 * each request is checked against. Upstream calls webhooks ordered by their configurations' names, then by
 * their order within one configuration.
 */
import type { StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import { followStored } from '../watch/follow-stored.js';
import { ADMISSION_GROUP, asArray, asString, rulesOf } from './stored.js';
import type { Webhook } from './types.js';

/** The webhooks of one stored configuration, with upstream's v1 defaults for anything unset. */
export function webhooksOf(config: StoredObject, mutating: boolean): Webhook[] {
  return asArray<Record<string, unknown>>(config.webhooks).map((w) => ({
    configuration: config.metadata.name,
    name: asString(w.name) ?? '',
    mutating,
    clientConfig: w.clientConfig ?? {},
    rules: rulesOf(w.rules),
    failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: w.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector } : {}),
    ...(w.objectSelector ? { objectSelector: w.objectSelector } : {}),
    sideEffects: asString(w.sideEffects) ?? '',
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
    const subs: (Subscription | undefined)[] = [];
    for (const [plural, set] of [
      ['validatingwebhookconfigurations', this.validating],
      ['mutatingwebhookconfigurations', this.mutating],
    ] as const) {
      subs.push(
        await followStored(
          this.storage,
          this.registry,
          watchCache,
          { group: ADMISSION_GROUP, plural },
          (o) => set.put(o),
          (name) => set.remove(name),
        ),
      );
    }
    return subs.filter((sub) => sub !== undefined);
  }
}
