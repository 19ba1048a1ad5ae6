import { yaml } from '../util/yaml.js';
import { Framework } from './framework/framework.js';
import type { AnyPlugin } from './framework/types.js';
import {
  DEFAULT_PLUGINS,
  DEFAULT_SCORE_WEIGHTS,
  PREEMPTION_PLUGIN,
  pluginRegistry,
} from './plugins/registry.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const API_VERSION = 'kubescheduler.config.k8s.io/v1';

export interface SchedulerConfig {
  profiles: Framework[];
  /** 0: adaptive (upstream default). */
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
}

interface PluginRef {
  name: string;
  weight?: number;
}
interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}
interface ProfileDoc {
  schedulerName?: string;
  plugins?: Record<string, PluginSet | undefined>;
  pluginConfig?: { name: string; args?: unknown }[];
}
interface ConfigDoc {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  profiles?: ProfileDoc[];
}

export function defaultSchedulerConfig(): SchedulerConfig {
  return buildConfig({});
}

/**
 * A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles[].schedulerName, plugins
 * (enabled/disabled per extension point, score weights; `multiPoint` and `score` honoured, '*' disables all
 * defaults), pluginConfig[].args (NodeResourcesFit scoringStrategy), percentageOfNodesToScore, pod backoff.
 */
export function parseSchedulerConfig(text: string): SchedulerConfig {
  const doc = yaml().parse(text) as ConfigDoc | null;
  if (!doc || typeof doc !== 'object') throw new Error('scheduler config: not a YAML mapping');
  if (doc.apiVersion !== API_VERSION) {
    throw new Error(`scheduler config: apiVersion must be ${API_VERSION}, got ${String(doc.apiVersion)}`);
  }
  if (doc.kind !== 'KubeSchedulerConfiguration') {
    throw new Error(`scheduler config: kind must be KubeSchedulerConfiguration, got ${String(doc.kind)}`);
  }
  return buildConfig(doc);
}

function buildConfig(doc: ConfigDoc): SchedulerConfig {
  const profiles = (doc.profiles?.length ? doc.profiles : [{}]).map(buildProfile);
  const names = new Set<string>();
  for (const p of profiles) {
    if (names.has(p.name)) throw new Error(`scheduler config: duplicate profile ${p.name}`);
    names.add(p.name);
  }
  const pct = doc.percentageOfNodesToScore ?? 0;
  if (pct < 0 || pct > 100) throw new Error('scheduler config: percentageOfNodesToScore must be in [0, 100]');
  return {
    profiles,
    percentageOfNodesToScore: pct,
    podInitialBackoffMs: (doc.podInitialBackoffSeconds ?? 1) * 1000,
    podMaxBackoffMs: (doc.podMaxBackoffSeconds ?? 10) * 1000,
  };
}

function buildProfile(p: ProfileDoc): Framework {
  const name = p.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const args = new Map((p.pluginConfig ?? []).map((c) => [c.name, c.args]));
  const sets = [p.plugins?.multiPoint, p.plugins?.filter, p.plugins?.score, p.plugins?.postFilter].filter(
    (s): s is PluginSet => !!s,
  );
  const disabled = new Set(sets.flatMap((s) => (s.disabled ?? []).map((r) => r.name)));
  const allDefaultsOff = disabled.has('*');
  const weights: Record<string, number> = {};
  const enabledNames: string[] = [];
  for (const n of DEFAULT_PLUGINS) {
    if (allDefaultsOff || disabled.has(n)) continue;
    enabledNames.push(n);
    if (DEFAULT_SCORE_WEIGHTS[n] !== undefined) weights[n] = DEFAULT_SCORE_WEIGHTS[n];
  }
  // Score-only disabling keeps the plugin's filter.
  const scoreDisabled = new Set((p.plugins?.score?.disabled ?? []).map((r) => r.name));
  for (const n of scoreDisabled) delete weights[n];
  const filterDisabled = new Set((p.plugins?.filter?.disabled ?? []).map((r) => r.name));
  for (const s of sets) {
    for (const ref of s.enabled ?? []) {
      if (ref.name === PREEMPTION_PLUGIN) continue;
      if (!pluginRegistry[ref.name])
        throw new Error(`scheduler config: unknown plugin ${ref.name} in profile ${name}`);
      if (!enabledNames.includes(ref.name)) enabledNames.push(ref.name);
      if (ref.weight !== undefined) weights[ref.name] = ref.weight;
      else if (weights[ref.name] === undefined && DEFAULT_SCORE_WEIGHTS[ref.name] !== undefined) {
        weights[ref.name] = DEFAULT_SCORE_WEIGHTS[ref.name]!;
      }
    }
  }
  if (scoreDisabled.has('*')) for (const k of Object.keys(weights)) delete weights[k];
  const plugins: AnyPlugin[] = enabledNames
    .filter((n) => !(filterDisabled.has(n) && weights[n] === undefined))
    .map((n) => {
      const plugin = pluginRegistry[n]!(args.get(n));
      if (filterDisabled.has(n) || filterDisabled.has('*')) return scoreOnly(plugin);
      return plugin;
    });
  const preemptionOff =
    (allDefaultsOff && !sets.some((s) => s.enabled?.some((r) => r.name === PREEMPTION_PLUGIN))) ||
    disabled.has(PREEMPTION_PLUGIN);
  return new Framework({ schedulerName: name, plugins, weights, preemption: !preemptionOff });
}

function scoreOnly(p: AnyPlugin): AnyPlugin {
  return {
    name: p.name,
    ...(p.preScore ? { preScore: p.preScore.bind(p) } : {}),
    ...(p.score ? { score: p.score.bind(p) } : {}),
    ...(p.normalize ? { normalize: p.normalize.bind(p) } : {}),
  };
}
