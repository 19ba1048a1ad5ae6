export { httpGet, type HttpGetTarget } from './http-get.js';
export { ProbeManager, type ContainerView, type ProbeEvent, type ProbeType } from './probe-manager.js';
export { resolvePort, runProbe, type ProbeOutcome, type ProbeResult } from './prober.js';
