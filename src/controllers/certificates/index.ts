import type { ControllerFactory } from '../context.js';
import { CsrCleanerController } from './cleaner-controller.js';
import { CsrSigningController } from './signing-controller.js';

export { CertificateAuthority, certificateLifetimeMs, certificateValidity } from './authority.js';
export { cleanupReason, DEFAULT_CSR_RETENTION, type CsrRetention } from './cleanup.js';
export { CsrCleanerController } from './cleaner-controller.js';
export { CsrSigningController, type ClusterSigningOptions } from './signing-controller.js';

export const csrSigningController: ControllerFactory = (ctx) => new CsrSigningController(ctx);
export const csrCleanerController: ControllerFactory = (ctx) => new CsrCleanerController(ctx);
