import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import { R, type ResourceType } from '../../client/index.js';
import { labelSelectorFromObject, nothing, selectorFromSet, type LabelSelector } from '../../api/labels.js';

/** The fields ReplicaSet and ReplicationController share; the controller works on this shape. */
export type ReplicaOwner = ReplicaSet | ReplicationController;

export interface ReplicaKind {
  /** Controller name as in kube-controller-manager's --controllers. */
  name: string;
  /** Event source component. */
  component: string;
  resource: ResourceType;
  apiVersion: string;
  kind: string;
  selector(owner: ReplicaOwner): LabelSelector;
  template(owner: ReplicaOwner): PodTemplateSpec | undefined;
}

export const replicaSetKind: ReplicaKind = {
  name: 'replicaset',
  component: 'replicaset-controller',
  resource: R.replicaSets,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  selector: (o) => labelSelectorFromObject((o as ReplicaSet).spec?.selector),
  template: (o) => (o as ReplicaSet).spec?.template,
};

export const replicationControllerKind: ReplicaKind = {
  name: 'replicationcontroller',
  component: 'replication-controller',
  resource: R.replicationControllers,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  selector: (o) => {
    const sel = (o as ReplicationController).spec?.selector;
    return sel && Object.keys(sel).length > 0 ? selectorFromSet(sel) : nothing;
  },
  template: (o) => (o as ReplicationController).spec?.template,
};
