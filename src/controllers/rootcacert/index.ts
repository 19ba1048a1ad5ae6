import type { ControllerFactory } from '../context.js';
import { RootCaCertPublisher } from './root-ca-cert-publisher.js';

export { ROOT_CA_CONFIGMAP, RootCaCertPublisher } from './root-ca-cert-publisher.js';

export const rootCaCertPublisherController: ControllerFactory = (ctx) => new RootCaCertPublisher(ctx);
