/** Injected time source so controllers and tests stay deterministic. */
export interface Clock {
  now(): number;
}

export const realClock: Clock = { now: () => Date.now() };

export class FakeClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

let lastSecond = NaN;
let lastText = '';

/** RFC 3339 with second precision, as Kubernetes' metav1.Time marshals. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  // Every write stamps the current second (often several times): format it once.
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** Micro-second RFC 3339, as MicroTime fields (a Lease's acquire and renew times) marshal. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}
