import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import {
  age,
  ageColumn,
  col,
  containerCells,
  containersColumn,
  formatLabels,
  formatLabelSelector,
  imagesColumn,
  nameColumn,
  num,
  rec,
  selectorString,
} from './format.js';

export const deploymentTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', doc.depUpdated),
    col('Available', doc.depAvailable),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.depSelector, 1),
  ],
  cells(obj, now) {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [
      obj.metadata?.name ?? '',
      `${num(status.readyReplicas)}/${num(spec.replicas)}`,
      num(status.updatedReplicas),
      num(status.availableReplicas),
      age(obj, now),
      names,
      images,
      selectorString(spec.selector),
    ];
  },
};

export const replicaSetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Desired', doc.rsSpecReplicas, 0, 'integer'),
    col('Current', doc.rsStatusReplicas, 0, 'integer'),
    col('Ready', doc.rsReadyReplicas, 0, 'integer'),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.rsSelector, 1),
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
      formatLabelSelector(spec.selector),
    ];
  },
};

export const statefulSetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'Number of the pod with ready state'),
    ageColumn,
    containersColumn,
    imagesColumn,
  ],
  cells(obj, now) {
    const spec = rec(obj.spec);
    const [names, images] = containerCells(rec(spec.template).spec);
    return [
      obj.metadata?.name ?? '',
      `${num(rec(obj.status).readyReplicas)}/${num(spec.replicas)}`,
      age(obj, now),
      names,
      images,
    ];
  },
};

export const daemonSetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Desired', doc.dsDesired, 0, 'integer'),
    col('Current', doc.dsCurrent, 0, 'integer'),
    col('Ready', doc.dsReady, 0, 'integer'),
    col('Up-to-date', doc.dsUpdated, 0, 'integer'),
    col('Available', doc.dsAvailable, 0, 'integer'),
    col('Node Selector', doc.nodeSelector),
    ageColumn,
    containersColumn,
    imagesColumn,
    col('Selector', doc.dsSelector, 1),
  ],
  cells(obj, now) {
    const spec = rec(obj.spec);
    const status = rec(obj.status);
    const podSpec = rec(rec(spec.template).spec);
    const [names, images] = containerCells(podSpec);
    return [
      obj.metadata?.name ?? '',
      num(status.desiredNumberScheduled),
      num(status.currentNumberScheduled),
      num(status.numberReady),
      num(status.updatedNumberScheduled),
      num(status.numberAvailable),
      formatLabels(podSpec.nodeSelector),
      age(obj, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const controllerRevisionTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Controller', 'Controller of the object'),
    col('Revision', doc.crRevision),
    ageColumn,
  ],
  cells(obj, now) {
    const owner = (obj.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
    let controller = '<none>';
    if (owner) {
      const slash = owner.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : owner.apiVersion.slice(0, slash);
      const groupKind = group ? `${owner.kind}.${group}` : owner.kind;
      controller = `${groupKind.toLowerCase()}/${owner.name}`;
    }
    return [obj.metadata?.name ?? '', controller, num(obj.revision), age(obj, now)];
  },
};
