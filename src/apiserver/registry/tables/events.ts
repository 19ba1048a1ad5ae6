import type { KubeObject } from '../../../api/meta.js';
import { eventsV1ToCore } from '../conversion/events.js';
import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import { col, nameColumn, num, rec, since, str } from './format.js';

function formatSource(event: KubeObject): string {
  const source = rec(event.source);
  const component = str(source.component) || str(event.reportingComponent);
  const instance = str(source.host) || str(event.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

/** Rows for core/v1 events; events.k8s.io objects are converted first (both share one storage upstream). */
export const eventTable: TableConvertor = {
  columns: [
    col('Last Seen', doc.evLast),
    col('Type', doc.evType),
    col('Reason', doc.evReason),
    col('Object', doc.evInvolved),
    col('Subobject', doc.evFieldPath, 1),
    col('Source', doc.evSource, 1),
    col('Message', doc.evMessage),
    col('First Seen', doc.evFirst, 1),
    col('Count', doc.evCount, 1),
    { ...nameColumn, priority: 1 },
  ],
  cells(input, now) {
    const event = str(input.apiVersion).startsWith('events.k8s.io/') ? eventsV1ToCore(input) : input;
    let firstSeen = since(event.firstTimestamp, now);
    if (!str(event.firstTimestamp)) firstSeen = since(event.eventTime, now);
    let lastSeen = str(event.lastTimestamp) ? since(event.lastTimestamp, now) : firstSeen;
    let count = num(event.count);
    const series = rec(event.series);
    if (event.series !== undefined && event.series !== null) {
      lastSeen = since(series.lastObservedTime, now);
      count = num(series.count);
    } else if (count === 0) {
      count = 1; // singleton events carry no count in the new API
    }
    const involved = rec(event.involvedObject);
    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
    return [
      lastSeen,
      str(event.type),
      str(event.reason),
      target,
      str(involved.fieldPath),
      formatSource(event),
      str(event.message).trim(),
      firstSeen,
      count,
      event.metadata?.name ?? '',
    ];
  },
};
