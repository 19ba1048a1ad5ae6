export type * from './types.js';
export type { ImageLayerSource, ImageService, RuntimeService, RuntimeStatus } from './services.js';
