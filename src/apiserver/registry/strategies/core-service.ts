/**
 * Service (core/v1): defaults (v1 defaults.go plus the single-stack IP family defaults the REST storage
 * applies), validation and the update carry-overs of upstream's strategy. IP and node-port allocation
 * happen elsewhere; this only checks what the user sent.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabels } from '../../../api/labels.js';
import { isValidPortName, isValidPortNum } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { PORT_PROTOCOLS, validateNonSpecialIP } from './core-endpoints.js';
import {
  child,
  clone,
  goStrings,
  invalidRaw,
  list,
  rec,
  sameJSON,
  str,
  validateDNSLabel,
  validateCIDR,
  validateDNSSubdomain,
  validateIP,
  validateQualifiedName,
  type Obj,
} from './core-common.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const DEFAULT_AFFINITY_TIMEOUT = 10800;
const MAX_AFFINITY_TIMEOUT = 86400;

const specOf = (obj: KubeObject): Obj => rec(obj.spec) ?? {};
const usesNodePorts = (type: string): boolean => type === 'NodePort' || type === 'LoadBalancer';
const externallyAccessible = (spec: Obj): boolean =>
  usesNodePorts(str(spec.type)) || (spec.type === 'ClusterIP' && list(spec.externalIPs).length > 0);

function isZeroTargetPort(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === '';
}

function defaultService(obj: KubeObject): void {
  const spec = child(obj, 'spec');
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig'), 'clientIP');
    if (clientIP.timeoutSeconds === undefined || clientIP.timeoutSeconds === null) {
      clientIP.timeoutSeconds = DEFAULT_AFFINITY_TIMEOUT;
    }
  }
  for (const item of list(spec.ports)) {
    const port = rec(item);
    if (!port) continue;
    if (!port.protocol) port.protocol = 'TCP';
    if (isZeroTargetPort(port.targetPort)) port.targetPort = port.port;
  }
  if (!spec.externalTrafficPolicy && externallyAccessible(spec)) spec.externalTrafficPolicy = 'Cluster';
  const type = str(spec.type);
  if (type !== 'ExternalName') {
    if (!spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
    normalizeClusterIPs(spec);
    defaultIPFamilies(spec);
  }
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) {
    spec.allocateLoadBalancerNodePorts = true;
  }
}

/** A client that only sets clusterIP (the singular field) gets clusterIPs filled from it. */
function normalizeClusterIPs(spec: Obj): void {
  const ip = str(spec.clusterIP);
  if (ip && list(spec.clusterIPs).length === 0) spec.clusterIPs = [ip];
}

