/**
 * A JSON value reduced to its structure, with object members kept in document order and duplicate keys
 * kept (JSON.parse silently keeps the last one). Scalars carry no value: only the shape matters here.
 */
export type JsonTree =
  { t: 'object'; entries: Array<[string, JsonTree]> } | { t: 'array'; items: JsonTree[] } | { t: 'scalar' };

const SCALAR: JsonTree = { t: 'scalar' };
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Structure of an already-decoded value (no duplicates can survive decoding). */
export function treeOfValue(value: unknown): JsonTree {
  if (Array.isArray(value)) return { t: 'array', items: value.map(treeOfValue) };
  if (typeof value === 'object' && value !== null) {
    return {
      t: 'object',
      entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, treeOfValue(v)]),
    };
  }
  return SCALAR;
}

/** Structure of raw JSON text. Throws SyntaxError on malformed input. */
export function parseJsonTree(text: string): JsonTree {
  const p = new TreeParser(text);
  p.skipSpace();
  const tree = p.value();
  p.skipSpace();
  if (p.pos !== text.length) p.fail('unexpected data after the top-level value');
  return tree;
}

class TreeParser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new SyntaxError(`invalid JSON at offset ${this.pos}: ${what}`);
  }

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  value(): JsonTree {
    const c = this.s[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      this.string();
      return SCALAR;
    }
    this.literal();
    return SCALAR;
  }

  private object(): JsonTree {
    const entries: Array<[string, JsonTree]> = [];
    this.pos++; // {
    this.skipSpace();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return { t: 'object', entries };
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.skipSpace();
      entries.push([key, this.value()]);
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === '}') return { t: 'object', entries };
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(): JsonTree {
    const items: JsonTree[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return { t: 'array', items };
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === ']') return { t: 'array', items };
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  /** Consumes a string literal and returns its decoded text. */
  private string(): string {
    const s = this.s;
    const start = this.pos;
    let escaped = false;
    for (let i = start + 1; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c === 0x22) {
        this.pos = i + 1;
        if (!escaped) return s.slice(start + 1, i);
        try {
          return JSON.parse(s.slice(start, i + 1)) as string;
        } catch {
          this.fail('bad string escape');
        }
      } else if (c < 0x20) {
        this.fail('control character in string');
      }
    }
    return this.fail('unterminated string');
  }

  private literal(): void {
    LITERAL.lastIndex = this.pos;
    const m = LITERAL.exec(this.s);
    if (!m) this.fail('unexpected token');
    this.pos += m[0].length;
  }
}
