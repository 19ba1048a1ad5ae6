/**
 * A namespace's Pod Security policy from its labels (`pod-security.kubernetes.io/<mode>` and `<mode>-version`
 * for the modes enforce, audit and warn), as upstream's PolicyToEvaluate: an unlabelled mode keeps the default
 * (privileged:latest); a label that does not parse is an error and evaluates as restricted:latest for enforce
 * (failing closed) and privileged for audit and warn (failing open).
 */
import { fieldErr, type FieldError } from '../../api/errors.js';
import type { Level, PolicyVersion } from './policy/index.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const MODES = ['enforce', 'audit', 'warn'] as const;
export type Mode = (typeof MODES)[number];

export interface LevelVersion {
  level: Level;
  version: PolicyVersion;
}

export type NamespacePolicy = Record<Mode, LevelVersion>;

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];
const DEFAULT: LevelVersion = { level: 'privileged', version: 'latest' };
/** Upstream's defaults for every mode when no configuration sets others. */
export const PRIVILEGED: NamespacePolicy = { enforce: DEFAULT, audit: DEFAULT, warn: DEFAULT };

/** `restricted:latest`, `baseline:v1.25`: how upstream names a policy in messages. */
export function policyName(lv: LevelVersion): string {
  return `${lv.level}:${versionName(lv.version)}`;
}

export function versionName(v: PolicyVersion): string {
  return v === 'latest' ? 'latest' : `v1.${v.minor}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && versionName(a.version) === versionName(b.version);
}

/** -1, 0 or 1 as `a` is less, as or more strict than `b`. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

/** Whether any Pod Security label is present (namespaces without one need no evaluation at all). */
export function hasPolicyLabels(labels: Record<string, string> | undefined): boolean {
  return !!labels && Object.keys(labels).some((k) => k.startsWith(LABEL_PREFIX));
}

/** The policy the labels give, and one field error per label that does not parse. */
export function namespacePolicy(
  labels: Record<string, string> | undefined,
  defaults: NamespacePolicy = PRIVILEGED,
): {
  policy: NamespacePolicy;
  errors: FieldError[];
} {
  const policy: NamespacePolicy = {
    enforce: { ...defaults.enforce },
    audit: { ...defaults.audit },
    warn: { ...defaults.warn },
  };
  const errors: FieldError[] = [];
  if (!labels) return { policy, errors };
  const fail = (key: string, value: string, why: string): void => {
    errors.push(fieldErr.invalid(`metadata.labels[${key}]`, value, why));
  };
  for (const mode of MODES) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const level = labels[levelKey];
    if (level !== undefined) {
      if (LEVELS.includes(level as Level)) policy[mode].level = level as Level;
      else {
        policy[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
        fail(levelKey, level, `must be one of ${LEVELS.join(', ')}`);
      }
    }
    const versionKey = `${LABEL_PREFIX}${mode}-version`;
    const version = labels[versionKey];
    if (version !== undefined) {
      const parsed = parseVersion(version);
      policy[mode].version = parsed ?? 'latest';
      if (!parsed) fail(versionKey, version, 'must be "latest" or "v1.x"');
    }
  }
  return { policy, errors };
}

function parseVersion(text: string): PolicyVersion | undefined {
  if (text === 'latest') return 'latest';
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(text);
  return m ? { minor: Number(m[1]) } : undefined;
}
