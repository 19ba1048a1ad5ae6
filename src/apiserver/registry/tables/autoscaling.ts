import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { age, ageColumn, arr, col, nameColumn, num, quantity, rec, str, type Obj } from './format.js';

const MAX_SHOWN = 2;

/** `current/target` for a MetricTarget + MetricValueStatus pair; `(avg)` marks average values of object/external metrics. */
function valueTarget(target: Obj, current: Obj | undefined, avgSuffix: boolean): string {
  if (target.averageValue !== undefined) {
    const cur = current?.averageValue !== undefined ? quantity(current.averageValue) : '<unknown>';
    return `${cur}/${quantity(target.averageValue)}${avgSuffix ? ' (avg)' : ''}`;
  }
  const cur = current ? quantity(current.value) : '<unknown>';
  return `${cur}/${quantity(target.value)}`;
}

function resourceTarget(name: string, target: Obj, current: Obj | undefined): string {
  if (target.averageValue !== undefined) {
    const cur = current ? quantity(current.averageValue) : '<unknown>';
    return `${name}: ${cur}/${quantity(target.averageValue)}`;
  }
  const cur =
    typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
  const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${cur}/${tgt}`;
}

/** formatHPAMetrics over autoscaling/v2 spec.metrics and status.currentMetrics (matched by index, as upstream). */
export function formatHPAMetrics(specs: unknown, statuses: unknown): string {
  const metrics = arr(specs);
  if (metrics.length === 0) return '<none>';
  const current = arr(statuses);
  const list = metrics.map((spec, i) => {
    const st = current[i];
    switch (spec.type) {
      case 'External': {
        const cur = st?.external ? rec(rec(st.external).current) : undefined;
        return valueTarget(rec(rec(spec.external).target), cur, true);
      }
      case 'Pods': {
        const cur = st?.pods ? quantity(rec(rec(st.pods).current).averageValue) : '<unknown>';
        return `${cur}/${quantity(rec(rec(spec.pods).target).averageValue)}`;
      }
      case 'Object': {
        const cur = st?.object ? rec(rec(st.object).current) : undefined;
        return valueTarget(rec(rec(spec.object).target), cur, true);
      }
      case 'Resource': {
        const res = rec(spec.resource);
        const cur = st?.resource ? rec(rec(st.resource).current) : undefined;
        return resourceTarget(str(res.name), rec(res.target), cur);
      }
      case 'ContainerResource': {
        const res = rec(spec.containerResource);
        const cur = st?.containerResource ? rec(rec(st.containerResource).current) : undefined;
        return resourceTarget(str(res.name), rec(res.target), cur);
      }
      default:
        return '<unknown type>';
    }
  });
  const shown = list.slice(0, MAX_SHOWN).join(', ');
  return list.length > MAX_SHOWN ? `${shown} + ${list.length - MAX_SHOWN} more...` : shown;
}

/** For autoscaling/v2 objects (the canonical version). */
export const horizontalPodAutoscalerTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Reference', doc.hpaRef),
    col('Targets', doc.hpaMetrics),
    col('MinPods', doc.hpaMin),
    col('MaxPods', doc.hpaMax),
    col('Replicas', doc.hpaCurrent),
    ageColumn,
  ],
  cells(hpa, now) {
    const spec = rec(hpa.spec);
    const status = rec(hpa.status);
    const ref = rec(spec.scaleTargetRef);
    return [
      hpa.metadata?.name ?? '',
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics(spec.metrics, status.currentMetrics),
      typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>',
      num(spec.maxReplicas),
      num(status.currentReplicas),
      age(hpa, now),
    ];
  },
};
