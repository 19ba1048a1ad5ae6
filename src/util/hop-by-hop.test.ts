import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endToEndHeaders } from './hop-by-hop.js';

test('hop-by-hop headers, those Connection names and those held back do not pass', () => {
  const out = endToEndHeaders(
    {
      host: 'a',
      connection: 'keep-alive, X-Secret',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      upgrade: 'websocket',
      'x-secret': '1',
      authorization: 'Bearer t',
      'set-cookie': ['a=1', 'b=2'],
      accept: 'text/html',
    },
    (name) => name === 'authorization',
  );
  assert.deepEqual(out, { host: 'a', 'set-cookie': ['a=1', 'b=2'], accept: 'text/html' });
});
