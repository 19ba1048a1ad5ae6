import { parseQuantity, quantityMilliValue } from '../../api/quantity.js';
import type { ApiClient } from '../../client/index.js';
import type { PodMetric, PodMetrics } from './replica-calculator.js';

interface PodMetricsItem {
  metadata?: { name?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

function durationMs(text: string | undefined): number {
  const m = /^([\d.]+)(ms|s|m|h)?$/.exec(text ?? '');
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return n * unit;
}

/**
 * Per-pod usage of a resource (milli-units) from metrics.k8s.io (upstream's resource metrics client): the sum
 * over the pod's containers, or the named container's alone (every pod must report it).
 */
export async function podResourceMetrics(
  client: ApiClient,
  namespace: string,
  selector: string,
  resource: string,
  container?: string,
): Promise<PodMetrics> {
  const fail = (why: string): Error => new Error(`unable to get metrics for resource ${resource}: ${why}`);
  let body: string;
  try {
    const path =
      `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods` +
      (selector ? `?labelSelector=${encodeURIComponent(selector)}` : '');
    body = (await client.transport.request('GET', path)).body;
  } catch (err) {
    throw fail(
      `unable to fetch metrics from resource metrics API: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const items = (JSON.parse(body) as { items?: PodMetricsItem[] }).items ?? [];
  if (items.length === 0) throw fail('no metrics returned from resource metrics API');
  const out: PodMetrics = new Map();
  for (const item of items) {
    const name = item.metadata?.name ?? '';
    const containers = item.containers ?? [];
    let valueMilli: number | undefined;
    if (container !== undefined) {
      const c = containers.find((x) => x.name === container);
      if (!c) {
        throw fail(
          `failed to get container metrics: container ${container} not present in metrics for pod ${namespace}/${name}`,
        );
      }
      const q = c.usage?.[resource];
      if (q !== undefined) valueMilli = Number(quantityMilliValue(parseQuantity(q)));
    } else if (containers.length > 0) {
      valueMilli = 0;
      for (const c of containers) {
        const q = c.usage?.[resource];
        if (q === undefined) {
          valueMilli = undefined;
          break;
        }
        valueMilli += Number(quantityMilliValue(parseQuantity(q)));
      }
    }
    if (valueMilli === undefined || !name) continue;
    const metric: PodMetric = {
      valueMilli,
      timestampMs: item.timestamp ? Date.parse(item.timestamp) : 0,
      windowMs: durationMs(item.window),
    };
    out.set(name, metric);
  }
  return out;
}
