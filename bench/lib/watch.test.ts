import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringField } from './watch.js';

test('string members are read straight from an event line', () => {
  const line = Buffer.from('{"type":"ADDED","object":{"data":{"seq":"17","sentAt":"1234.567"}}}');
  assert.equal(stringField(line, Buffer.from('"seq":"')), '17');
  assert.equal(stringField(line, Buffer.from('"sentAt":"')), '1234.567');
  assert.equal(stringField(line, Buffer.from('"missing":"')), undefined);
  assert.equal(stringField(Buffer.from('{"seq":"12'), Buffer.from('"seq":"')), undefined, 'unterminated');
  const twice = Buffer.from('{"metadata":{"annotations":{"seq":"1"}},"data":{"seq":"2"}}');
  assert.equal(stringField(twice, Buffer.from('"seq":"')), '2', 'the last member: the data closes the line');
});
