import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrkReport, wrkScript } from './wrk.js';

const REPORT = `Running 4s test @ https://127.0.0.1:16443
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   745.72us  353.35us  11.19ms   96.84%
    Req/Sec    21.92k     1.10k   23.01k    85.00%
  Latency Distribution
     50%  690.00us
     75%  812.00us
     90%    1.01ms
     99%    2.10ms
  87600 requests in 4.00s, 60.12MB read
  Non-2xx or 3xx responses: 600
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  21900.00
Transfer/sec:     15.03MB
`;

describe('parseWrkReport', () => {
  test('reads throughput of 2xx answers, percentiles, max and errors', () => {
    const r = parseWrkReport(REPORT, 16);
    assert.equal(r.clients, 16);
    assert.equal(r.ops, 87_000);
    assert.equal(r.errors, 603);
    assert.equal(r.elapsedMs, 4000);
    assert.equal(r.opsPerSecond, 21_750);
    assert.equal(r.latency.p50, 0.69);
    assert.equal(r.latency.p99, 2.1);
    assert.equal(r.latency.max, 11.19);
    assert.match(r.firstError ?? '', /600 answers outside 2xx, 3 socket errors/);
  });

  test('a report without errors has none', () => {
    const clean = REPORT.split('\n')
      .filter((l) => !/Non-2xx|Socket errors/.test(l))
      .join('\n');
    const r = parseWrkReport(clean, 16);
    assert.equal(r.errors, 0);
    assert.equal(r.ops, 87_600);
    assert.equal(r.firstError, undefined);
  });

  test('output without a summary is an error, not zeros', () => {
    assert.throws(
      () => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused', 1),
      /no summary/,
    );
  });
});

describe('wrkScript', () => {
  test('sets the token, the body and strides through the paths', () => {
    const lua = wrkScript(
      { url: 'https://127.0.0.1:1', token: 'abc"d', ca: '' },
      { method: 'POST', paths: ['/a', '/b'], body: '{"x":"y"}' },
    );
    assert.match(lua, /wrk\.method = "POST"/);
    assert.match(lua, /wrk\.headers\["Authorization"\] = "Bearer abc\\"d"/);
    assert.match(lua, /wrk\.headers\["Content-Type"\] = "application\/json"/);
    assert.match(lua, /wrk\.body = "\{\\"x\\":\\"y\\"\}"/);
    assert.match(lua, /"\/a",\n {2}"\/b"/);
    assert.match(lua, /pick = \(pick \+ 7919\) % #requests/);
  });

  test('a GET has no body', () => {
    const lua = wrkScript({ url: 'https://h', token: 't', ca: '' }, { method: 'GET', paths: ['/a'] });
    assert.doesNotMatch(lua, /wrk\.body|Content-Type/);
  });
});
