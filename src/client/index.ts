export { loadKubeconfig, type ClientConfig } from './config.js';
export {
  groupVersionResources,
  preferredResources,
  type DiscoveredResource,
  type GroupVersionResources,
} from './discovery.js';
export { EventRecorder, type EventType } from './events.js';
export {
  Informer,
  objectKey,
  splitKey,
  stripManagedFields,
  type EventHandler,
  type IndexFunc,
  type InformerOptions,
} from './informer.js';
export {
  InformerFactory,
  ScopedInformer,
  SharedInformerPool,
  type ObjectTransform,
} from './informer-factory.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from './rate-limiter.js';
export { apiVersionOf, R, resourcePath, type ResourceType } from './resources.js';
export {
  ApiClient,
  ResourceClient,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type PatchType,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from './rest.js';
export { errorFromResponse, Transport } from './transport.js';
export { runWorkers, type SyncResult } from './workers.js';
export { WorkQueue } from './workqueue.js';
export type { ClientObject } from './object.js';
export { replicaIdentity, stableReplicaIdentity } from './identity.js';
export { runLeaderElected, type LeaderRunOptions, type Stoppable } from './leader-run.js';
