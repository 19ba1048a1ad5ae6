import type { ApiServerConfig } from '../apiserver/config.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/logger.js';

export interface RunningApiServer {
  port: number;
  /** Stop accepting, let in-flight requests finish, end watches. */
  close(): Promise<void>;
}

export type OpenStore = (endpoint: string, opts?: { logger?: Logger }) => Promise<Store>;
export type StartApiServer = (config: ApiServerConfig) => Promise<RunningApiServer>;

// The store and API server entry points are loaded by name at run time, so the command line builds and its
// tests run on their own; the shapes above are the contract with those modules.
const STORE_MODULE = '../store/index.js';
const APISERVER_MODULE = '../apiserver/index.js';

export async function loadOpenStore(): Promise<OpenStore> {
  const mod = (await import(STORE_MODULE)) as { openStore?: unknown };
  if (typeof mod.openStore !== 'function') throw new Error(`${STORE_MODULE} does not export openStore()`);
  return mod.openStore as OpenStore;
}

export async function loadStartApiServer(): Promise<StartApiServer> {
  const mod = (await import(APISERVER_MODULE)) as { startApiServer?: unknown };
  if (typeof mod.startApiServer !== 'function') {
    throw new Error(`${APISERVER_MODULE} does not export startApiServer()`);
  }
  return mod.startApiServer as StartApiServer;
}
