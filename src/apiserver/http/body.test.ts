import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { isApiError } from '../../api/errors.js';
import { readBody } from './body.js';

/** A request body stream with the headers readBody reads. */
function request(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

void test('readBody joins the chunks of a body', async () => {
  const req = request();
  const body = readBody(req);
  req.write('{"a":');
  req.end('1}');
  assert.equal((await body).toString(), '{"a":1}');
});

void test('readBody refuses a body over the limit, declared or streamed, with 413', async () => {
  const declared = request({ 'content-length': '11' });
  await assert.rejects(readBody(declared, 10), (e) => isApiError(e) && e.status.code === 413);
  const streamed = request();
  const body = readBody(streamed, 10);
  streamed.write('123456');
  streamed.write('789012');
  await assert.rejects(body, (e) => isApiError(e) && e.status.code === 413);
});

void test('readBody fails when the connection closes before the body is complete', async () => {
  const req = request();
  const body = readBody(req);
  req.write('{"a":');
  req.destroy();
  await assert.rejects(body, /before the request body was complete/);
});

void test('readBody of a body already read to its end is empty', async () => {
  const req = request();
  req.end('');
  req.resume();
  await new Promise((resolve) => req.once('end', resolve));
  assert.equal((await readBody(req)).length, 0);
});
