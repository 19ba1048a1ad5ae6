/**
 * autoscaling/v2beta1-shaped metrics (also the JSON kept in autoscaling/v1 annotations) ↔ autoscaling/v2 metrics,
 * following upstream's pkg/apis/autoscaling/v2beta1 conversions.
 */
import { rec, type Obj } from './util.js';

/** Copy without undefined values, so absent fields stay absent in the JSON. */
export function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function metricId(name: unknown, selector: unknown): Obj {
  return compact({ name, selector });
}

function resourceTarget(utilization: unknown, averageValue: unknown): Obj {
  return compact({
    type: utilization === undefined ? 'AverageValue' : 'Utilization',
    averageUtilization: utilization,
    averageValue,
  });
}

export function specToV2(m: Obj): Obj {
  const r = rec(m.resource);
  const cr = rec(m.containerResource);
  const p = rec(m.pods);
  const o = rec(m.object);
  const e = rec(m.external);
  const out: Obj = { type: m.type };
  if (r)
    out.resource = { name: r.name, target: resourceTarget(r.targetAverageUtilization, r.targetAverageValue) };
  if (cr)
    out.containerResource = {
      name: cr.name,
      container: cr.container,
      target: resourceTarget(cr.targetAverageUtilization, cr.targetAverageValue),
    };
  if (p)
    out.pods = {
      metric: metricId(p.metricName, p.selector),
      target: { type: 'AverageValue', averageValue: p.targetAverageValue },
    };
  if (o)
    out.object = {
      describedObject: o.target,
      metric: metricId(o.metricName, o.selector),
      target: compact({
        type: o.averageValue === undefined ? 'Value' : 'AverageValue',
        value: o.targetValue,
        averageValue: o.averageValue,
      }),
    };
  if (e)
    out.external = {
      metric: metricId(e.metricName, e.metricSelector),
      target: compact({
        type: e.targetAverageValue === undefined ? 'Value' : 'AverageValue',
        value: e.targetValue,
        averageValue: e.targetAverageValue,
      }),
    };
  return out;
}

export function specFromV2(m: Obj): Obj {
  const r = rec(m.resource);
  const cr = rec(m.containerResource);
  const p = rec(m.pods);
  const o = rec(m.object);
  const e = rec(m.external);
  const out: Obj = { type: m.type };
  if (r) {
    const t = rec(r.target) ?? {};
    out.resource = compact({
      name: r.name,
      targetAverageUtilization: t.averageUtilization,
      targetAverageValue: t.averageValue,
    });
  }
  if (cr) {
    const t = rec(cr.target) ?? {};
    out.containerResource = compact({
      name: cr.name,
      container: cr.container,
      targetAverageUtilization: t.averageUtilization,
      targetAverageValue: t.averageValue,
    });
  }
  if (p) {
    const metric = rec(p.metric) ?? {};
    out.pods = compact({
      metricName: metric.name,
      selector: metric.selector,
      targetAverageValue: rec(p.target)?.averageValue,
    });
  }
  if (o) {
    const metric = rec(o.metric) ?? {};
    const t = rec(o.target) ?? {};
    out.object = compact({
      target: o.describedObject,
      metricName: metric.name,
      selector: metric.selector,
      targetValue: t.value,
      averageValue: t.averageValue,
    });
  }
  if (e) {
    const metric = rec(e.metric) ?? {};
    const t = rec(e.target) ?? {};
    out.external = compact({
      metricName: metric.name,
      metricSelector: metric.selector,
      targetValue: t.value,
      targetAverageValue: t.averageValue,
    });
  }
  return out;
}

export function statusToV2(m: Obj): Obj {
  const r = rec(m.resource);
  const cr = rec(m.containerResource);
  const p = rec(m.pods);
  const o = rec(m.object);
  const e = rec(m.external);
  const out: Obj = { type: m.type };
  if (r)
    out.resource = {
      name: r.name,
      current: compact({
        averageUtilization: r.currentAverageUtilization,
        averageValue: r.currentAverageValue,
      }),
    };
  if (cr)
    out.containerResource = {
      name: cr.name,
      container: cr.container,
      current: compact({
        averageUtilization: cr.currentAverageUtilization,
        averageValue: cr.currentAverageValue,
      }),
    };
  if (p)
    out.pods = {
      metric: metricId(p.metricName, p.selector),
      current: compact({ averageValue: p.currentAverageValue }),
    };
  if (o)
    out.object = {
      describedObject: o.target,
      metric: metricId(o.metricName, o.selector),
      current: compact({ value: o.currentValue, averageValue: o.averageValue }),
    };
  if (e)
    out.external = {
      metric: metricId(e.metricName, e.metricSelector),
      current: compact({ value: e.currentValue, averageValue: e.currentAverageValue }),
    };
  return out;
}

export function statusFromV2(m: Obj): Obj {
  const r = rec(m.resource);
  const cr = rec(m.containerResource);
  const p = rec(m.pods);
  const o = rec(m.object);
  const e = rec(m.external);
  const out: Obj = { type: m.type };
  if (r) {
    const c = rec(r.current) ?? {};
    out.resource = compact({
      name: r.name,
      currentAverageUtilization: c.averageUtilization,
      currentAverageValue: c.averageValue,
    });
  }
  if (cr) {
    const c = rec(cr.current) ?? {};
    out.containerResource = compact({
      name: cr.name,
      container: cr.container,
      currentAverageUtilization: c.averageUtilization,
      currentAverageValue: c.averageValue,
    });
  }
  if (p) {
    const metric = rec(p.metric) ?? {};
    out.pods = compact({
      metricName: metric.name,
      selector: metric.selector,
      currentAverageValue: rec(p.current)?.averageValue,
    });
  }
  if (o) {
    const metric = rec(o.metric) ?? {};
    const c = rec(o.current) ?? {};
    out.object = compact({
      target: o.describedObject,
      metricName: metric.name,
      selector: metric.selector,
      currentValue: c.value,
      averageValue: c.averageValue,
    });
  }
  if (e) {
    const metric = rec(e.metric) ?? {};
    const c = rec(e.current) ?? {};
    out.external = compact({
      metricName: metric.name,
      metricSelector: metric.selector,
      currentValue: c.value,
      currentAverageValue: c.averageValue,
    });
  }
  return out;
}
