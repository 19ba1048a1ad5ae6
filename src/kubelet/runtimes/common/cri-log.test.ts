import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../util/clock.js';
import { CriLogWriter, parseCriLogLine, readCriLog, rfc3339Nano } from './cri-log.js';

test('rfc3339Nano pads milliseconds to nine digits', () => {
  assert.equal(rfc3339Nano(Date.parse('2026-01-01T00:00:00.123Z')), '2026-01-01T00:00:00.123000000Z');
});

test('the writer splits full lines, keeps partial tails and marks overlong chunks P', () => {
  const lines: string[] = [];
  const w = new CriLogWriter((l) => lines.push(l), new FakeClock(0), 4);
  w.push('stdout', 'ab\ncd');
  w.push('stderr', 'x\n');
  w.push('stdout', 'e\nfghij');
  w.flush();
  assert.deepEqual(lines, [
    '1970-01-01T00:00:00.000000000Z stdout F ab\n',
    '1970-01-01T00:00:00.000000000Z stderr F x\n',
    '1970-01-01T00:00:00.000000000Z stdout F cde\n',
    '1970-01-01T00:00:00.000000000Z stdout P fghi\n',
    '1970-01-01T00:00:00.000000000Z stdout F j\n',
  ]);
  assert.deepEqual(
    readCriLog(lines.join(''))
      .map((e) => e.text)
      .join(''),
    'ab\nx\ncde\nfghij\n',
  );
});

test('parse conmon lines, including empty messages', () => {
  assert.deepEqual(parseCriLogLine('2026-12-04T07:36:27.631036467+00:00 stdout F hello world'), {
    time: '2026-12-04T07:36:27.631036467+00:00',
    stream: 'stdout',
    partial: false,
    message: 'hello world',
  });
  assert.equal(parseCriLogLine('2026-12-04T07:36:27Z stderr F ')?.message, '');
  assert.equal(parseCriLogLine('garbage'), undefined);
  assert.equal(parseCriLogLine('2026-12-04T07:36:27Z stdout F /dev/pts/0\r')?.message, '/dev/pts/0\r');
});
