import type { KubeObject } from '../../../api/meta.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { age, ageColumn, arr, col, nameColumn, rec, str } from './format.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` keys and the legacy `kubernetes.io/role=<role>` label. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

export function nodeStatus(node: KubeObject): string {
  const status: string[] = [];
  const ready = arr(rec(node.status).conditions).find((c) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (rec(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: KubeObject, type: string): string {
  const found = arr(rec(node.status).addresses).find((a) => a.type === type);
  return found ? str(found.address) : '<none>';
}

export const nodeTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    ageColumn,
    col('Version', doc.kubeletVersion),
    col('Internal-IP', doc.nodeAddresses, 1),
    col('External-IP', doc.nodeAddresses, 1),
    col('OS-Image', doc.osImage, 1),
    col('Kernel-Version', doc.kernelVersion, 1),
    col('Container-Runtime', doc.containerRuntimeVersion, 1),
  ],
  cells(node, now) {
    const info = rec(rec(node.status).nodeInfo);
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node).join(',') || '<none>',
      age(node, now),
      str(info.kubeletVersion),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};
