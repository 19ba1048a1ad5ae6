import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import {
  age,
  ageColumn,
  arr,
  col,
  containerCells,
  containersColumn,
  createdAtColumn,
  formatLabels,
  imagesColumn,
  nameColumn,
  num,
  quantity,
  rec,
  str,
} from './format.js';

export const podTemplateTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Containers', 'Names of each container in the template.'),
    col('Images', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'The labels for the pod template.'),
  ],
  cells(obj) {
    const template = rec(obj.template);
    const [names, images] = containerCells(template.spec);
    return [obj.metadata?.name ?? '', names, images, formatLabels(rec(template.metadata).labels)];
  },
};

export const namespaceTable: TableConvertor = {
  columns: [nameColumn, col('Status', 'The status of the namespace'), ageColumn],
  cells: (obj, now) => [obj.metadata?.name ?? '', str(rec(obj.status).phase), age(obj, now)],
};

export const configMapTable: TableConvertor = {
  columns: [nameColumn, col('Data', doc.cmData), ageColumn],
  cells: (obj, now) => [
    obj.metadata?.name ?? '',
    Object.keys(rec(obj.data)).length + Object.keys(rec(obj.binaryData)).length,
    age(obj, now),
  ],
};

export const secretTable: TableConvertor = {
  columns: [nameColumn, col('Type', doc.secretType), col('Data', doc.secretData), ageColumn],
  cells: (obj, now) => [
    obj.metadata?.name ?? '',
    str(obj.type),
    Object.keys(rec(obj.data)).length,
    age(obj, now),
  ],
};

export const serviceAccountTable: TableConvertor = {
  columns: [nameColumn, col('Secrets', doc.saSecrets), ageColumn],
  cells: (obj, now) => [obj.metadata?.name ?? '', arr(obj.secrets).length, age(obj, now)],
};

export const limitRangeTable: TableConvertor = {
  columns: [nameColumn, createdAtColumn],
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? null],
};

/** Resource names sort as upstream's SortableResourceNames: plain string order. */
export const resourceQuotaTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col(
      'Limit',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    ageColumn,
  ],
  cells(obj, now) {
    const status = rec(obj.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      target.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
    }
    return [obj.metadata?.name ?? '', requests.join(', '), limits.join(', '), age(obj, now)];
  },
};

export const replicationControllerTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Desired', doc.rcSpecReplicas, 0, 'integer'),
    col('Current', doc.rcStatusReplicas, 0, 'integer'),
    col('Ready', doc.rcReadyReplicas, 0, 'integer'),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.rcSelector, 1),
  ],
  cells(obj, now) {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [
      obj.metadata?.name ?? '',
      num(spec.replicas),
      num(status.replicas),
      num(status.readyReplicas),
      age(obj, now),
      names,
      images,
      formatLabels(spec.selector),
    ];
  },
};
