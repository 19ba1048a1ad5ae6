/**
 * Which encoding of `/openapi/v2` a request gets, as kube-openapi's handler decides: Accept clauses by
 * preference (q, then specificity), the first that matches JSON or either protobuf spelling wins; an empty
 * Accept means any (JSON). Undefined: nothing acceptable (upstream answers 406).
 */
export type OpenApiV2Encoding = 'json' | 'protobuf';

/** The Content-Type upstream answers protobuf with, whichever of the two spellings was asked for. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const OFFERS: ReadonlyArray<{ type: string; subtype: string; encoding: OpenApiV2Encoding }> = [
  { type: 'application', subtype: 'json', encoding: 'json' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', encoding: 'protobuf' },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', encoding: 'protobuf' },
];

interface Clause {
  type: string;
  subtype: string;
  q: number;
  wildcards: number;
}

function parseClauses(header: string): Clause[] {
  const clauses: Clause[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim());
    const slash = range.indexOf('/');
    const type = slash < 0 ? range : range.slice(0, slash);
    const subtype = slash < 0 ? '*' : range.slice(slash + 1);
    if (type === '') continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((x) => x.trim());
      if (k === 'q' && v !== undefined && !Number.isNaN(Number(v))) q = Number(v);
    }
    const wildcards = (type === '*' ? 1 : 0) + (subtype === '*' ? 1 : 0);
    clauses.push({ type: type.toLowerCase(), subtype: subtype.toLowerCase(), q, wildcards });
  }
  // Array.prototype.sort is stable: equal clauses keep the client's order.
  return clauses.sort((a, b) => b.q - a.q || a.wildcards - b.wildcards);
}

export function negotiateOpenApiV2(accept: string | undefined): OpenApiV2Encoding | undefined {
  const header = accept === undefined || accept.trim() === '' ? '*/*' : accept;
  for (const clause of parseClauses(header)) {
    for (const offer of OFFERS) {
      if (clause.type !== offer.type && clause.type !== '*') continue;
      if (clause.subtype !== offer.subtype && clause.subtype !== '*') continue;
      return offer.encoding;
    }
  }
  return undefined;
}
