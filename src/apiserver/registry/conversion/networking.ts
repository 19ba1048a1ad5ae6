import type { KubeObject } from '../../../api/meta.js';
import type { VersionAlias } from '../types.js';
import { deprecation, rec, withApiVersion, type Obj } from './util.js';

/** v1beta1 `{serviceName, servicePort}` → v1 `{service: {name, port: {number} | {name}}}`; resource backends pass through. */
function backendToV1(backend: Obj): Obj {
  const out: Obj = {};
  if (backend.resource !== undefined) out.resource = backend.resource;
  if (backend.serviceName !== undefined || backend.servicePort !== undefined) {
    const service: Obj = { name: backend.serviceName ?? '' };
    const port = backend.servicePort;
    if (typeof port === 'number') service.port = { number: port };
    else if (typeof port === 'string' && port !== '') service.port = { name: port };
    out.service = service;
  }
  return out;
}

function backendFromV1(backend: Obj): Obj {
  const out: Obj = {};
  if (backend.resource !== undefined) out.resource = backend.resource;
  const service = rec(backend.service);
  if (service) {
    out.serviceName = service.name ?? '';
    const port = rec(service.port);
    if (port?.number !== undefined) out.servicePort = port.number;
    else if (port?.name !== undefined) out.servicePort = port.name;
  }
  return out;
}

function mapPaths(spec: Obj, convert: (b: Obj) => Obj, defaultPathType: boolean): void {
  for (const rule of Array.isArray(spec.rules) ? (spec.rules as Obj[]) : []) {
    const http = rec(rule.http);
    for (const path of Array.isArray(http?.paths) ? (http.paths as Obj[]) : []) {
      const backend = rec(path.backend);
      if (backend) path.backend = convert(backend);
      if (defaultPathType) path.pathType ??= 'ImplementationSpecific';
    }
  }
}

function ingressToV1(obj: KubeObject): KubeObject {
  const out = withApiVersion(obj, 'networking.k8s.io/v1');
  const spec = rec(out.spec);
  if (spec) {
    const backend = rec(spec.backend);
    delete spec.backend;
    if (backend) spec.defaultBackend = backendToV1(backend);
    mapPaths(spec, backendToV1, true);
  }
  return out;
}

function ingressFromV1(obj: KubeObject, apiVersion: string): KubeObject {
  const out = withApiVersion(obj, apiVersion);
  const spec = rec(out.spec);
  if (spec) {
    const backend = rec(spec.defaultBackend);
    delete spec.defaultBackend;
    if (backend) spec.backend = backendFromV1(backend);
    mapPaths(spec, backendFromV1, false);
  }
  return out;
}

function ingressAlias(group: string, deprecatedIn: string): VersionAlias {
  const apiVersion = `${group}/v1beta1`;
  return {
    group,
    version: 'v1beta1',
    toCanonical: ingressToV1,
    fromCanonical: (obj) => ingressFromV1(obj, apiVersion),
    ...deprecation(apiVersion, 'Ingress', deprecatedIn, '1.22', 'networking.k8s.io/v1 Ingress'),
  };
}

export const ingressAliases: VersionAlias[] = [
  ingressAlias('extensions', '1.14'),
  ingressAlias('networking.k8s.io', '1.19'),
];

/** Same shape in both versions. */
export const networkPolicyAliases: VersionAlias[] = [
  {
    group: 'extensions',
    version: 'v1beta1',
    toCanonical: (obj) => withApiVersion(obj, 'networking.k8s.io/v1'),
    fromCanonical: (obj) => withApiVersion(obj, 'extensions/v1beta1'),
    ...deprecation(
      'extensions/v1beta1',
      'NetworkPolicy',
      '1.9',
      '1.16',
      'networking.k8s.io/v1 NetworkPolicy',
    ),
  },
];
