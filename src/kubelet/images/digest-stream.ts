import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Passes bytes through while hashing them with sha256 and counting them. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private result: string | undefined;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  /** `sha256:…`; only after the stream has ended. */
  digest(): string {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}

export class DigestMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${what}: expected digest ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

/**
 * Decompresses a layer by its content: gzip when it starts with the gzip magic, passthrough for a plain
 * tar (Docker's uncompressed layers, docker-save tarballs), an error for zstd (Node 20 has no zstd).
 */
export async function* decompressLayer(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await it.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  if (startsWith(head, ZSTD_MAGIC)) throw new Error('zstd-compressed layers are not supported');
  const rest = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  if (!startsWith(head, GZIP_MAGIC)) {
    yield* rest as AsyncIterable<Buffer>;
    return;
  }
  const gunzip = createGunzip();
  const done = pipeline(rest, gunzip);
  done.catch(() => undefined);
  yield* gunzip as AsyncIterable<Buffer>;
  await done;
}
