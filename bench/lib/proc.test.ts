import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSecondsOf, memoryOf } from './proc.js';

describe('/proc readers', () => {
  test('read this process', () => {
    const mem = memoryOf(process.pid);
    assert.ok(mem, 'memoryOf(own pid)');
    assert.ok(mem.rss > 1024 * 1024, `rss ${mem.rss}`);
    assert.ok(mem.peak >= mem.rss);
    const cpu = cpuSecondsOf(process.pid);
    assert.ok(cpu !== undefined && cpu >= 0);
  });

  test('a process that does not exist is undefined', () => {
    assert.equal(memoryOf(2 ** 30), undefined);
    assert.equal(cpuSecondsOf(2 ** 30), undefined);
  });
});
