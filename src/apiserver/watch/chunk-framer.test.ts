import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkFramer } from './chunk-framer.js';

test('a chunk is the byte length in hex, CRLF, the lines, CRLF', () => {
  const framer = new ChunkFramer();
  // 'é' is two bytes in UTF-8: the size counts bytes, not characters.
  const chunk = framer.frame(['{"a":"é"}\n', '{"b":1}\n']);
  const body = '{"a":"é"}\n{"b":1}\n';
  assert.equal(Buffer.byteLength(body), 19);
  assert.equal(chunk.toString('utf8'), `13\r\n${body}\r\n`);
});

test('the same line strings get the same chunk; other lines get a new one', () => {
  const framer = new ChunkFramer();
  const a = '{"type":"ADDED"}\n';
  const b = '{"type":"MODIFIED"}\n';
  const first = framer.frame([a, b]);
  const lines = [a, b];
  assert.equal(framer.frame(lines), first);
  lines.pop(); // the framer keeps its own copy of the list
  assert.notEqual(framer.frame(lines), first);
  assert.equal(framer.frame(lines).toString(), `11\r\n${a}\r\n`);
  const other = framer.frame([b, a]);
  assert.notEqual(other, first);
  assert.equal(other.toString(), `25\r\n${b}${a}\r\n`);
});
