/** HTTP GET as probes and lifecycle hooks do it: 2xx/3xx is success, redirects are not followed. */
import http from 'node:http';
import https from 'node:https';

export interface HttpGetTarget {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers: { name: string; value: string }[];
}

export interface HttpGetResult {
  status: number;
  body: string;
}

const MAX_BODY = 10 * 1024;

export function httpGet(
  t: HttpGetTarget,
  timeoutMs: number,
  userAgent = 'kube-probe/1.32',
): Promise<HttpGetResult> {
  const mod = t.scheme === 'HTTPS' ? https : http;
  const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: '*/*' };
  for (const h of t.headers) headers[h.name] = h.value;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      `${t.scheme === 'HTTPS' ? 'https' : 'http'}://${host}:${t.port}${path}`,
      {
        method: 'GET',
        headers,
        timeout: timeoutMs,
        ...(t.scheme === 'HTTPS' ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk.slice(0, MAX_BODY - body.length);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(
          `Get "${t.scheme.toLowerCase()}://${host}:${t.port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        ),
      ),
    );
    req.on('error', reject);
    req.end();
  });
}
