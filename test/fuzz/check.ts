import { parse as parseYaml } from 'yaml';
import type { FuzzResponse } from './client.js';
import type { FuzzRequest } from './requests.js';

/** What is wrong with an answer, or undefined when it is acceptable whatever its status. */
export function problemWith(req: FuzzRequest, res: FuzzResponse): string | undefined {
  if (res.status >= 500) return `server error ${res.status}`;
  if (res.status < 200 || res.status >= 600) return `unexpected status ${res.status}`;
  if (req.method === 'HEAD' || res.truncated) return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (res.status < 300) {
    if (res.streaming) return watchProblem(res.body);
    if (type.startsWith('application/json') && !isJson(res.body)) return '2xx JSON body does not parse';
    return undefined;
  }
  if (res.status === 304) return undefined;
  return statusProblem(res, type);
}

/** Every complete line of a watch stream is one JSON event with a type and an object. */
function watchProblem(body: Buffer): string | undefined {
  const lines = body.toString('utf8').split('\n');
  lines.pop(); // the last piece may be cut short
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line);
      if (typeof event?.type !== 'string' || typeof event.object !== 'object')
        return `watch event without type/object: ${line.slice(0, 200)}`;
    } catch {
      return `watch line is not JSON: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** A non-2xx answer must carry a metav1.Status whose `code` equals the HTTP status. */
function statusProblem(res: FuzzResponse, type: string): string | undefined {
  let status: any;
  const text = res.body.toString('utf8');
  try {
    if (type.startsWith('application/json')) status = JSON.parse(text);
    else if (type.startsWith('application/yaml')) status = parseYaml(text);
    else return `non-2xx answer with content-type "${type}" instead of a Status`;
  } catch {
    return `non-2xx body does not parse as ${type}`;
  }
  if (status === null || typeof status !== 'object') return 'non-2xx body is not an object';
  if (status.kind !== 'Status') return `non-2xx body kind is ${JSON.stringify(status.kind)}, not Status`;
  if (status.apiVersion !== 'v1') return `Status apiVersion is ${JSON.stringify(status.apiVersion)}`;
  if (status.status !== 'Failure') return `Status status is ${JSON.stringify(status.status)}`;
  if (status.code !== res.status) return `Status code ${status.code} differs from HTTP ${res.status}`;
  if (typeof status.message !== 'string') return 'Status has no message';
  return undefined;
}

/** The message of a Status answer, for failure reports. */
export function statusMessage(res: FuzzResponse): string {
  const text = res.body.toString('utf8');
  try {
    const v = JSON.parse(text);
    if (typeof v?.message === 'string') return v.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
