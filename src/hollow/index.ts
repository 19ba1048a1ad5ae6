export { HollowNodes, type HollowNodesOptions } from './hollow-nodes.js';
export { ANNOTATIONS as HOLLOW_ANNOTATIONS } from './pod-behaviour.js';
export { LOAD_CONFIGMAP } from './usage.js';
export { loopbackAddress } from './node-object.js';
