import { silentLogger, type Logger } from '../util/logger.js';
import type { Store } from './types.js';

export * from './types.js';
export { startCompactor, type Compactor, type CompactorOptions } from './compactor.js';
export { MemoryStore } from './memory/memory-store.js';

export interface OpenStoreOptions {
  logger?: Logger;
  /** How long to wait for etcd to answer at open. Default 10 s. */
  connectTimeoutMs?: number;
}

export type StoreEndpoint =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'etcd'; endpoints: string[]; keyPrefix: string };

const hostPort = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Parse a --datastore-endpoint value: memory://, sqlite://PATH, etcd://host:port[,host:port…][?prefix=P]. */
export function parseStoreEndpoint(endpoint: string): StoreEndpoint {
  const bad = (why: string): Error =>
    new Error(
      `invalid datastore endpoint ${JSON.stringify(endpoint)}: ${why} ` +
        '(expected memory://, sqlite://PATH or etcd://host:port[,host:port])',
    );
  const scheme = /^([a-z0-9]+):\/\/(.*)$/.exec(endpoint);
  if (!scheme) throw bad('missing scheme');
  const rest = scheme[2]!;
  switch (scheme[1]) {
    case 'memory':
      if (rest !== '') throw bad('memory:// takes no path');
      return { kind: 'memory' };
    case 'sqlite': {
      const path = rest.split('?')[0]!;
      if (path === '') throw bad('missing database path');
      return { kind: 'sqlite', path };
    }
    case 'etcd': {
      const [hosts = '', query = ''] = rest.split('?', 2);
      const endpoints = hosts.split(',').map((h) => h.trim());
      for (const h of endpoints) {
        const m = hostPort.exec(h);
        const port = Number(m?.[1]);
        if (!m || port < 1 || port > 65535) throw bad(`${JSON.stringify(h)} is not host:port`);
      }
      return { kind: 'etcd', endpoints, keyPrefix: new URLSearchParams(query).get('prefix') ?? '' };
    }
    default:
      throw bad(`unknown scheme ${JSON.stringify(scheme[1])}`);
  }
}

/** Open the store behind a --datastore-endpoint value. */
export async function openStore(endpoint: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreEndpoint(endpoint);
  const logger = opts.logger ?? silentLogger;
  switch (parsed.kind) {
    case 'memory':
      return new (await import('./memory/memory-store.js')).MemoryStore({ logger });
    case 'sqlite':
      // Backends load on demand: the etcd client pulls in gRPC, which costs startup time.
      return (await import('./sqlite/sqlite-store.js')).SqliteStore.open(parsed.path, { logger });
    case 'etcd': {
      const { EtcdStore } = await import('./etcd/etcd-store.js');
      const store = new EtcdStore({ endpoints: parsed.endpoints, keyPrefix: parsed.keyPrefix, logger });
      try {
        await withTimeout(store.currentRevision(), opts.connectTimeoutMs ?? 10_000);
      } catch (err) {
        await store.close();
        throw new Error(`cannot reach etcd at ${parsed.endpoints.join(',')}: ${String(err)}`);
      }
      return store;
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
