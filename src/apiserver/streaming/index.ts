export { servePodLog } from './pod-log.js';
export { createUpgradeHandler } from './pod-stream.js';
export { type KubeletClientTls } from './pod-target.js';
