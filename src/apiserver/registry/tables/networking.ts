import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import {
  age,
  ageColumn,
  arr,
  col,
  formatLabelSelector,
  listWithMore,
  loadBalancerStatus,
  nameColumn,
  rec,
  str,
} from './format.js';

function formatHosts(rules: unknown): string {
  const all = arr(rules);
  const hosts = all.slice(0, 3).flatMap((r) => (str(r.host) ? [str(r.host)] : []));
  if (all.length > 3) return `${hosts.join(',')} + ${all.length - 3} more...`;
  return hosts.length === 0 ? '*' : hosts.join(',');
}

export const ingressTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells(ing, now) {
    const spec = rec(ing.spec);
    return [
      ing.metadata?.name ?? '',
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      formatHosts(spec.rules),
      loadBalancerStatus(rec(ing.status).loadBalancer, true),
      arr(spec.tls).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

export const ingressClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells(ic, now) {
    const spec = rec(ic.spec);
    let parameters = '<none>';
    if (spec.parameters) {
      const p = rec(spec.parameters);
      parameters = str(p.kind) + (typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : '') + `/${str(p.name)}`;
    }
    return [ic.metadata?.name ?? '', str(spec.controller), parameters, age(ic, now)];
  },
};

export const networkPolicyTable: TableConvertor = {
  columns: [nameColumn, col('Pod-Selector', doc.npPodSelector), ageColumn],
  cells: (np, now) => [np.metadata?.name ?? '', formatLabelSelector(rec(np.spec).podSelector), age(np, now)],
};

export const endpointSliceTable: TableConvertor = {
  columns: [
    nameColumn,
    col('AddressType', doc.esAddressType),
    col('Ports', doc.esPorts),
    col('Endpoints', doc.esEndpoints),
    ageColumn,
  ],
  cells(es, now) {
    const ports = arr(es.ports).map((p) =>
      typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*',
    );
    const addresses = arr(es.endpoints).flatMap((e) =>
      Array.isArray(e.addresses) ? (e.addresses as unknown[]).map(String) : [],
    );
    return [
      es.metadata?.name ?? '',
      str(es.addressType),
      listWithMore(ports, ports.length, 3, '<unset>'),
      listWithMore(addresses, addresses.length, 3, '<unset>'),
      age(es, now),
    ];
  },
};
