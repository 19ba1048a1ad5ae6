import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isApiError } from '../api/errors.js';
import type { ApiServerConfig } from '../apiserver/config.js';
import { parseTokenFile } from '../apiserver/auth/tokenfile.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import type { Store } from '../store/types.js';
import { silentLogger } from '../util/logger.js';
import { parseFlags, type CliIo } from './command.js';
import type { RunningApiServer } from './components.js';
import { runServer } from './server.js';
import { resolveServerOptions, serverFlags, type ServerOptions } from './server-options.js';

const io: CliIo = { stdout: () => {}, stderr: () => {}, env: {}, uid: 1000, home: '/nonexistent', cwd: '/' };

function options(dataDir: string, extra: string[] = []): ServerOptions {
  return resolveServerOptions(
    parseFlags('server', serverFlags, [
      '--data-dir',
      dataDir,
      '--https-listen-port',
      '0',
      '--disable-agent',
      ...extra,
    ]),
    io,
  );
}

/** The datastore the tests' server starts share (the bootstrap data is kept there across restarts). */
const data = new MemoryStore();

/** Records what happens to it; stands in for the real store (only the bootstrap data reaches the data). */
function fakeStore(events: string[]): Store {
  return {
    get: (key: string) => data.get(key),
    create: (key: string, value: Buffer) => data.create(key, value),
    update: (key: string, value: Buffer, rev: number) => data.update(key, value, rev),
    close: () => Promise.resolve(void events.push('store closed')),
  } as unknown as Store;
}

/** Serves every request with the authenticated user, over TLS as the real API server would, on loopback. */
async function fakeApiServer(config: ApiServerConfig, events: string[]): Promise<RunningApiServer> {
  assert.ok(config.tls);
  const server = createServer(
    {
      cert: config.tls.cert,
      key: config.tls.key,
      ca: config.tls.clientCA,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      try {
        res.end(JSON.stringify(config.authenticator.authenticate(req) ?? null));
      } catch (err) {
        res.writeHead(isApiError(err) ? err.code : 500).end();
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(config.port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      events.push('api closed');
    },
  };
}

function get(
  url: string,
  tls: { ca: string; cert?: string; key?: string },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('runServer', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tugboat-server-'));
  });
  after(async () => {
    await data.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  void test('starts, writes a working admin kubeconfig, and shuts down in order', async () => {
    const events: string[] = [];
    let stop: () => void = () => {};
    const shutdown = new Promise<void>((resolve) => (stop = resolve));
    let seen: ApiServerConfig | undefined;
    let endpoint = '';
    const ready = new Promise<{ port: number; server: string; kubeconfig: string }>((resolveReady) => {
      const exit = runServer(options(dataDir), {
        logger: silentLogger,
        shutdown,
        openStore: (ep) => {
          endpoint = ep;
          return Promise.resolve(fakeStore(events));
        },
        startApiServer: (config) => {
          seen = config;
          return fakeApiServer(config, events);
        },
        onReady: resolveReady,
      });
      void exit.then((code) => events.push(`exit ${code}`));
    });
    const info = await ready;

    assert.equal(endpoint, `sqlite://${join(dataDir, 'db', 'state.db')}`);
    assert.ok((await stat(join(dataDir, 'db'))).isDirectory());
    assert.ok(seen);
    assert.equal(seen.bindAddress, '0.0.0.0');
    assert.equal(seen.port, 0);
    assert.equal(seen.serviceCIDR, '10.43.0.0/16');
    assert.ok(seen.advertiseAddress);
    const san = new X509Certificate(seen.tls?.cert ?? '').subjectAltName ?? '';
    assert.ok(san.includes('IP Address:10.43.0.1'), san);
    assert.ok(san.includes(`DNS:${hostname().toLowerCase()}`), san);
    assert.ok(san.includes('DNS:kubernetes.default.svc'), san);

    // A 0.0.0.0 bind is reached through loopback.
    assert.equal(info.server, `https://127.0.0.1:${info.port}`);
    assert.equal(info.kubeconfig, join(dataDir, 'kubeconfig.yaml'));
    assert.equal((await stat(info.kubeconfig)).mode & 0o777, 0o600);
    const kc = parse(await readFile(info.kubeconfig, 'utf8')) as Record<string, any>;
    const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');
    const tls = {
      ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
      cert: b64(kc.users[0].user['client-certificate-data']),
      key: b64(kc.users[0].user['client-key-data']),
    };
    const byCert = await get(kc.clusters[0].cluster.server, tls);
    assert.deepEqual(JSON.parse(byCert.body), {
      username: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    });

    const [admin] = parseTokenFile(await readFile(join(dataDir, 'server', 'token'), 'utf8'));
    assert.ok(admin);
    const byToken = await get(info.server, { ca: tls.ca }, { authorization: `Bearer ${admin.token}` });
    assert.equal((JSON.parse(byToken.body) as { username: string }).username, 'admin');
    assert.equal((await get(info.server, { ca: tls.ca }, { authorization: 'Bearer nope' })).status, 401);

    stop();
    const { setImmediate: tick } = await import('node:timers/promises');
    while (!events.some((e) => e.startsWith('exit'))) await tick();
    assert.deepEqual(events, ['api closed', 'store closed', 'exit 0']);
  });

  void test('a second start reuses the certificates and token', async () => {
    const before = await readFile(join(dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8');
    const token = await readFile(join(dataDir, 'server', 'token'), 'utf8');
    const events: string[] = [];
    const code = await runServer(options(dataDir), {
      logger: silentLogger,
      shutdown: Promise.resolve(),
      openStore: () => Promise.resolve(fakeStore(events)),
      startApiServer: (config) => fakeApiServer(config, events),
    });
    assert.equal(code, 0);
    assert.equal(await readFile(join(dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8'), before);
    assert.equal(await readFile(join(dataDir, 'server', 'token'), 'utf8'), token);
  });

  void test('a failing API server start closes the store and exits 1', async () => {
    const events: string[] = [];
    const code = await runServer(options(dataDir, ['-o', join(dataDir, 'never.yaml')]), {
      logger: silentLogger,
      shutdown: new Promise(() => {}),
      openStore: () => Promise.resolve(fakeStore(events)),
      startApiServer: () => Promise.reject(new Error('listen EADDRINUSE')),
    });
    assert.equal(code, 1);
    assert.deepEqual(events, ['store closed']);
    await assert.rejects(stat(join(dataDir, 'never.yaml')), { code: 'ENOENT' });
  });

  void test('a failing store exits 1 without starting the API server', async () => {
    let started = false;
    const code = await runServer(options(dataDir), {
      logger: silentLogger,
      shutdown: new Promise(() => {}),
      openStore: () => Promise.reject(new Error('database is locked')),
      startApiServer: (config) => {
        started = true;
        return fakeApiServer(config, []);
      },
    });
    assert.equal(code, 1);
    assert.equal(started, false);
  });
});
