export { main, type CliIo } from './main.js';
export type { ServerOptions } from './server-options.js';
export type { ServerDeps } from './server.js';
export type { OpenStore, RunningApiServer, StartApiServer } from './components.js';
