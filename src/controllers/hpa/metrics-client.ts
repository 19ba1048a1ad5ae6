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

/** Per-pod usage of a resource (milli-units) from metrics.k8s.io (upstream resource metrics client). */
export async function podResourceMetrics(
  client: ApiClient,
  namespace: string,
  selector: string,
  resource: string,
): Promise<PodMetrics> {
  let body: string;
  try {
    const path =
      `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods` +
      (selector ? `?labelSelector=${encodeURIComponent(selector)}` : '');
    body = (await client.transport.request('GET', path)).body;
  } catch (err) {
    throw new Error(
      `unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  const items = (JSON.parse(body) as { items?: PodMetricsItem[] }).items ?? [];
  if (items.length === 0) {
    throw new Error(
      `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
    );
  }
  const out: PodMetrics = new Map();
  for (const item of items) {
    let sum = 0;
    let complete = true;
    for (const c of item.containers ?? []) {
      const q = c.usage?.[resource];
      if (q === undefined) {
        complete = false;
        break;
      }
      sum += Number(quantityMilliValue(parseQuantity(q)));
    }
    if (!complete || !item.metadata?.name) continue;
    const metric: PodMetric = {
      valueMilli: sum,
      timestampMs: item.timestamp ? Date.parse(item.timestamp) : 0,
      windowMs: durationMs(item.window),
    };
    out.set(item.metadata.name, metric);
  }
  return out;
}
