/** Container validation (ports, env, mounts, probes, lifecycle handlers) as pkg/apis/core/validation. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import {
  isDNS1123Label,
  isEnvVarName,
  isHTTPHeaderName,
  isValidPortName,
  isValidPortNum,
  NEGATIVE_ERROR,
} from '../../../api/validation/names.js';
import { validateResourceRequirements } from './resource-validation.js';
import { validateSecurityContext } from './security-context-validation.js';
import { arr, nonNegative, notFoundErr, obj, type Obj } from './util.js';

export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErr.invalid(path, port, m));
  if (typeof port === 'string') {
    if (port === '') return [fieldErr.required(path)];
    return isValidPortName(port).map((m) => fieldErr.invalid(path, port, m));
  }
  return [fieldErr.required(path)];
}

function validateHandler(h: Obj, path: string, allowed: string[]): FieldError[] {
  const present = allowed.filter((k) => h[k] !== undefined && h[k] !== null);
  if (present.length === 0) return [fieldErr.required(path, 'must specify a handler type')];
  const errs: FieldError[] = [];
  if (present.length > 1)
    errs.push(fieldErr.forbidden(`${path}.${present[1]}`, 'may not specify more than 1 handler type'));
  const exec = obj(h.exec);
  if (exec && arr(exec.command).length === 0) errs.push(fieldErr.required(`${path}.exec.command`));
  const http = obj(h.httpGet);
  if (http) {
    if (!http.path) errs.push(fieldErr.required(`${path}.httpGet.path`));
    errs.push(...validatePortNumOrName(http.port, `${path}.httpGet.port`));
    if (http.scheme !== 'HTTP' && http.scheme !== 'HTTPS') {
      errs.push(fieldErr.notSupported(`${path}.httpGet.scheme`, http.scheme ?? '', ['HTTP', 'HTTPS']));
    }
    arr(http.httpHeaders).forEach((hdr, i) => {
      const name = String(obj(hdr)?.name ?? '');
      for (const m of isHTTPHeaderName(name))
        errs.push(fieldErr.invalid(`${path}.httpGet.httpHeaders[${i}].name`, name, m));
    });
  }
  const tcp = obj(h.tcpSocket);
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  const grpc = obj(h.grpc);
  if (grpc) {
    const port = grpc.port;
    if (typeof port !== 'number') errs.push(fieldErr.required(`${path}.grpc.port`));
    else for (const m of isValidPortNum(port)) errs.push(fieldErr.invalid(`${path}.grpc.port`, port, m));
  }
  const sleep = obj(h.sleep);
  if (sleep && (typeof sleep.seconds !== 'number' || sleep.seconds < 0)) {
    errs.push(fieldErr.invalid(`${path}.sleep.seconds`, sleep.seconds ?? null, NEGATIVE_ERROR));
  }
  return errs;
}

function validateProbe(p: unknown, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  const probe = obj(p);
  if (!probe) return [];
  const errs = validateHandler(probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    errs.push(...nonNegative(probe[k], `${path}.${k}`));
  }
  if (kind !== 'readiness' && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    errs.push(fieldErr.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
    if (kind === 'readiness') {
      errs.push(
        fieldErr.invalid(
          `${path}.terminationGracePeriodSeconds`,
          probe.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    } else if (
      typeof probe.terminationGracePeriodSeconds === 'number' &&
      probe.terminationGracePeriodSeconds <= 0
    ) {
      errs.push(
        fieldErr.invalid(
          `${path}.terminationGracePeriodSeconds`,
          probe.terminationGracePeriodSeconds,
          'must be greater than 0',
        ),
      );
    }
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const ev = obj(e) ?? {};
    const name = typeof ev.name === 'string' ? ev.name : '';
    if (!name) errs.push(fieldErr.required(`${p}.name`));
    else for (const m of isEnvVarName(name)) errs.push(fieldErr.invalid(`${p}.name`, name, m));
    const from = obj(ev.valueFrom);
    if (!from) return;
    const fp = `${p}.valueFrom`;
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) =>
      obj(from[k]),
    );
    if (typeof ev.value === 'string' && ev.value !== '') {
      errs.push(fieldErr.invalid(fp, '', 'may not be specified when `value` is not empty'));
    }
    if (sources.length === 0) {
      errs.push(
        fieldErr.invalid(
          fp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (sources.length > 1) {
      errs.push(fieldErr.invalid(fp, '', 'may not have more than one field specified at a time'));
    }
    const fieldRef = obj(from.fieldRef);
    if (fieldRef && !fieldRef.fieldPath) errs.push(fieldErr.required(`${fp}.fieldRef.fieldPath`));
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = obj(from[k]);
      if (ref && !ref.key) errs.push(fieldErr.required(`${fp}.${k}.key`));
    }
    const rf = obj(from.resourceFieldRef);
    if (rf && !rf.resource) errs.push(fieldErr.required(`${fp}.resourceFieldRef.resource`));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const p = `${path}[${i}]`;
    const mnt = obj(m) ?? {};
    const name = typeof mnt.name === 'string' ? mnt.name : '';
    if (!name) errs.push(fieldErr.required(`${p}.name`));
    else if (!volumes.has(name)) errs.push(notFoundErr(`${p}.name`, name));
    const mountPath = typeof mnt.mountPath === 'string' ? mnt.mountPath : '';
    if (!mountPath) errs.push(fieldErr.required(`${p}.mountPath`));
    else {
      if (seen.has(mountPath)) errs.push(fieldErr.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
      seen.add(mountPath);
    }
    if (typeof mnt.subPath === 'string' && mnt.subPath) {
      if (mnt.subPath.startsWith('/'))
        errs.push(fieldErr.invalid(`${p}.subPath`, mnt.subPath, 'must be a relative path'));
      else if (mnt.subPath.split('/').includes('..')) {
        errs.push(fieldErr.invalid(`${p}.subPath`, mnt.subPath, "must not contain '..'"));
      }
    }
  });
  return errs;
}

export interface PortKey {
  seen: Set<string>;
}

function validateContainerPorts(ports: unknown, path: string, hostPorts: PortKey): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((pt, i) => {
    const p = `${path}[${i}]`;
    const port = obj(pt) ?? {};
    if (typeof port.name === 'string' && port.name !== '') {
      for (const m of isValidPortName(port.name)) errs.push(fieldErr.invalid(`${p}.name`, port.name, m));
      if (names.has(port.name)) errs.push(fieldErr.duplicate(`${p}.name`, port.name));
      names.add(port.name);
    }
    if (port.containerPort === undefined || port.containerPort === 0)
      errs.push(fieldErr.required(`${p}.containerPort`));
    else
      for (const m of isValidPortNum(Number(port.containerPort)))
        errs.push(fieldErr.invalid(`${p}.containerPort`, port.containerPort, m));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      for (const m of isValidPortNum(Number(port.hostPort)))
        errs.push(fieldErr.invalid(`${p}.hostPort`, port.hostPort, m));
    }
    const protocol = port.protocol;
    if (!protocol) errs.push(fieldErr.required(`${p}.protocol`));
    else if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) {
      errs.push(fieldErr.notSupported(`${p}.protocol`, protocol, ['SCTP', 'TCP', 'UDP']));
    }
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      const key = `${port.hostIP ?? ''}/${port.hostPort}/${protocol ?? ''}`;
      if (hostPorts.seen.has(key))
        errs.push(fieldErr.duplicate(`${p}.hostPort`, `${port.hostPort}/${protocol}`));
      hostPorts.seen.add(key);
    }
  });
  return errs;
}

export type ContainerKind = 'containers' | 'initContainers';

const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

/** validateSeccompProfileField: `path` is the securityContext's. */
export function validateSeccompProfile(securityContext: unknown, path: string): FieldError[] {
  const profile = obj(obj(securityContext)?.seccompProfile);
  if (!profile) return [];
  const p = `${path}.seccompProfile`;
  const type = profile.type;
  const local = profile.localhostProfile;
  if (!type) return [fieldErr.required(`${p}.type`, 'type is required when seccompProfile is set')];
  if (!SECCOMP_TYPES.includes(type)) return [fieldErr.notSupported(`${p}.type`, type, SECCOMP_TYPES)];
  if (type !== 'Localhost') {
    return local === undefined || local === null
      ? []
      : [fieldErr.invalid(`${p}.localhostProfile`, local, 'can only be set when seccomp type is Localhost')];
  }
  if (typeof local !== 'string' || local === '')
    return [fieldErr.required(`${p}.localhostProfile`, 'must be set when seccomp type is Localhost')];
  if (local.startsWith('/'))
    return [fieldErr.invalid(`${p}.localhostProfile`, local, 'must be a relative path')];
  if (local.split('/').includes('..'))
    return [fieldErr.invalid(`${p}.localhostProfile`, local, "must not contain '..'")];
  return [];
}

