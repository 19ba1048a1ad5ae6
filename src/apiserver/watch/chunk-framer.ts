const CRLF = '\r\n';

/**
 * Frames watch event lines as one HTTP/1.1 chunk. Watchers of one resource usually get the same events in the same
 * event-loop turn, so the last framing is kept and handed out again when the lines are the very same strings:
 * the bytes are encoded once per batch instead of once per watcher.
 */
export class ChunkFramer {
  private lastLines: string[] = [];
  private lastChunk: Buffer = Buffer.alloc(0);

  frame(lines: readonly string[]): Buffer {
    if (sameStrings(lines, this.lastLines)) return this.lastChunk;
    const body = lines.length === 1 ? lines[0]! : lines.join('');
    const size = Buffer.byteLength(body);
    const head = `${size.toString(16)}${CRLF}`;
    const chunk = Buffer.allocUnsafe(head.length + size + 2);
    chunk.write(head, 0, 'latin1');
    chunk.write(body, head.length, 'utf8');
    chunk.write(CRLF, head.length + size, 'latin1');
    this.lastLines = lines.slice();
    this.lastChunk = chunk;
    return chunk;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
