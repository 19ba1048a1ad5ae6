import { deprecation } from './util.js';
import type { KubeObject } from '../../../api/meta.js';
import type { VersionAlias } from '../types.js';

/** events.k8s.io/v1 field ↔ core/v1 field (upstream pkg/apis/events/v1 conversion). Other fields keep their names. */
const RENAMES: Array<[eventsV1: string, coreV1: string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, apiVersion: string, pairs: Array<[string, string]>): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export function eventsV1ToCore(obj: KubeObject): KubeObject {
  return rename(obj, 'v1', RENAMES);
}

export function coreToEventsV1(obj: KubeObject): KubeObject {
  return rename(
    obj,
    'events.k8s.io/v1',
    RENAMES.map(([a, b]) => [b, a]),
  );
}

/** events.k8s.io/v1 is a current API (not deprecated): same storage as core events, other field names. */
export const eventsV1Alias: VersionAlias = {
  group: 'events.k8s.io',
  version: 'v1',
  toCanonical: eventsV1ToCore,
  fromCanonical: coreToEventsV1,
};

export const eventsV1beta1Alias: VersionAlias = {
  group: 'events.k8s.io',
  version: 'v1beta1',
  toCanonical: eventsV1ToCore,
  fromCanonical: (obj) => ({ ...coreToEventsV1(obj), apiVersion: 'events.k8s.io/v1beta1' }),
  ...deprecation('events.k8s.io/v1beta1', 'Event', '1.22', '1.25', 'events.k8s.io/v1 Event'),
};
