import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  formatLogTime,
  LogOptionsError,
  parseEntries,
  parseLogOptions,
  readLogs,
  tailEntries,
  type LogOptions,
} from './log-reader.js';

const LOG =
  '2026-01-01T00:00:00.000000000Z stdout F one\n' +
  '2026-01-01T00:00:10.000000000Z stderr F two\n' +
  '2026-01-01T00:00:20.000000000Z stdout P thr\n' +
  '2026-01-01T00:00:20.500000000Z stdout F ee\n' +
  '2026-01-01T00:00:30.000000000Z stdout F four\n';

function withFile(contents: string, fn: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `tugboat-logs-${process.pid}-`));
  const file = join(dir, '0.log');
  writeFileSync(file, contents);
  return fn(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function read(opts: Partial<LogOptions>, contents = LOG): Promise<string> {
  let out = '';
  await withFile(contents, (file) =>
    readLogs(file, { follow: false, timestamps: false, ...opts }, (c) => (out += c), {
      running: () => Promise.resolve(false),
    }),
  );
  return out;
}

describe('container log reader', () => {
  it('reassembles partial entries and keeps both streams in order', async () => {
    assert.equal(await read({}), 'one\ntwo\nthree\nfour\n');
  });

  it('tails whole lines (a partial entry belongs to the line it continues)', async () => {
    assert.equal(await read({ tailLines: 2 }), 'three\nfour\n');
    assert.equal(await read({ tailLines: 1 }), 'four\n');
    assert.equal(await read({ tailLines: 0 }), '');
    assert.equal(await read({ tailLines: 99 }), 'one\ntwo\nthree\nfour\n');
  });

  it('skips entries before since and prefixes timestamps', async () => {
    const since = Date.parse('2026-01-01T00:00:15Z');
    assert.equal(await read({ sinceMs: since }), 'three\nfour\n');
    assert.equal(await read({ tailLines: 1, timestamps: true }), '2026-01-01T00:00:30.000000000Z four\n');
  });

  it('prints timestamps in UTC with nine fraction digits', () => {
    assert.equal(formatLogTime('2026-12-04T09:02:24.420525616+00:00'), '2026-12-04T09:02:24.420525616Z');
    assert.equal(formatLogTime('2026-12-04T10:02:24.5+01:00'), '2026-12-04T09:02:24.500000000Z');
    assert.equal(formatLogTime('2026-12-04T09:02:24Z'), '2026-12-04T09:02:24.000000000Z');
  });

  it('stops at limitBytes, cutting the last entry', async () => {
    assert.equal(await read({ limitBytes: 6 }), 'one\ntw');
    assert.equal(await read({ limitBytes: 4 }), 'one\n');
  });

  it('follows the file until the container stops, then drains what is left', async () => {
    await withFile(LOG, async (file) => {
      let out = '';
      let polls = 0;
      await readLogs(file, { follow: true, timestamps: false, tailLines: 0 }, (c) => (out += c), {
        pollMs: 5,
        running: () => {
          polls++;
          if (polls === 2) appendFileSync(file, '2026-01-01T00:00:40.000000000Z stdout F five\n');
          if (polls === 4) appendFileSync(file, '2026-01-01T00:00:50.000000000Z stdout F six\n');
          return Promise.resolve(polls < 4);
        },
      });
      assert.equal(out, 'five\nsix\n');
    });
  });

  it('ignores a torn last line until it is complete', () => {
    const { entries, rest } = parseEntries(`${LOG}2026-01-01T00:00:40.000000000Z stdout F fi`);
    assert.equal(entries.length, 5);
    assert.equal(rest, '2026-01-01T00:00:40.000000000Z stdout F fi');
    assert.deepEqual(
      tailEntries(entries, 2).map((e) => e.message),
      ['thr', 'ee', 'four'],
    );
  });
});

describe('log options', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  it('reads kubectl logs parameters', () => {
    const q = new URLSearchParams('follow=true&tailLines=5&timestamps=true&sinceSeconds=60&limitBytes=100');
    assert.deepEqual(parseLogOptions(q, now), {
      follow: true,
      timestamps: true,
      tailLines: 5,
      limitBytes: 100,
      sinceMs: now - 60_000,
    });
    assert.equal(
      parseLogOptions(new URLSearchParams('sinceTime=2026-01-01T00:30:00Z'), now).sinceMs,
      now - 1_800_000,
    );
  });

  it('refuses bad values as upstream', () => {
    for (const q of [
      'tailLines=-1',
      'limitBytes=0',
      'sinceSeconds=0',
      'sinceSeconds=1&sinceTime=2026-01-01T00:00:00Z',
      'sinceTime=yesterday',
    ])
      assert.throws(() => parseLogOptions(new URLSearchParams(q), now), LogOptionsError, q);
  });
});