/** This cluster is single-stack IPv4, as upstream's defaults on such a cluster. */
function defaultIPFamilies(spec: Obj): void {
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(rec(spec.selector) ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  if (list(spec.ipFamilies).length === 0) {
    const first = list(spec.clusterIPs)[0];
    spec.ipFamilies = typeof first === 'string' && first.includes(':') ? ['IPv6'] : ['IPv4'];
  }
}

function prepareServiceCreate(obj: KubeObject): void {
  obj.status = { loadBalancer: {} };
}

const needsClusterIP = (spec: Obj): boolean => str(spec.type) !== 'ExternalName';
const needsNodePort = (spec: Obj): boolean =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckNodePort = (spec: Obj): boolean =>
  spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
const nodePortsOf = (spec: Obj): unknown[] => list(spec.ports).map((p) => rec(p)?.nodePort ?? 0);

/** Fill allocated values the client left out (patchAllocatedValues), for idempotent updates. */
function patchAllocatedValues(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (list(spec.clusterIPs).length === 0 && list(oldSpec.clusterIPs).length > 0) {
      spec.clusterIPs = clone(oldSpec.clusterIPs);
    }
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const used = new Set(nodePortsOf(spec).filter((n) => n));
    const byName = new Map<string, unknown>();
    for (const p of list(oldSpec.ports)) byName.set(str(rec(p)?.name), rec(p)?.nodePort);
    for (const p of list(spec.ports)) {
      const port = rec(p);
      if (!port || port.nodePort) continue;
      const oldValue = byName.get(str(port.name));
      if (oldValue && !used.has(oldValue)) port.nodePort = oldValue;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort) {
    if (oldSpec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/** Keep clusterIP and clusterIPs in step when an (old) client touched only one of them. */
function normalizeClusterIPsOnUpdate(spec: Obj, oldSpec: Obj): void {
  const sameIPs = sameJSON(spec.clusterIPs, oldSpec.clusterIPs);
  if (list(oldSpec.clusterIPs).length > 0 && list(spec.clusterIPs).length === 0) {
    if (oldSpec.clusterIP === spec.clusterIP) spec.clusterIPs = clone(oldSpec.clusterIPs);
  }
  if (str(oldSpec.clusterIP) !== str(spec.clusterIP)) {
    if (str(oldSpec.clusterIP) && !str(spec.clusterIP) && sameIPs) delete spec.clusterIPs;
    if (str(spec.clusterIP) && sameIPs) spec.clusterIPs = [spec.clusterIP];
  }
}

/** Wipe values that the new type no longer uses, when the client did not change them (dropTypeDependentFields). */
function dropTypeDependentFields(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (sameJSON(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJSON(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (sameJSON(spec.ipFamilyPolicy, oldSpec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(oldSpec) && !needsNodePort(spec) && sameJSON(nodePortsOf(spec), nodePortsOf(oldSpec))) {
    for (const p of list(spec.ports)) delete rec(p)?.nodePort;
  }
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec)) {
    if (sameJSON(spec.healthCheckNodePort, oldSpec.healthCheckNodePort)) delete spec.healthCheckNodePort;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    const a = spec.allocateLoadBalancerNodePorts;
    if (typeof a === 'boolean' && a === oldSpec.allocateLoadBalancerNodePorts)
      delete spec.allocateLoadBalancerNodePorts;
    if (sameJSON(spec.loadBalancerClass, oldSpec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
}

function prepareServiceUpdate(obj: KubeObject, old: KubeObject): void {
  const spec = child(obj, 'spec');
  const oldSpec = specOf(old);
  patchAllocatedValues(spec, oldSpec);
  normalizeClusterIPsOnUpdate(spec, oldSpec);
  dropTypeDependentFields(spec, oldSpec);
  obj.status = old.status === undefined ? { loadBalancer: {} } : clone(old.status);
  // A service that is no longer a load balancer loses its load-balancer status.
  if (spec.type !== 'LoadBalancer') child(obj, 'status').loadBalancer = {};
}

/** A port number or an IANA service name (ValidatePortNumOrName). */
export function validatePortNumOrName(value: unknown, path: string): FieldError[] {
  if (typeof value === 'number') return isValidPortNum(value).map((m) => fieldErr.invalid(path, value, m));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value))
      return isValidPortNum(Number(value)).map((m) => fieldErr.invalid(path, value, m));
    return isValidPortName(value).map((m) => fieldErr.invalid(path, value, m));
  }
  return [fieldErr.typeInvalid(path, value ?? null, 'must be an integer or a string')];
}

function validateServicePort(
  item: unknown,
  requireName: boolean,
  names: Set<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const port = rec(item) ?? {};
  const name = str(port.name);
  if (requireName && name === '') errs.push(fieldErr.required(`${path}.name`));
  else if (name !== '') {
    errs.push(...validateDNSLabel(name, `${path}.name`));
    if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
    names.add(name);
  }
  for (const msg of isValidPortNum(Number(port.port ?? 0))) {
    errs.push(fieldErr.invalid(`${path}.port`, port.port ?? 0, msg));
  }
  const protocol = str(port.protocol);
  if (protocol === '') errs.push(fieldErr.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(protocol)) {
    errs.push(fieldErr.notSupported(`${path}.protocol`, protocol, PORT_PROTOCOLS));
  }
  errs.push(...validatePortNumOrName(port.targetPort, `${path}.targetPort`));
  return errs;
}

/** Go's %#v of the (protocol, port) or (protocol, nodePort) key used in duplicate-port messages. */
function portKeyText(protocol: string, port: number, nodePort: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:"${protocol}", AppProtocol:(*string)(nil), Port:${port}, ` +
    `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:${nodePort}}`
  );
}

function familyOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

const isHeadless = (spec: Obj): boolean => {
  const ips = list(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
};

/** ValidateServiceClusterIPsRelatedFields: clusterIP(s), ipFamilies and ipFamilyPolicy together. */
function validateClusterIPs(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ips = list(spec.clusterIPs).map(str);
  const clusterIP = str(spec.clusterIP);
  if (clusterIP !== '') {
    if (ips.length === 0) errs.push(fieldErr.required('spec.clusterIPs'));
    else if (ips[0] !== clusterIP) {
      errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), 'first value must match `clusterIP`'));
    }
  } else if (ips.length > 0) {
    errs.push(
      invalidRaw('spec.clusterIPs', goStrings(ips), 'must be empty when `clusterIP` is not specified'),
    );
  }
  const families = list(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldErr.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(fieldErr.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !FAMILY_POLICIES.includes(str(policy))) {
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', policy, FAMILY_POLICIES));
  }
  let invalidIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalidIPs = true;
        errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = validateIP(ip, `spec.clusterIPs[${i}]`);
    if (ipErrs.length) invalidIPs = true;
    errs.push(...ipErrs);
  });
  if (ips.length > 2)
    errs.push(invalidRaw('spec.clusterIPs', goStrings(ips), 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (ips.length === 2 && familyOf(ips[0] ?? '') === familyOf(ips[1] ?? '')) {
    errs.push(
      invalidRaw('spec.clusterIPs', goStrings(ips), 'may specify no more than one IP for each IP family'),
    );
  }
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const family = families[i];
      if (family === 'IPv4' && familyOf(ip) === 6) {
        errs.push(
          fieldErr.invalid(
            `spec.clusterIPs[${i}]`,
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
      if (family === 'IPv6' && familyOf(ip) === 4) {
        errs.push(
          fieldErr.invalid(
            `spec.clusterIPs[${i}]`,
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
    });
  }
  return errs;
}

function validateService(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(obj);
  const type = str(spec.type);
  const ports = list(spec.ports);
  const headless = isHeadless(spec);

  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErr.required('spec.ports'));
  switch (type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) {
        errs.push(
          fieldErr.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`),
        );
      }
      break;
    case 'ExternalName': {
      if (list(spec.clusterIPs).length > 0) {
        errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      }
      if (list(spec.ipFamilies).length > 0) {
        errs.push(fieldErr.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      }
      if (spec.ipFamilyPolicy) {
        errs.push(fieldErr.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      }
      // A trailing dot marks the name as fully qualified.
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname === '') errs.push(fieldErr.required('spec.externalName'));
      else errs.push(...validateDNSSubdomain(cname, 'spec.externalName'));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector !== undefined && spec.selector !== null) {
    errs.push(...validateLabels(spec.selector, 'spec.selector'));
  }

  const affinity = str(spec.sessionAffinity);
  if (affinity === '') errs.push(fieldErr.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(affinity))
    errs.push(fieldErr.notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  if (affinity === 'ClientIP') {
    const config = rec(spec.sessionAffinityConfig);
    const clientIP = rec(config?.clientIP);
    if (!config)
      errs.push(fieldErr.required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!clientIP) {
      errs.push(
        fieldErr.required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'),
      );
    } else {
      const t = clientIP.timeoutSeconds;
      if (typeof t !== 'number' || t <= 0 || t > MAX_AFFINITY_TIMEOUT) {
        errs.push(
          fieldErr.invalid(
            'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
            t ?? null,
            `must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT}`,
          ),
        );
      }
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(
      fieldErr.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'),
    );
  }

  if (type !== 'ExternalName') errs.push(...validateClusterIPs(spec));
  list(spec.externalIPs).forEach((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    const ipErrs = validateIP(ip, path);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(str(ip), path)));
  });

  if (type === '') errs.push(fieldErr.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fieldErr.notSupported('spec.type', type, SERVICE_TYPES));

  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (rec(p)?.nodePort) {
        errs.push(
          fieldErr.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"),
        );
      }
    });
  }
  const seenNodePorts = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const port = rec(p) ?? {};
    const protocol = str(port.protocol);
    const nodePort = Number(port.nodePort ?? 0);
    if (nodePort !== 0) {
      const key = `${protocol}/${nodePort}`;
      if (seenNodePorts.has(key)) errs.push(fieldErr.duplicate(`spec.ports[${i}].nodePort`, nodePort));
      seenNodePorts.add(key);
    }
    const key = `${protocol}/${String(port.port)}`;
    if (seenPorts.has(key)) {
      errs.push({
        type: 'FieldValueDuplicate',
        field: `spec.ports[${i}]`,
        message: `Duplicate value: ${portKeyText(protocol, Number(port.port ?? 0), 0)}`,
      });
    }
    seenPorts.add(key);
  });

  const ranges = list(spec.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    // Upstream names this path with a capital L.
    const path = 'spec.LoadBalancerSourceRanges';
    if (type !== 'LoadBalancer')
      errs.push(fieldErr.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...validateCIDR(str(r).trim(), `${path}[${i}]`)));
  }
  const allocate = spec.allocateLoadBalancerNodePorts;
  if (allocate !== undefined && allocate !== null && type !== 'LoadBalancer') {
    errs.push(
      fieldErr.forbidden(
        'spec.allocateLoadBalancerNodePorts',
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }
  if (type === 'LoadBalancer' && (allocate === undefined || allocate === null)) {
    // Upstream reports this one without the `spec.` prefix.
    errs.push(fieldErr.required('allocateLoadBalancerNodePorts'));
  }
  errs.push(...validateLoadBalancerClass(spec));

  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp !== '') {
      errs.push(
        fieldErr.invalid(
          'spec.externalTrafficPolicy',
          etp,
          'may only be set for externally-accessible services',
        ),
      );
    }
  } else if (etp === '') errs.push(fieldErr.required('spec.externalTrafficPolicy'));
  else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  // healthCheckNodePort is allocated elsewhere, so a missing one is not reported here.
  const hc = spec.healthCheckNodePort;
  if (hc !== undefined && hc !== null && hc !== 0) {
    if (!needsHealthCheckNodePort(spec)) {
      errs.push(
        fieldErr.invalid(
          'spec.healthCheckNodePort',
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    } else {
      for (const m of isValidPortNum(Number(hc)))
        errs.push(fieldErr.invalid('spec.healthCheckNodePort', hc, m));
    }
  }
  const itp = spec.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) {
    errs.push(fieldErr.required('spec.internalTrafficPolicy'));
  }
  if (itp !== undefined && itp !== null && !TRAFFIC_POLICIES.includes(str(itp))) {
    errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  const distribution = spec.trafficDistribution;
  if (distribution !== undefined && distribution !== null && distribution !== 'PreferClose') {
    errs.push(fieldErr.notSupported('spec.trafficDistribution', distribution, ['PreferClose']));
  }
  return errs;
}

function validateLoadBalancerClass(spec: Obj, oldSpec?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const cls = spec.loadBalancerClass;
  const set = cls !== undefined && cls !== null;
  if (oldSpec && oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer') {
    if (!sameJSON(cls, oldSpec.loadBalancerClass)) {
      errs.push(fieldErr.invalid('spec.loadBalancerClass', cls ?? null, 'may not change once set'));
    }
  }
  if (spec.type === 'LoadBalancer') {
    if (set) errs.push(...validateQualifiedName(str(cls), 'spec.loadBalancerClass'));
  } else if (set) {
    errs.push(fieldErr.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs: the primary (and a kept secondary) cluster IP never changes. */
function validateClusterIPsUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const ips = list(spec.clusterIPs).map(str);
  const oldIPs = list(oldSpec.clusterIPs).map(str);
  const rendered = goStrings(ips);
  const errs: FieldError[] = [];
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalidRaw(`spec.clusterIPs[${i}]`, rendered, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0)
      errs.push(invalidRaw('spec.clusterIPs[0]', rendered, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) {
      errs.push(invalidRaw('spec.clusterIPs[0]', rendered, 'may not change once set'));
    }
    if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(
        fieldErr.invalid(
          'spec.ipFamilyPolicy',
          spec.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalidRaw('spec.clusterIPs[0]', rendered, 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(spec: Obj, oldSpec: Obj): FieldError[] {
  if (isHeadless(spec) || isHeadless(oldSpec)) return [];
  const families = list(spec.ipFamilies).map(str);
  const oldFamilies = list(oldSpec.ipFamilies).map(str);
  const rendered = `[]core.IPFamily{${families.map((f) => JSON.stringify(f)).join(', ')}}`;
  if (oldFamilies.length === families.length) {
    return oldFamilies.some((f, i) => f !== families[i])
      ? [invalidRaw('spec.ipFamilies[0]', rendered, 'may not change once set')]
      : [];
  }
  if (families.length > 0 && oldFamilies.length > 0 && families[0] !== oldFamilies[0]) {
    return [invalidRaw('spec.ipFamilies[0]', goStrings(list(spec.clusterIPs)), 'may not change once set')];
  }
  return [];
}

function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs: FieldError[] = [];
  if (needsClusterIP(spec) && needsClusterIP(oldSpec)) {
    errs.push(...validateClusterIPsUpdate(spec, oldSpec));
    errs.push(...validateIPFamiliesUpdate(spec, oldSpec));
  }
  errs.push(
    ...validateLoadBalancerClass(spec, oldSpec).filter((e) => e.message.endsWith('may not change once set')),
  );
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec)) {
    if (spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
      errs.push(fieldErr.forbidden('spec.healthCheckNodePort', 'field is immutable'));
    }
  }
  return errs;
}

export const serviceStrategy: Strategy = {
  defaults: defaultService,
  prepareForCreate: prepareServiceCreate,
  prepareForUpdate: prepareServiceUpdate,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
};
