export { writeAtomic, validatePayloadPath, type FileProjection, type Payload } from './atomic-writer.js';
export { checkHostPathType } from './host-path.js';
export { makeMounts } from './mounts.js';
export type { ObjectSource } from './payloads.js';
export { VolumeManager, VolumeSetupError, type MountedVolume, type VolumeObjects } from './volume-manager.js';
