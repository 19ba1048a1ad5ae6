/** Accept-header negotiation: which representation a response gets. */

export type ResponseFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial-metadata'; list: boolean };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type = '', ...paramParts] = part.trim().split(';');
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/** Formats by Accept header: a client sends the same one or two headers with every request. */
const negotiated = new Map<string, Readonly<ResponseFormat> | undefined>();
const NEGOTIATED_LIMIT = 64;

/**
 * Returns the first acceptable format in the client's order, or undefined when nothing we serve is acceptable.
 * The result is shared between requests with the same header: callers must not change it.
 */
export function negotiateFormat(header: string | undefined): Readonly<ResponseFormat> | undefined {
  if (!header) return { kind: 'json' };
  if (negotiated.has(header)) return negotiated.get(header);
  if (negotiated.size >= NEGOTIATED_LIMIT) negotiated.clear();
  const format = formatFor(header);
  negotiated.set(header, format);
  return format;
}

function formatFor(header: string): ResponseFormat | undefined {
  const ranges = parseAccept(header);
  if (ranges.length === 0) return { kind: 'json' };
  for (const r of ranges) {
    const as = r.params.as;
    if (
      as === 'Table' &&
      r.params.g === 'meta.k8s.io' &&
      (r.type === 'application/json' || r.type === '*/*')
    ) {
      return { kind: 'table', version: r.params.v === 'v1beta1' ? 'v1beta1' : 'v1' };
    }
    if (
      (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
      r.params.g === 'meta.k8s.io'
    ) {
      if (r.type === 'application/json')
        return { kind: 'partial-metadata', list: as === 'PartialObjectMetadataList' };
      continue;
    }
    if (as) continue;
    if (
      r.type === 'application/json' ||
      r.type === 'application/*' ||
      r.type === '*/*' ||
      r.type === 'application/json-seq'
    ) {
      return { kind: 'json' };
    }
    if (r.type === 'application/yaml') return { kind: 'yaml' };
  }
  return undefined;
}

/** Which aggregated-discovery version the client accepts, if any (kubectl 1.29 lists only v2beta1). */
export function negotiateDiscovery(header: string | undefined): 'v2' | 'v2beta1' | 'legacy' {
  for (const r of parseAccept(header)) {
    if (r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
    }
  }
  return 'legacy';
}
