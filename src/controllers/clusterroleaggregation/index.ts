import type { ControllerFactory } from '../context.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation-controller.js';

export {
  CLUSTERROLE_AGGREGATION,
  ClusterRoleAggregationController,
} from './clusterrole-aggregation-controller.js';

export const clusterRoleAggregationController: ControllerFactory = (ctx) =>
  new ClusterRoleAggregationController(ctx);
