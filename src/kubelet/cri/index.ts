export type * from './types.js';
export type { ImageLayerSource, ImageService, RuntimeService } from './services.js';
