import { forbidden } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import type { Registry } from '../registry/index.js';
import { SYSTEM_PRIORITY_CLASSES } from '../registry/strategies/cluster-priorityclass.js';
import { resourcePrefix } from '../storage/keys.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';

interface PriorityClassInfo {
  value: number;
  globalDefault: boolean;
  preemptionPolicy?: string;
}

const PODS = { group: '', resource: 'pods' };

/**
 * Upstream's Priority admission plugin: a pod's `priorityClassName` (or the globalDefault class when it names
 * none) decides `spec.priority` and `spec.preemptionPolicy`. An unknown class, or a priority the pod states
 * that disagrees with its class, is Forbidden. Classes are kept in memory from the watch cache.
 */
export class PriorityAdmission {
  private readonly classes = new Map<string, PriorityClassInfo>(
    SYSTEM_PRIORITY_CLASSES.map((c) => [c.name, { value: c.value, globalDefault: false }]),
  );

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
  ) {}

  async track(watchCache: WatchCache): Promise<Subscription> {
    const def = this.registry.mustGet('scheduling.k8s.io', 'priorityclasses');
    const page = await this.storage.list(def);
    for (const pc of page.items) this.remember(pc);
    return watchCache.subscribe({
      prefix: resourcePrefix(def),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        if (ev.type === 'DELETED') this.classes.delete(ev.parsed.name);
        else this.remember(ev.object);
      },
      onClose: () => {},
    });
  }

  async admit(pod: KubeObject): Promise<void> {
    const spec = (pod.spec ??= {}) as {
      priorityClassName?: string;
      priority?: number | null;
      preemptionPolicy?: string;
    };
    let name = spec.priorityClassName ?? '';
    let cls: PriorityClassInfo | undefined;
    if (name) {
      cls = this.classes.get(name) ?? (await this.read(name));
      if (!cls)
        throw forbidden(PODS, pod.metadata?.name ?? '', `no PriorityClass with name ${name} was found`);
    } else {
      [name, cls] = this.globalDefault() ?? ['', undefined];
    }
    const value = cls?.value ?? 0;
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
      throw forbidden(
        PODS,
        pod.metadata?.name ?? '',
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
      );
    }
    spec.priority = value;
    if (name) spec.priorityClassName = name;
    const policy = cls?.preemptionPolicy ?? 'PreemptLowerPriority';
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw forbidden(
        PODS,
        pod.metadata?.name ?? '',
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    }
    spec.preemptionPolicy = policy;
  }

  /** A class created a moment ago may not have reached the cache yet: ask the store. */
  private async read(name: string): Promise<PriorityClassInfo | undefined> {
    const def = this.registry.mustGet('scheduling.k8s.io', 'priorityclasses');
    const pc = await this.storage.get(def, undefined, name);
    if (!pc) return undefined;
    this.remember(pc);
    return this.classes.get(name);
  }

  /** Upstream takes the globalDefault class with the lowest value when several claim it. */
  private globalDefault(): [string, PriorityClassInfo] | undefined {
    let best: [string, PriorityClassInfo] | undefined;
    for (const entry of this.classes) {
      if (entry[1].globalDefault && (!best || entry[1].value < best[1].value)) best = entry;
    }
    return best;
  }

  private remember(pc: StoredObject): void {
    const info: PriorityClassInfo = {
      value: typeof pc.value === 'number' ? pc.value : 0,
      globalDefault: pc.globalDefault === true,
    };
    if (typeof pc.preemptionPolicy === 'string') info.preemptionPolicy = pc.preemptionPolicy;
    this.classes.set(pc.metadata.name, info);
  }
}
