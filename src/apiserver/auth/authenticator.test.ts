import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import { Socket, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasReason, isApiError } from '../../api/errors.js';
import { createAuthenticator, type SyncAuthenticator } from './authenticator.js';
import { ensurePki, issueClientCert, type Pki } from './pki.js';
import { ensureTokenFile, parseTokenFile } from './tokenfile.js';

function fakeRequest(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = { ...headers };
  return req;
}

function authError(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    return hasReason(err, 'Unauthorized');
  }
}

void describe('token authentication', () => {
  let dir: string;
  let tokenFile: string;
  let auth: SyncAuthenticator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-auth-'));
    tokenFile = join(dir, 'tokens.csv');
    await writeFile(
      tokenFile,
      'secret1,alice,uid-1,"dev,ops"\n\nsecret2,bob,uid-2\n,ignored,uid-3\nsecret1x,carol,,system:authenticated\n',
    );
    auth = createAuthenticator({ tokenFile });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void test('a known token yields its user, groups plus system:authenticated', () => {
    const req = fakeRequest({ authorization: 'Bearer secret1' });
    assert.deepEqual(auth.authenticate(req), {
      username: 'alice',
      uid: 'uid-1',
      groups: ['dev', 'ops', 'system:authenticated'],
    });
    assert.equal(req.headers.authorization, undefined, 'credential removed after use');
    assert.deepEqual(auth.authenticate(fakeRequest({ authorization: 'bearer secret2' })), {
      username: 'bob',
      uid: 'uid-2',
      groups: ['system:authenticated'],
    });
    assert.deepEqual(auth.authenticate(fakeRequest({ authorization: 'Bearer secret1x' })), {
      username: 'carol',
      groups: ['system:authenticated'],
    });
  });

  void test('a wrong token is 401 Unauthorized', () => {
    for (const value of ['Bearer wrong', 'Bearer secret', 'Bearer secret11', 'Bearer SECRET1']) {
      assert.ok(
        authError(() => auth.authenticate(fakeRequest({ authorization: value }))),
        value,
      );
    }
    try {
      auth.authenticate(fakeRequest({ authorization: 'Bearer nope' }));
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(isApiError(err));
      assert.equal(err.code, 401);
    }
  });

  void test('requests on one connection are judged by the token each one sends', () => {
    const socket = new Socket();
    const onSocket = (authorization: string): IncomingMessage => {
      const req = new IncomingMessage(socket);
      req.headers = { authorization };
      return req;
    };
    assert.equal(auth.authenticate(onSocket('Bearer secret1'))?.username, 'alice');
    const again = auth.authenticate(onSocket('Bearer secret1'));
    assert.equal(again?.username, 'alice', 'the same token again');
    again?.groups.push('mutated');
    assert.deepEqual(auth.authenticate(onSocket('Bearer secret1'))?.groups, [
      'dev',
      'ops',
      'system:authenticated',
    ]);
    assert.equal(auth.authenticate(onSocket('Bearer secret2'))?.username, 'bob', 'another token');
    assert.ok(
      authError(() => auth.authenticate(onSocket('Bearer secret1-not'))),
      'a wrong one after good ones',
    );
    assert.equal(auth.authenticate(onSocket('Bearer secret1'))?.username, 'alice');
  });

  void test('no credentials, other schemes and empty tokens are anonymous', () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: '' },
      { authorization: 'Basic YWxpY2U6cHc=' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer  secret1' },
    ]) {
      assert.equal(auth.authenticate(fakeRequest(headers)), undefined, JSON.stringify(headers));
    }
  });

  void test('ensureTokenFile creates one admin token once, mode 0600', async () => {
    const path = join(dir, 'server', 'token');
    await ensureTokenFile(path);
    const text = await readFile(path, 'utf8');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const [entry, ...rest] = parseTokenFile(text);
    assert.equal(rest.length, 0);
    assert.ok(entry);
    assert.match(entry.token, /^[0-9a-f]{64}$/);
    assert.equal(entry.username, 'admin');
    assert.deepEqual(entry.groups, ['system:masters']);
    await ensureTokenFile(path);
    assert.equal(await readFile(path, 'utf8'), text, 'kept on the second start');
    const user = createAuthenticator({ tokenFile: path }).authenticate(
      fakeRequest({ authorization: `Bearer ${entry.token}` }),
    );
    assert.deepEqual(user?.groups, ['system:masters', 'system:authenticated']);
  });
});

void test('parseTokenFile follows the CSV rules of upstream token files', () => {
  assert.deepEqual(parseTokenFile('t,u,id,"a,""b"""\r\nt2,u2,id2,g\n'), [
    { token: 't', username: 'u', uid: 'id', groups: ['a', '"b"'] },
    { token: 't2', username: 'u2', uid: 'id2', groups: ['g'] },
  ]);
  assert.throws(() => parseTokenFile('t,u\n'), /must have at least 3 columns/);
  assert.throws(() => parseTokenFile('t,u,"x\n'), /missing "/);
  assert.throws(() => parseTokenFile('t,u,x"y\n'), /bare "/);
});

void describe('client certificate authentication over TLS', () => {
  let dir: string;
  let otherDir: string;
  let pki: Pki;
  let other: Pki;
  let server: Server;
  let port: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tugboat-auth-'));
    otherDir = await mkdtemp(join(tmpdir(), 'tugboat-auth-'));
    pki = await ensurePki(dir, { hosts: [], ips: [] });
    other = await ensurePki(otherDir, { hosts: [], ips: [] });
    const auth = createAuthenticator({
      tokens: [{ token: 'tok', username: 'tokenuser', uid: '', groups: [] }],
    });
    server = createServer(
      {
        cert: pki.servingCert,
        key: pki.servingKey,
        ca: pki.caCert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        try {
          const user = auth.authenticate(req);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ user: user ?? null }));
        } catch (err) {
          const code = isApiError(err) ? err.code : 500;
          res.writeHead(code).end();
        }
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });

  async function call(
    client: { cert?: string; key?: string },
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: pki.caCert,
          servername: 'localhost',
          agent: false,
          headers,
          ...client,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  void test('a certificate from the cluster CA yields CN and O groups', async () => {
    const res = await call({ cert: pki.adminCert, key: pki.adminKey });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), {
      user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
    });
  });

  void test('a freshly issued client certificate works too', async () => {
    const issued = await issueClientCert({ certPem: pki.caCert, keyPem: pki.caKey }, 'jane', ['a', 'b'], 1);
    const res = await call({ cert: issued.certPem, key: issued.keyPem });
    assert.deepEqual(JSON.parse(res.body), {
      user: { username: 'jane', groups: ['a', 'b', 'system:authenticated'] },
    });
  });

  void test('a certificate from another CA is 401', async () => {
    const res = await call({ cert: other.adminCert, key: other.adminKey });
    assert.equal(res.status, 401);
  });

  void test('a certificate of the cluster CA without client-auth usage is 401', async () => {
    const res = await call({ cert: pki.servingCert, key: pki.servingKey });
    assert.equal(res.status, 401);
  });

  void test('a valid token still wins over a foreign certificate', async () => {
    const res = await call({ cert: other.adminCert, key: other.adminKey }, { authorization: 'Bearer tok' });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { user: { username: string } }).user.username, 'tokenuser');
  });

  void test('no certificate and no token is anonymous', async () => {
    const res = await call({});
    assert.deepEqual(JSON.parse(res.body), { user: null });
  });
});
