import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedLineDecoder } from './watch-stream.js';

function chunked(parts: string[]): Buffer {
  return Buffer.from(
    parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n',
  );
}

test('lines come out whole however chunks and reads split them', () => {
  const body = chunked(['{"a":1}\n{"b":', '2}\n', '{"c":"\u00e9"}\n{"d":4}\n']);
  const expected = ['{"a":1}', '{"b":2}', '{"c":"\u00e9"}', '{"d":4}'];
  // Every way of cutting the bytes into two reads, and one byte per read.
  for (let cut = 0; cut <= body.length; cut++) {
    const lines: string[] = [];
    const d = new ChunkedLineDecoder((l) => lines.push(l.toString('utf8')));
    d.push(body.subarray(0, cut));
    d.push(body.subarray(cut));
    assert.deepEqual(lines, expected, `cut at ${cut}`);
    assert.equal(d.ended, true);
  }
  const lines: string[] = [];
  const d = new ChunkedLineDecoder((l) => lines.push(l.toString('utf8')));
  for (let i = 0; i < body.length; i++) d.push(body.subarray(i, i + 1));
  assert.deepEqual(lines, expected);
});

test('a chunk size that is not hex is an error', () => {
  const d = new ChunkedLineDecoder(() => {});
  assert.throws(() => d.push(Buffer.from('zz\r\nab\r\n')), /malformed chunk size/);
});
