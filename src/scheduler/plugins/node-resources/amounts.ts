const BINARY = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
] as const;

/** A milli-value as people read it: cpu in cores ("1.5"), bytes with binary suffixes ("512Mi"), counts plain. */
export function formatAmount(resource: string, milli: number): string {
  if (resource === 'cpu') return trim(milli / 1000);
  const units = milli / 1000;
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    for (const [suffix, size] of BINARY) if (Math.abs(units) >= size) return `${trim(units / size)}${suffix}`;
  }
  return trim(units);
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
