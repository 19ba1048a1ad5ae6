/** Small cluster-level groups: scheduling, coordination, discovery, storage and certificates (all v1). */
import { declare } from '../schema.js';

declare('scheduling', {
  PriorityClass: {
    metadata: '1 meta.ObjectMeta',
    value: '2 !int32',
    globalDefault: '3 bool',
    description: '4 string',
    preemptionPolicy: '5 *string',
  },
});

declare('coordination', {
  Lease: { metadata: '1 meta.ObjectMeta', spec: '2 LeaseSpec' },
  LeaseSpec: {
    holderIdentity: '1 *string',
    leaseDurationSeconds: '2 *int32',
    acquireTime: '3 *meta.MicroTime',
    renewTime: '4 *meta.MicroTime',
    leaseTransitions: '5 *int32',
    strategy: '6 *string',
    preferredHolder: '7 *string',
  },
});

declare('discovery', {
  EndpointSlice: {
    metadata: '1 meta.ObjectMeta',
    addressType: '4 string',
    endpoints: '2 []Endpoint',
    ports: '3 []EndpointPort',
  },
  Endpoint: {
    addresses: '1 []string',
    conditions: '2 EndpointConditions',
    hostname: '3 *string',
    targetRef: '4 *core.ObjectReference',
    deprecatedTopology: '5 {}string',
    nodeName: '6 *string',
    zone: '7 *string',
    hints: '8 *EndpointHints',
  },
  EndpointConditions: { ready: '1 *bool', serving: '2 *bool', terminating: '3 *bool' },
  EndpointHints: { forZones: '1 []ForZone', forNodes: '2 []ForNode' },
  ForZone: { name: '1 string' },
  ForNode: { name: '1 string' },
  EndpointPort: { name: '1 *string', protocol: '2 *string', port: '3 *int32', appProtocol: '4 *string' },
});

declare('storage', {
  StorageClass: {
    metadata: '1 meta.ObjectMeta',
    provisioner: '2 string',
    parameters: '3 {}string',
    reclaimPolicy: '4 *string',
    mountOptions: '5 []string',
    allowVolumeExpansion: '6 *bool',
    volumeBindingMode: '7 *string',
    allowedTopologies: '8 []core.TopologySelectorTerm',
  },
});

declare('node', {
  RuntimeClass: {
    metadata: '1 meta.ObjectMeta',
    handler: '2 string',
    overhead: '3 *Overhead',
    scheduling: '4 *Scheduling',
  },
  Overhead: { podFixed: '1 {}meta.Quantity' },
  Scheduling: { nodeSelector: '1 {}string', tolerations: '2 []core.Toleration' },
});

declare('certificates', {
  CertificateSigningRequest: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 CertificateSigningRequestSpec',
    status: '3 CertificateSigningRequestStatus',
  },
  CertificateSigningRequestSpec: {
    request: '1 bytes',
    signerName: '7 string',
    expirationSeconds: '8 *int32',
    usages: '5 []string',
    username: '2 string',
    uid: '3 string',
    groups: '4 []string',
    extra: '6 {}ExtraValue',
  },
  ExtraValue: { items: '1 []string' },
  CertificateSigningRequestStatus: {
    conditions: '1 []CertificateSigningRequestCondition',
    certificate: '2 bytes',
  },
  CertificateSigningRequestCondition: {
    type: '1 string',
    status: '6 string',
    reason: '2 string',
    message: '3 string',
    lastUpdateTime: '4 meta.Time',
    lastTransitionTime: '5 meta.Time',
  },
});
