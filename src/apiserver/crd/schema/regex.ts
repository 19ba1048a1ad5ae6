/**
 * Schema patterns and CEL's regex functions are Go (RE2) regular expressions. They run on re2js, a
 * linear-time RE2 engine: the same syntax and error messages as upstream (POSIX classes, `\pL`, flag groups,
 * no lookaround or backreferences), and no pattern or input can make a match take exponential time, which
 * JavaScript's backtracking RegExp would let one custom resource do to the whole server.
 */
import type * as Re2js from 're2js';
import { lazyRequire } from '../../../util/lazy-require.js';

/** Loaded at the first pattern: a server without custom resources or policies never needs it. */
const re2js = lazyRequire<typeof Re2js>('re2js');

export interface GoPattern {
  /** Whether the pattern matches anywhere in s (Go's MatchString). */
  test(s: string): boolean;
  /** The leftmost match, or undefined. */
  find(s: string): string | undefined;
  /** Every non-overlapping match, left to right. */
  findAll(s: string): string[];
}

export type CompiledPattern = GoPattern | { error: string };

const cache = new Map<string, CompiledPattern>();

export function compileGoPattern(pattern: string): CompiledPattern {
  let compiled = cache.get(pattern);
  if (!compiled) {
    compiled = compile(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

function compile(pattern: string): CompiledPattern {
  let re: Re2js.RE2JS;
  try {
    re = re2js().RE2JS.compile(pattern);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  return {
    test: (s) => re.matcher(s).find(),
    find: (s) => {
      const m = re.matcher(s);
      return m.find() ? (m.group() ?? '') : undefined;
    },
    findAll: (s) => {
      const m = re.matcher(s);
      const out: string[] = [];
      while (m.find()) out.push(m.group() ?? '');
      return out;
    },
  };
}
