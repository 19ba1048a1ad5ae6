/** How the API server reports a node agent that refused or could not be reached for a streaming request. */
import type { IncomingMessage } from 'node:http';
import { badRequest, internalError, type ApiError } from '../../api/errors.js';

/** Reads the agent's non-upgrade answer and rejects with it as an API error (400/404 stay the client's fault). */
export function rejectWithAgentAnswer(res: IncomingMessage, reject: (err: ApiError) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8').trim();
    const code = res.statusCode ?? 500;
    reject(
      code === 400 || code === 404
        ? badRequest(text)
        : internalError(new Error(text || `agent answered ${code}`)),
    );
  });
}

export function agentUnreachable(err: Error): ApiError {
  return internalError(new Error(`cannot reach the node agent: ${err.message}`));
}
