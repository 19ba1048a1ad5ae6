import type { ApiServerConfig } from './config.js';
import { createDefaultExtensions } from './default-extensions.js';
import { startApiServerWith, type RunningApiServer } from './server.js';

export type { ApiServerConfig, Authenticator, UserInfo, TlsMaterial } from './config.js';
export type { RunningApiServer } from './server.js';

/** Starts the API server with every built-in kind and request feature. */
export async function startApiServer(config: ApiServerConfig): Promise<RunningApiServer> {
  return startApiServerWith(config, {
    extensions: createDefaultExtensions(),
    registryParts: {},
  });
}
