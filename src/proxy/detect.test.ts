import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandRunner } from './command-runner.js';
import { serviceProxyUnavailable } from './detect.js';

const runner = (missing: string[] = [], failing: string[] = []): CommandRunner => ({
  run: (argv) => {
    if (missing.includes(argv[0] ?? '')) {
      return Promise.reject(Object.assign(new Error(`spawn ${argv[0]} ENOENT`), { code: 'ENOENT' }));
    }
    const code = failing.includes(argv[0] ?? '') ? 1 : 0;
    return Promise.resolve({ code, stdout: '', stderr: code ? 'no table' : '' });
  },
});

void test('the proxy needs root, iptables and sysctl', async () => {
  assert.equal(await serviceProxyUnavailable(runner(), 0), undefined);
  assert.equal(await serviceProxyUnavailable(runner(), 1000), 'needs root to write iptables rules');
  assert.equal(
    await serviceProxyUnavailable(runner(['iptables-restore']), 0),
    'iptables-restore not found (apt-get install iptables)',
  );
  assert.equal(
    await serviceProxyUnavailable(runner(['sysctl']), 0),
    'sysctl not found (apt-get install procps)',
  );
  assert.equal(
    await serviceProxyUnavailable(runner([], ['iptables']), 0),
    'iptables --version failed: no table',
  );
});
