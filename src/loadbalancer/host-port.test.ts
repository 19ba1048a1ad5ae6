import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverAddresses } from './cluster-servers.js';
import { formatHostPort, parseHostPort } from './host-port.js';

test('host:port addresses parse and format, IPv6 in brackets', () => {
  assert.deepEqual(parseHostPort('10.0.0.1:6443'), { host: '10.0.0.1', port: 6443 });
  assert.deepEqual(parseHostPort('Server.Example:443'), { host: 'server.example', port: 443 });
  assert.deepEqual(parseHostPort('[fd00::1]:6443'), { host: 'fd00::1', port: 6443 });
  assert.equal(formatHostPort({ host: 'fd00::1', port: 6443 }), '[fd00::1]:6443');
  for (const bad of ['10.0.0.1', 'fd00::1:6443', 'host:0', 'host:65536', 'https://host:1', ':443', 'a b:1']) {
    assert.throws(() => parseHostPort(bad), /not a host:port address/, bad);
  }
});

test("the servers' addresses come from the kubernetes Endpoints' https port", () => {
  assert.deepEqual(
    serverAddresses({
      subsets: [
        {
          addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }],
          ports: [
            { name: 'other', port: 1 },
            { name: 'https', port: 6443 },
          ],
        },
        { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 443 }] },
        { addresses: [{ ip: '10.0.0.9' }] },
      ],
    }),
    ['10.0.0.1:6443', '10.0.0.2:6443', '[fd00::1]:443'],
  );
  assert.deepEqual(serverAddresses({}), []);
});
