/** Helpers for driving `kubectl port-forward` in tests: the local port it printed, and clients through it. */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { KubectlStream } from './kubectl.js';

/** Waits for `Forwarding from 127.0.0.1:N -> REMOTE` and returns N. */
export async function forwardedPort(pf: KubectlStream, remote: number, timeoutMs = 30_000): Promise<number> {
  const line = await pf.waitForLine(
    new RegExp(`^Forwarding from 127\\.0\\.0\\.1:\\d+ -> ${remote}$`),
    timeoutMs,
  );
  return Number(/:(\d+) ->/.exec(line)![1]);
}

/** One GET (or POST of body) on a fresh connection; resolves with the status and body. */
export function httpGet(port: number, path = '/', body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const method = body ? 'POST' : 'GET';
    const opts = { host: '127.0.0.1', port, path, method, agent: false, timeout: 10_000 };
    // A whole-request deadline: an idle timeout alone would let a trickle run on.
    const deadline = setTimeout(() => {
      req.destroy();
      reject(
        new Error(
          `${method} ${path} through port ${port} took over 30 s (body so far: ${text.length} bytes)`,
        ),
      );
    }, 30_000);
    let text = '';
    const req = request(opts, (res) => {
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.on('timeout', () => {
      clearTimeout(deadline);
      req.destroy();
      reject(
        new Error(
          `${method} ${path} through port ${port}: nothing read for 10 s (body: ${text.length} bytes)`,
        ),
      );
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(body);
  });
}

/**
 * Connects, optionally writes, and resolves with everything read once the far side closes the connection
 * (never writing a FIN of its own), or rejects after timeoutMs.
 */
export function readUntilClosed(port: number, send = '', timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`the forwarded connection stayed open ${timeoutMs} ms (read ${JSON.stringify(text)})`),
      );
    }, timeoutMs);
    socket.on('connect', () => {
      if (send) socket.write(send);
    });
    socket.setEncoding('utf8').on('data', (s: string) => (text += s));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
