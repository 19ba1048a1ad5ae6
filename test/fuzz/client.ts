import { Agent, request } from 'node:http';
import type { FuzzRequest } from './requests.js';

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** A watch answer: newline-delimited JSON events. */
  streaming: boolean;
  /** True when the client stopped reading a streaming (watch) answer on purpose. */
  truncated: boolean;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Stop reading a streaming answer after this long: watches never end on their own. */
const STREAM_READ_MS = 150;
/** A request that gets no answer at all in this time is reported (a hang), not waited for forever. */
const NO_ANSWER_MS = Number(process.env.FUZZ_HANG_MS ?? 5_000);

function isStreaming(
  req: FuzzRequest,
  res: { headers: Record<string, string | string[] | undefined> },
): boolean {
  const type = String(res.headers['content-type'] ?? '');
  return /[?&]watch=(true|1)(&|$)/.test(req.path) || req.path.includes('/watch/') || type.includes('watch');
}

/** Sends one request and reads the whole answer (or the start of a stream). Rejects on transport errors. */
export function send(port: number, req: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const r = request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        let truncated = false;
        const streaming = (res.statusCode ?? 0) < 300 && isStreaming(req, res);
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            streaming,
            truncated,
          });
        };
        if (streaming) {
          timer = setTimeout(() => {
            truncated = true;
            res.destroy();
            finish();
          }, STREAM_READ_MS);
        }
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', finish);
        res.on('error', (err) => (truncated ? undefined : reject(err)));
      },
    );
    r.setTimeout(NO_ANSWER_MS, () => r.destroy(new Error(`no answer within ${NO_ANSWER_MS} ms`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

export function closeClient(): void {
  agent.destroy();
}
