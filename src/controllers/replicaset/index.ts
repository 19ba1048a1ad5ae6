import type { ControllerFactory } from '../context.js';
import { ReplicaSetController } from './controller.js';
import { replicaSetKind, replicationControllerKind } from './kind.js';

export { ReplicaSetController } from './controller.js';
export { comparePodsForDeletion, podsToDelete } from './pods-to-delete.js';

export const replicaSetControllerFactory: ControllerFactory = (ctx) =>
  new ReplicaSetController(ctx, replicaSetKind);

export const replicationControllerFactory: ControllerFactory = (ctx) =>
  new ReplicaSetController(ctx, replicationControllerKind);
