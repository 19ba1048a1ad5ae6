import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '../../src/util/logger.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { call } from '../helpers/http.js';
import { problemWith, statusMessage } from './check.js';
import { closeClient, send, type FuzzResponse } from './client.js';
import { FUZZ_KINDS, collectionPath, objectPath } from './manifests.js';
import { depthOf } from './mutate.js';
import { Prng, seedFromEnv } from './prng.js';
import { nextRequest, type FuzzRequest, type FuzzState } from './requests.js';

/*
 * Random hostile requests against an in-process API server. Replay a run with FUZZ_SEED=<seed>
 * (FUZZ_SEED=random for a new one); FUZZ_SECONDS and FUZZ_REQUESTS bound the run; FUZZ_HANG_MS is how long
 * one request may go unanswered before it is reported as a hang.
 */
const SEED = seedFromEnv(0x5eed_7b0a);
const BUDGET_MS = Number(process.env.FUZZ_SECONDS ?? 25) * 1000;
const MAX_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const NAMESPACES = ['default', 'fuzz-a'];
const MAX_KNOWN = 300;

interface Finding {
  problem: string;
  count: number;
  example: string;
}

function describeRequest(i: number, req: FuzzRequest, res?: FuzzResponse): string {
  const body = req.body ? req.body.subarray(0, 300).toString('utf8') : '';
  const lines = [
    `#${i} ${req.method} ${req.path.slice(0, 300)}`,
    `  what: ${req.note}`,
    `  headers: ${JSON.stringify(req.headers)}`,
    `  body (${req.body?.length ?? 0} bytes): ${JSON.stringify(body)}`,
  ];
  if (res) lines.push(`  answer: ${res.status} ${statusMessage(res).slice(0, 300)}`);
  return lines.join('\n');
}

/** Groups findings: server errors by request kind and message shape, other problems by problem and status. */
function signature(problem: string, req: FuzzRequest, res?: FuzzResponse): string {
  if (!res || res.status < 500) return `${problem} | ${res?.status ?? 'no answer'}`;
  const what = req.note.split(' ').slice(0, 2).join(' ');
  const message = statusMessage(res).replace(/\d+/g, '#').slice(0, 80);
  return `${problem} | ${what} | ${message}`;
}

function learn(state: FuzzState, req: FuzzRequest, res: FuzzResponse): void {
  if (!req.about || res.status >= 300) return;
  const { kind, namespace } = req.about;
  let obj: any;
  try {
    obj = JSON.parse(res.body.toString('utf8'));
  } catch {
    return;
  }
  const name = obj?.metadata?.name;
  // Deeply nested objects the server accepted are not mutated further (the client would recurse too).
  if (typeof name !== 'string' || obj.kind !== kind.kind || depthOf(obj) > 64) return;
  const key = objectPath(kind, namespace, name);
  if (req.method === 'DELETE') {
    state.known.delete(key);
    return;
  }
  state.known.delete(key);
  state.known.set(key, { kind, namespace, name, obj });
  if (state.known.size > MAX_KNOWN) state.known.delete(state.known.keys().next().value!);
}

describe('API fuzz', () => {
  let t: TestServer;
  const processErrors: string[] = [];
  const loggedErrors: string[] = [];
  const onProcessError = (err: unknown) => processErrors.push(String((err as Error)?.stack ?? err));

  before(async () => {
    process.on('unhandledRejection', onProcessError);
    process.on('uncaughtException', onProcessError);
    t = await startTestServer();
    // Capture what the request handler logs as unexpected (non-Status) errors.
    const capture: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (msg, fields) => loggedErrors.push(`${msg} ${JSON.stringify(fields ?? {})}`),
      child: () => capture,
    };
    t.server.context.logger = capture;
    for (const ns of NAMESPACES.filter((n) => n !== 'default')) {
      const r = await call(t.url, 'POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
      assert.equal(r.status, 201, r.text);
    }
  });

  after(async () => {
    closeClient();
    await t.close();
    process.off('unhandledRejection', onProcessError);
    process.off('uncaughtException', onProcessError);
  });

  test('hostile requests get a 2xx/4xx answer, and every error is a Status', async (ctx) => {
    ctx.diagnostic(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const rng = new Prng(SEED);
    const state: FuzzState = { namespaces: NAMESPACES, known: new Map(), counter: 0 };
    const findings = new Map<string, Finding>();
    const statuses = new Map<number, number>();
    const note = (problem: string, i: number, req: FuzzRequest, res?: FuzzResponse) => {
      const sig = signature(problem, req, res);
      const f = findings.get(sig);
      if (f) f.count++;
      else findings.set(sig, { problem, count: 1, example: describeRequest(i, req, res) });
    };

    const started = Date.now();
    let i = 0;
    for (; i < MAX_REQUESTS && Date.now() - started < BUDGET_MS; i++) {
      let req: FuzzRequest;
      try {
        req = nextRequest(rng, state);
      } catch (err) {
        // A bug of the generator itself, not of the server: report it and go on.
        const where = { method: '-', path: '-', headers: {}, note: 'generator' };
        note(`fuzz generator failed: ${String((err as Error)?.stack ?? err).slice(0, 400)}`, i, where);
        continue;
      }
      let res: FuzzResponse;
      try {
        res = await send(t.server.port, req);
      } catch (err) {
        note(`transport error: ${(err as Error).message}`, i, req);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const problem = problemWith(req, res);
      if (problem) note(problem, i, req, res);
      learn(state, req, res);
    }

    const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    console.log(`fuzz: ${i} requests in ${Date.now() - started} ms; statuses ${histogram.join(' ')}`);
    const report = [...findings.values()].map((f) => `${f.problem} (x${f.count})\n${f.example}`);
    if (report.length) console.log(`fuzz findings (seed ${SEED}):\n\n${report.join('\n\n')}`);
    assert.deepEqual(report, [], `${report.length} distinct problems; seed ${SEED}`);
    assert.ok(i > 100, `only ${i} requests were sent`);
  });

  test('the server still serves: health, lists of every kind, a fresh create', async () => {
    const h = await call(t.url, 'GET', '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.text, 'ok');
    for (const kind of FUZZ_KINDS) {
      const path = collectionPath(kind, kind.namespaced ? 'default' : undefined);
      const r = await call(t.url, 'GET', path);
      assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
      assert.equal(r.json.kind, `${kind.kind}List`);
    }
    const c = await call(t.url, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'after-fuzz' },
      data: { ok: 'yes' },
    });
    assert.equal(c.status, 201, c.text);
  });

  test('no unhandled rejection, uncaught exception or logged internal error', () => {
    assert.deepEqual(processErrors, []);
    assert.deepEqual([...new Set(loggedErrors.map((e) => e.slice(0, 500)))], []);
  });
});
