export {
  LocalImageService,
  ImageNotFoundError,
  openNodeImageService,
  toImage,
  type LocalImageServiceOptions,
} from './image-service.js';
export { ImageStore, type ImageRecord, type LayerRecord } from './image-store.js';
export { importArchive, ArchiveError } from './import-archive.js';
export {
  collectImageGarbage,
  statfsUsage,
  type DiskUsage,
  type ImageGcPolicy,
  type ImageGcResult,
} from './gc.js';
export {
  normalizeReference,
  parseReference,
  formatReference,
  isImageId,
  InvalidReferenceError,
  type ImageReference,
} from './reference.js';
export { selectPullAuth, type SecretData } from './pull-secrets.js';
export {
  loadRegistriesConfig,
  parseRegistriesConfig,
  registryEndpoints,
  RegistriesConfigError,
  type RegistriesConfig,
} from './registries-config.js';
export { RegistryError } from './distribution-client.js';
export { DigestMismatchError } from './digest-stream.js';
export { pullDecision, type PullDecision, type PullPolicy } from './pull-policy.js';
