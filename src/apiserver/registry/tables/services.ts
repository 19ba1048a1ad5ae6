import type { KubeObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import {
  age,
  ageColumn,
  arr,
  col,
  formatLabels,
  loadBalancerStatus,
  nameColumn,
  num,
  rec,
  str,
} from './format.js';

function externalIP(svc: KubeObject): string {
  const spec = rec(svc.spec);
  const externalIPs = arr(spec.externalIPs) as unknown as string[];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIPs = loadBalancerStatus(rec(svc.status).loadBalancer, true);
      if (externalIPs.length > 0) return [...(lbIPs ? lbIPs.split(',') : []), ...externalIPs].join(',');
      return lbIPs || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** The internal type fills clusterIPs from clusterIP, so the first of either is shown. */
function clusterIP(spec: Record<string, unknown>): string {
  const ips = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as unknown[]) : [];
  return str(ips[0]) || str(spec.clusterIP) || '<none>';
}

function portString(ports: unknown): string {
  return arr(ports)
    .map((p) => {
      const protocol = str(p.protocol);
      return num(p.nodePort) > 0
        ? `${num(p.port)}:${num(p.nodePort)}/${protocol}`
        : `${num(p.port)}/${protocol}`;
    })
    .join(',');
}

export const serviceTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Type', doc.svcType),
    col('Cluster-IP', doc.svcClusterIP),
    col('External-IP', doc.svcExternalIPs),
    col('Port(s)', doc.svcPorts),
    ageColumn,
    col('Selector', doc.svcSelector, 1),
  ],
  cells(svc, now) {
    const spec = rec(svc.spec);
    return [
      svc.metadata?.name ?? '',
      str(spec.type),
      clusterIP(spec),
      externalIP(svc),
      portString(spec.ports) || '<none>',
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};

/** Host:port pairs across subsets, at most three then ` + N more...`. */
function formatEndpoints(subsets: unknown): string {
  const all = arr(subsets);
  if (all.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of all) {
    if (arr(ss.ports).length === 0) {
      // headless services may have no ports: addresses alone
      for (const addr of arr(ss.addresses)) {
        if (list.length < 3) list.push(str(addr.ip));
        count++;
      }
      continue;
    }
    for (const port of arr(ss.ports)) {
      for (const addr of arr(ss.addresses)) {
        if (list.length < 3) {
          const ip = str(addr.ip);
          list.push(ip.includes(':') ? `[${ip}]:${num(port.port)}` : `${ip}:${num(port.port)}`);
        }
        count++;
      }
    }
  }
  const ret = list.join(',');
  return count > 3 ? `${ret} + ${count - 3} more...` : ret;
}

export const endpointsTable: TableConvertor = {
  columns: [nameColumn, col('Endpoints', doc.epSubsets), ageColumn],
  cells: (obj, now) => [obj.metadata?.name ?? '', formatEndpoints(obj.subsets), age(obj, now)],
};
