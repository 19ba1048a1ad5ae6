import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { OutputTail, stopChild, waitForOutput } from './child.js';
import { runClosedLoop, type PhaseLimits, type PhaseResult } from './closed-loop.js';
import { ApiClient, type ApiTarget } from './http-client.js';

/**
 * The ceiling for gets on this machine: a bare Node HTTPS server (the tugboat server's certificate, keep-alive,
 * no routing, authentication or store) in its own process that answers every request with the same ConfigMap
 * JSON a real GET returns, measured with the same client and concurrency.
 */
export async function measureBaseline(opts: {
  target: ApiTarget;
  tlsDir: string;
  body: string;
  clients: number;
  limits: PhaseLimits;
}): Promise<PhaseResult> {
  const script = `
const https = require('node:https'); const fs = require('node:fs');
const body = Buffer.from(process.env.BODY);
const s = https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY) }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BODY: opts.body,
      CERT: join(opts.tlsDir, 'serving-kube-apiserver.crt'),
      KEY: join(opts.tlsDir, 'serving-kube-apiserver.key'),
    },
  });
  const output = new OutputTail();
  child.stdout.on('data', (c: Buffer) => output.add(c.toString()));
  child.stderr.on('data', (c: Buffer) => output.add(c.toString()));
  try {
    const port = await waitForOutput(
      child,
      output,
      () => /PORT (\d+)/.exec(output.toString())?.[1],
      10_000,
      'baseline',
    );
    const client = new ApiClient({ ...opts.target, url: `https://127.0.0.1:${port}` }, opts.clients);
    const get = async (): Promise<void> => {
      await client.call('GET', '/api/v1/namespaces/x/configmaps/y');
    };
    try {
      // The server's own get phase runs on warm connections and JIT-compiled code: so must this one.
      await runClosedLoop(opts.clients, { durationMs: 500, maxOps: 5000 }, get);
      return await runClosedLoop(opts.clients, opts.limits, get);
    } finally {
      client.close();
    }
  } finally {
    await stopChild(child, 5000);
  }
}
