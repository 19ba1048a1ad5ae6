import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellQuote, ttyArgv } from './tty.js';

test('shell quoting keeps plain words and quotes the rest', () => {
  assert.equal(shellQuote('/usr/sbin/runc'), '/usr/sbin/runc');
  assert.equal(shellQuote('a b'), `'a b'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote(''), `''`);
});

test('ttyArgv sets the size (and raw mode for a relay) before exec', () => {
  const argv = ttyArgv(['runc', 'exec', '-t', 'id', 'sh', '-c', 'echo $HOME'], true, {
    width: 100,
    height: 30,
  });
  assert.equal(argv[0], 'script');
  assert.equal(
    argv.at(-2),
    `stty cols 100 rows 30 raw -echo 2>/dev/null; exec runc exec -t id sh -c 'echo $HOME'`,
  );
  assert.ok(!ttyArgv(['sh'], false).join(' ').includes('raw'));
});
