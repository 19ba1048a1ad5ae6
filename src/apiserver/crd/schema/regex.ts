/**
 * Schema patterns are Go (RE2) regular expressions. They are translated to JavaScript for the
 * constructs CRDs use (leading flag groups, `\A`, `\z`, `(?P<name>`, POSIX classes), and the RE2
 * features JavaScript would silently accept (lookaround, backreferences) are rejected as Go does.
 */

export type CompiledPattern = { re: RegExp } | { error: string };

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

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

function goError(code: string, expr: string): { error: string } {
  return { error: `error parsing regexp: ${code}: \`${expr}\`` };
}

function compile(pattern: string): CompiledPattern {
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead?.[1]) {
    flags = [...new Set(lead[1])].join('');
    src = src.slice(lead[0].length);
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] ?? '';
    const next = src[i + 1] ?? '';
    if (c === '\\') {
      if (!inClass && /[1-9]/.test(next)) return goError('invalid escape sequence', `\\${next}`);
      if (!inClass && next === 'A') out += multiline ? '(?<![\\s\\S])' : '^';
      else if (!inClass && next === 'z') out += multiline ? '(?![\\s\\S])' : '$';
      else if (next === 'Z' || next === 'C') return goError('invalid escape sequence', `\\${next}`);
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(i));
      const set = posix?.[2] ? POSIX[posix[2]] : undefined;
      if (posix && set !== undefined && posix[1] === '') {
        out += set;
        i += posix[0].length - 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (next === '^') {
        out += next;
        i++;
      }
      // A `]` first in a class is a literal in Go, an empty class in JavaScript.
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && next === '?') {
      const rest = src.slice(i, i + 4);
      if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
        return goError('invalid or unsupported Perl syntax', rest.slice(0, 3));
      }
      if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
        return goError('invalid or unsupported Perl syntax', rest.slice(0, 3));
      }
      if (rest.startsWith('(?P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
    }
    out += c;
  }
  try {
    return { re: new RegExp(out, flags) };
  } catch (err) {
    return translateError(pattern, err instanceof Error ? err.message : String(err));
  }
}

function translateError(pattern: string, message: string): { error: string } {
  if (message.includes('Nothing to repeat')) {
    const nested = /([*+?]|\{\d+(,\d*)?\})[*+]/.exec(pattern);
    if (nested) return goError('invalid nested repetition operator', nested[0]);
    const bare = /(?:^|[(|])([*+?]|\{\d+(,\d*)?\})/.exec(pattern);
    return goError('missing argument to repetition operator', bare?.[1] ?? pattern);
  }
  if (message.includes('Unterminated group')) return goError('missing closing )', pattern);
  if (message.includes("Unmatched ')'")) return goError('unexpected )', pattern);
  if (message.includes('Unterminated character class')) {
    return goError('missing closing ]', pattern.slice(pattern.lastIndexOf('[')));
  }
  if (message.includes('\\ at end of pattern')) return goError('trailing backslash at end of expression', '');
  return { error: `error parsing regexp: ${message}` };
}
