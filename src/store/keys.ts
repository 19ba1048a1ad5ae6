/** Key-range helpers shared by the backends. Keys compare as plain strings (ASCII in practice). */

/** The smallest string greater than every string starting with prefix, or undefined for the empty prefix. */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return undefined;
}

/** Where a list starts: the continuation key when given (it must lie under the prefix), else the prefix. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  if (startKey === undefined || startKey === '') return prefix;
  if (!startKey.startsWith(prefix))
    throw new Error(`startKey ${JSON.stringify(startKey)} is not under prefix ${JSON.stringify(prefix)}`);
  return startKey;
}
