import type { AnyPlugin } from '../framework/types.js';
import { ImageLocality } from './image-locality/image-locality.js';
import { InterPodAffinity } from './inter-pod-affinity/inter-pod-affinity.js';
import { NodeAffinity } from './node-affinity/node-affinity.js';
import { NodeName } from './node-name/node-name.js';
import { NodePorts } from './node-ports/node-ports.js';
import { NodeResourcesBalancedAllocation } from './node-resources/balanced-allocation.js';
import { NodeResourcesFit } from './node-resources/fit.js';
import { NodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { PodTopologySpread } from './pod-topology-spread/pod-topology-spread.js';
import { TaintToleration } from './taint-toleration/taint-toleration.js';
import { VolumeBinding } from './volume-binding/volume-binding.js';
import { VolumeRestrictions } from './volume-restrictions/volume-restrictions.js';

export type PluginFactory = (args: unknown) => AnyPlugin;

/** Every in-tree plugin by its upstream name (upstream plugins/registry.go). */
export const pluginRegistry: Record<string, PluginFactory> = {
  NodeUnschedulable: () => new NodeUnschedulable(),
  NodeName: () => new NodeName(),
  TaintToleration: () => new TaintToleration(),
  NodeAffinity: () => new NodeAffinity(),
  NodePorts: () => new NodePorts(),
  NodeResourcesFit: (args) => new NodeResourcesFit(args ?? {}),
  VolumeRestrictions: () => new VolumeRestrictions(),
  VolumeBinding: () => new VolumeBinding(),
  PodTopologySpread: (args) => new PodTopologySpread(args),
  InterPodAffinity: () => new InterPodAffinity(),
  NodeResourcesBalancedAllocation: () => new NodeResourcesBalancedAllocation(),
  ImageLocality: () => new ImageLocality(),
};

/** The default profile's plugins in filter order, and upstream's default score weights. */
export const DEFAULT_PLUGINS = [
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
  'NodePorts',
  'NodeResourcesFit',
  'VolumeRestrictions',
  'VolumeBinding',
  'PodTopologySpread',
  'InterPodAffinity',
  'NodeResourcesBalancedAllocation',
  'ImageLocality',
];

export const DEFAULT_SCORE_WEIGHTS: Record<string, number> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

export const PREEMPTION_PLUGIN = 'DefaultPreemption';
