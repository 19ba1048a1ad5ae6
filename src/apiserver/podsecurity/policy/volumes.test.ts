import type { Volume } from 'kubernetes-types/core/v1.js';
import { testCheck } from './testing/check-cases.js';
import { hostPathVolumesV1Dot0, restrictedVolumesV1Dot0 } from './volumes.js';

testCheck('hostPathVolumes', hostPathVolumesV1Dot0, [
  { name: 'no hostPath', spec: { volumes: [{ name: 'a', emptyDir: {} }] } },
  {
    name: 'one volume',
    spec: { volumes: [{ name: 'a', hostPath: { path: '/a' } }] },
    reason: 'hostPath volumes',
    detail: 'volume "a"',
  },
  {
    name: 'multiple volumes',
    spec: {
      volumes: [
        { name: 'a', hostPath: { path: '/a' } },
        { name: 'b', emptyDir: {} },
        { name: 'c', hostPath: { path: '/c' } },
      ],
    },
    reason: 'hostPath volumes',
    detail: 'volumes "a", "c"',
  },
]);

const allowedVolumes: Volume[] = [
  { name: 'a1', emptyDir: {} },
  { name: 'a2', secret: {} },
  { name: 'a3', persistentVolumeClaim: { claimName: 'c' } },
  { name: 'a4', downwardAPI: {} },
  { name: 'a5', configMap: {} },
  { name: 'a6', projected: {} },
  { name: 'a7', csi: { driver: 'd' } },
  { name: 'a8', ephemeral: {} },
];

// Source contents do not matter to the check; empty objects keep the table short.
const restrictedVolumes = [
  { name: 'b1', hostPath: {} },
  { name: 'b2', gcePersistentDisk: {} },
  { name: 'b3', awsElasticBlockStore: {} },
  { name: 'b4', gitRepo: {} },
  { name: 'b5', nfs: {} },
  { name: 'b6', iscsi: {} },
  { name: 'b7', glusterfs: {} },
  { name: 'b8', rbd: {} },
  { name: 'b9', flexVolume: {} },
  { name: 'b10', cinder: {} },
  { name: 'b11', cephfs: {} },
  { name: 'b12', flocker: {} },
  { name: 'b13', fc: {} },
  { name: 'b14', azureFile: {} },
  { name: 'b15', vsphereVolume: {} },
  { name: 'b16', quobyte: {} },
  { name: 'b17', azureDisk: {} },
  { name: 'b18', photonPersistentDisk: {} },
  { name: 'b19', portworxVolume: {} },
  { name: 'b20', scaleIO: {} },
  { name: 'b21', storageos: {} },
  { name: 'c1' },
] as unknown as Volume[];

testCheck('restrictedVolumes', restrictedVolumesV1Dot0, [
  { name: 'allowed types', spec: { volumes: allowedVolumes } },
  {
    name: 'every restricted type',
    spec: { volumes: [...allowedVolumes, ...restrictedVolumes] },
    reason: 'restricted volume types',
    detail:
      'volumes ' +
      '"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1"' +
      ' use restricted volume types ' +
      '"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", ' +
      '"hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"',
  },
  {
    name: 'one volume',
    spec: { volumes: [{ name: 'data', hostPath: { path: '/data' } }] },
    reason: 'restricted volume types',
    detail: 'volume "data" uses restricted volume type "hostPath"',
  },
  {
    // Image volumes were only allowed from Kubernetes 1.33; 1.32 reports them as of an unknown type.
    name: 'image volume (not allowed in 1.32)',
    spec: { volumes: [{ name: 'img', image: { reference: 'busybox' } } as Volume] },
    reason: 'restricted volume types',
    detail: 'volume "img" uses restricted volume type "unknown"',
  },
]);
