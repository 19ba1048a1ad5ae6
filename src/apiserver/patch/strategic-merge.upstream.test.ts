/**
 * Strategic merge results recorded from upstream's implementation (`kubectl patch --local -o json`,
 * kubectl v1.32) on the inputs in strategic-merge.fixtures.json.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseApiVersion } from '../../api/meta.js';
import { rootTypeFor } from './patch-meta.js';
import { strategicMerge } from './strategic-merge.js';

interface Fixture {
  name: string;
  kind: string;
  live: Record<string, unknown>;
  patch: Record<string, unknown>;
  want: unknown;
}

const fixtures = JSON.parse(
  readFileSync(new URL('./strategic-merge.fixtures.json', import.meta.url), 'utf8'),
) as Fixture[];

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

void describe('strategic merge matches upstream', () => {
  for (const f of fixtures) {
    void test(f.name, () => {
      const { group } = parseApiVersion(String(f.live.apiVersion));
      const got = strategicMerge(f.live, f.patch, rootTypeFor({ group, kind: f.kind }));
      assert.deepEqual(canonical(got), f.want);
    });
  }
});
