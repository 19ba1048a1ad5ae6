import type { Server } from 'node:net';
import type { ApiServerConfig } from '../apiserver/config.js';
import type { ServiceAddresses } from '../apiserver/services/allocators.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/logger.js';

export interface RunningApiServer {
  port: number;
  /** What API worker processes need of the real server; stand-ins (tests) leave it out. */
  listener?: Server;
  context?: { admission: { services: ServiceAddresses } };
  /** Stop accepting, let in-flight requests finish, end watches. */
  close(): Promise<void>;
}

export type OpenStore = (endpoint: string, opts?: { logger?: Logger }) => Promise<Store>;
export type StartApiServer = (config: ApiServerConfig) => Promise<RunningApiServer>;

// Loaded on demand so `tugboat --help` stays fast.
export async function loadOpenStore(): Promise<OpenStore> {
  return (await import('../store/index.js')).openStore;
}

export async function loadStartApiServer(): Promise<StartApiServer> {
  return (await import('../apiserver/index.js')).startApiServer;
}
