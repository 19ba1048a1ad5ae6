import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitSchemeNamePort } from './resource-proxy.js';

test('proxy names are name, name:port or scheme:name:port, as upstream splits them', () => {
  assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
  assert.deepEqual(splitSchemeNamePort('web:http'), { scheme: '', name: 'web', port: 'http' });
  assert.deepEqual(splitSchemeNamePort('https:web:8443'), { scheme: 'https', name: 'web', port: '8443' });
  assert.deepEqual(splitSchemeNamePort('https:web'), { scheme: '', name: 'https', port: 'web' });
  assert.throws(() => splitSchemeNamePort('ftp:web:21'), /invalid proxy name "ftp:web:21"/);
  assert.throws(() => splitSchemeNamePort('a:b:c:d'), /invalid proxy name/);
});