export function validateContainer(
  c: Obj,
  path: string,
  kind: ContainerKind,
  volumes: Set<string>,
  names: Set<string>,
  hostPorts: PortKey,
  hostUsers = true,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof c.name === 'string' ? c.name : '';
  if (!name) errs.push(fieldErr.required(`${path}.name`));
  else {
    for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(`${path}.name`, name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
    names.add(name);
  }
  if (typeof c.image !== 'string' || c.image === '') errs.push(fieldErr.required(`${path}.image`));
  else if (c.image !== c.image.trim()) {
    errs.push(fieldErr.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  }
  const pull = c.imagePullPolicy;
  if (!pull) errs.push(fieldErr.required(`${path}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) {
    errs.push(fieldErr.notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  }
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(fieldErr.required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(
      fieldErr.notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']),
    );
  }
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`, hostPorts));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`));
  errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`, hostUsers));
  if (kind === 'containers') {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, 'readiness'));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, 'startup'));
    if (c.restartPolicy !== undefined)
      errs.push(fieldErr.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
  } else {
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) {
      errs.push(fieldErr.notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (!sidecar) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[probe])
          errs.push(
            fieldErr.forbidden(
              `${path}.${probe}`,
              'may not be set for init containers without restartPolicy=Always',
            ),
          );
      }
    } else {
      errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, 'readiness'));
      errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, 'startup'));
    }
  }
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) {
    for (const hook of ['postStart', 'preStop']) {
      const h = obj(lifecycle[hook]);
      if (h)
        errs.push(
          ...validateHandler(h, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']),
        );
    }
  }
  return errs;
}
