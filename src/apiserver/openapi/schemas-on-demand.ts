import fs from 'node:fs';
import { createLogger, type Logger } from '../../util/logger.js';
import type { Schema, SchemaMap } from './schema-types.js';
import { GENERATED_SCHEMAS_FILE, compactingReviver, gvkKey, loadSchemas, type SchemaSet } from './schemas.js';

/** Where each schema's JSON sits in the file, and which file content that was measured on. */
interface FileIndex {
  source: string;
  ranges: Map<string, { start: number; end: number }>;
  byGvk: Map<string, string>;
  size: number;
  mtimeMs: number;
}

/** Subtrees longer than this are not remembered for sharing: identical ones are rare and their text is not. */
const SHARED_TEXT_LIMIT = 256;

/**
 * The schemas of a generated file without descriptions, each parsed when first asked for: requests need a few
 * dozen of the ~450 (an idle server 13), so the rest stay on disk instead of in the heap. Identical subtrees are
 * shared across the schemas parsed so far, as in `loadSchemas`. A file that cannot be indexed is loaded whole
 * (or falls back to the minimal schemas) by `loadSchemas`; a file replaced while running is indexed again.
 */
export function loadSchemasOnDemand(file: string, logger?: Logger): SchemaSet {
  let index: FileIndex;
  try {
    index = indexFile(file);
  } catch {
    return loadSchemas(file, logger, { descriptions: false });
  }
  const parsed = new Map<string, Schema | undefined>();
  const reviver = compactingReviver(SHARED_TEXT_LIMIT);
  let warned = false;

  const read = (name: string): Schema | undefined => {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      const stat = fs.fstatSync(fd);
      if (stat.size !== index.size || stat.mtimeMs !== index.mtimeMs) {
        const previous = index.byGvk;
        index = indexBuffer(readAll(fd), stat);
        // The set handed out keeps its map: refill it.
        previous.clear();
        for (const [gvk, schemaName] of index.byGvk) previous.set(gvk, schemaName);
        index.byGvk = previous;
      }
      const range = index.ranges.get(name);
      if (!range) return undefined;
      const bytes = Buffer.alloc(range.end - range.start);
      fs.readSync(fd, bytes, 0, bytes.length, range.start);
      return JSON.parse(bytes.toString('utf8'), reviver) as Schema;
    } catch (err) {
      if (!warned) {
        warned = true;
        (logger ?? createLogger('openapi')).warn(
          'generated OpenAPI schemas unreadable; kinds not yet checked pass unchecked',
          {
            file,
            error: err instanceof Error ? err.message : String(err),
          },
        );
      }
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };

  const schema = (name: string): Schema | undefined => {
    if (!parsed.has(name)) parsed.set(name, index.ranges.has(name) ? read(name) : undefined);
    return parsed.get(name);
  };

  // A read-only map over the file, so that the checkers index it as they index a parsed set.
  const target: SchemaMap = {};
  const schemas = new Proxy(target, {
    get: (_, key) => (typeof key === 'string' ? schema(key) : undefined),
    has: (_, key) => typeof key === 'string' && index.ranges.has(key),
    ownKeys: () => [...index.ranges.keys()],
    getOwnPropertyDescriptor: (_, key) =>
      typeof key === 'string' && index.ranges.has(key)
        ? { value: schema(key), enumerable: true, configurable: true, writable: false }
        : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  return { source: index.source, schemas, byGvk: index.byGvk };
}

let defaultSet: SchemaSet | undefined;

/**
 * The process-wide schema set that requests are checked against, indexed on first use and parsed schema by
 * schema. It has no descriptions, which are a third of a schema's memory and matter only to the OpenAPI
 * documents (`kubectl explain`); those are built from a full `loadSchemas()` of their own.
 */
export function defaultSchemas(): SchemaSet {
  defaultSet ??= loadSchemasOnDemand(GENERATED_SCHEMAS_FILE);
  return defaultSet;
}

function indexFile(file: string): FileIndex {
  const fd = fs.openSync(file, 'r');
  try {
    return indexBuffer(readAll(fd), fs.fstatSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

function readAll(fd: number): Buffer {
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let done = 0;
  while (done < size) {
    const n = fs.readSync(fd, buf, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** Byte ranges of the members of the file's top-level `schemas` object, and the GVK index over them. */
function indexBuffer(buf: Buffer, stat: { size: number; mtimeMs: number }): FileIndex {
  const scan = new JsonScanner(buf);
  const ranges = new Map<string, { start: number; end: number }>();
  let source: string | undefined;
  scan.members((key, start, end) => {
    if (key === 'source') source = JSON.parse(buf.toString('utf8', start, end)) as string;
    if (key !== 'schemas') return;
    const inner = new JsonScanner(buf, start);
    inner.members((name, s, e) => ranges.set(name, { start: s, end: e }));
  });
  if (source === undefined || ranges.size === 0) throw new Error('no "source" or "schemas" in the file');
  const byGvk = new Map<string, string>();
  const marker = Buffer.from('"x-kubernetes-group-version-kind"');
  for (const [name, { start, end }] of ranges) {
    const at = buf.indexOf(marker, start);
    if (at < 0 || at >= end) continue;
    const schema = JSON.parse(buf.toString('utf8', start, end)) as Schema;
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      if (!byGvk.has(gvkKey(gvk))) byGvk.set(gvkKey(gvk), name);
    }
  }
  return { source, ranges, byGvk, size: stat.size, mtimeMs: stat.mtimeMs };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Walks the members of one JSON object in a buffer without parsing their values: structural characters are
 * ASCII, so bytes do (UTF-8 continuation bytes never equal them). Throws on anything that is not JSON's shape.
 */
class JsonScanner {
  constructor(
    private readonly buf: Buffer,
    private pos = 0,
  ) {}

  /** Calls `each(key, valueStart, valueEnd)` for every member of the object at the current position. */
  members(each: (key: string, start: number, end: number) => void): void {
    this.expect(OPEN_BRACE);
    if (this.peek() === CLOSE_BRACE) return;
    for (;;) {
      const keyStart = this.skipWs();
      this.skipString();
      const key = JSON.parse(this.buf.toString('utf8', keyStart, this.pos)) as string;
      this.expect(COLON);
      const start = this.skipWs();
      this.skipValue();
      each(key, start, this.pos);
      const next = this.skipWs();
      this.pos++;
      if (this.buf[next] === CLOSE_BRACE) return;
      if (this.buf[next] !== COMMA) throw new Error(`unexpected byte at ${next}`);
    }
  }

  private skipWs(): number {
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
    return this.pos;
  }

  private peek(): number | undefined {
    this.skipWs();
    return this.buf[this.pos];
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw new Error(`expected ${String.fromCharCode(c)} at ${this.pos}`);
    this.pos++;
  }

  private skipString(): void {
    if (this.buf[this.pos] !== QUOTE) throw new Error(`expected a string at ${this.pos}`);
    for (let i = this.pos + 1; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        this.pos = i + 1;
        return;
      }
    }
    throw new Error('unterminated string');
  }

  private skipValue(): void {
    const c = this.buf[this.pos];
    if (c === QUOTE) return this.skipString();
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
      while (this.pos < this.buf.length) {
        const d = this.buf[this.pos]!;
        if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d <= 0x20) break;
        this.pos++;
      }
      return;
    }
    let depth = 0;
    while (this.pos < this.buf.length) {
      const d = this.buf[this.pos]!;
      if (d === QUOTE) {
        this.skipString();
        continue;
      }
      this.pos++;
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return;
    }
    throw new Error('unterminated value');
  }
}
