import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Relays a connection upgrade (WebSocket and the like) through `upstream`, a request already sent to the target
 * with the upgrade headers: the target's 101 answer goes to the client as it is, then the raw bytes flow both
 * ways until either side closes. A target that refuses the upgrade has its answer handed over as it is. Errors
 * before an answer go to `onError`, which answers the client.
 */
export function relayUpgrade(
  upstream: ClientRequest,
  client: Duplex,
  head: Buffer,
  onError: (err: Error) => void,
): void {
  client.on('error', () => upstream.destroy());
  upstream.on('upgrade', (answer, target, targetHead) => {
    // The request's answer deadline is not the session's: an upgraded connection may idle for as long as it likes.
    target.setTimeout(0);
    client.write(statusLine(answer) + headerLines(answer.rawHeaders) + '\r\n');
    if (targetHead.length > 0) client.write(targetHead);
    if (head.length > 0) target.write(head);
    target.on('error', () => client.destroy());
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
    target.pipe(client).pipe(target);
  });
  upstream.on('response', (answer) => {
    client.write(statusLine(answer) + headerLines(answer.rawHeaders) + '\r\n');
    answer.pipe(client);
  });
  upstream.on('error', onError);
}

function statusLine(answer: IncomingMessage): string {
  return `HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}\r\n`;
}

function headerLines(raw: string[]): string {
  let text = '';
  for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return text;
}
