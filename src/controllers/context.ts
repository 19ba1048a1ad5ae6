import type { ApiClient, EventRecorder, InformerFactory } from '../client/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** Everything a controller gets: one API client, the shared informers, a clock, a logger, event recorders. */
export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  clock: Clock;
  logger: Logger;
  /** An event recorder whose events name `component` as their source (e.g. `replicaset-controller`). */
  events(component: string): EventRecorder;
  options: ControllerOptions;
}

/** Tunables of the controllers; every one has an upstream-like default (see docs/operations.md). */
export interface ControllerOptions {
  /** Workers per controller (upstream's --concurrent-*-syncs: 5). */
  workers?: number;
  [option: string]: unknown;
}

export interface Controller {
  readonly name: string;
  /** Start workers. The informers the controller asked for in its constructor have synced. */
  run(): void;
  /** Stop taking work and wait for the keys in flight. */
  stop(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;
