import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Queue,
  V4_PROTOCOL,
  V5_PROTOCOL,
  exitStatus,
  frame,
  parseResize,
  pickProtocol,
  unframe,
} from './channel.js';

describe('channel.k8s.io framing', () => {
  it('prefixes the channel byte and reads it back', () => {
    const f = frame(1, 'hi');
    assert.deepEqual([...f], [1, 0x68, 0x69]);
    const m = unframe(Buffer.from([0xff, 0x00]));
    assert.equal(m?.channel, 255);
    assert.deepEqual([...(m?.payload ?? [])], [0]);
    assert.equal(unframe(Buffer.alloc(0)), undefined);
  });

  it('prefers v5 and accepts v4', () => {
    assert.equal(pickProtocol(new Set([V4_PROTOCOL, V5_PROTOCOL])), V5_PROTOCOL);
    assert.equal(pickProtocol(new Set([V4_PROTOCOL])), V4_PROTOCOL);
    assert.equal(pickProtocol(new Set(['channel.k8s.io'])), undefined);
  });

  it('reports exit codes as upstream Status objects', () => {
    assert.deepEqual(exitStatus(0), { metadata: {}, status: 'Success' });
    const s = exitStatus(3) as {
      status: string;
      reason: string;
      details: { causes: { reason: string; message: string }[] };
    };
    assert.equal(s.status, 'Failure');
    assert.equal(s.reason, 'NonZeroExitCode');
    assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  it('parses resize messages', () => {
    assert.deepEqual(parseResize(Buffer.from('{"Width":80,"Height":24}\n')), { width: 80, height: 24 });
    assert.equal(parseResize(Buffer.from('{"Width":"x"}')), undefined);
    assert.equal(parseResize(Buffer.from('nope')), undefined);
  });

  it('queues resize events for an async consumer', async () => {
    const q = new Queue<number>();
    q.push(1);
    const seen: number[] = [];
    const done = (async () => {
      for await (const v of q) seen.push(v);
    })();
    q.push(2);
    q.end();
    await done;
    assert.deepEqual(seen, [1, 2]);
  });
});
