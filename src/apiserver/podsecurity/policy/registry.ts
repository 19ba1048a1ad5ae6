import type { CheckDefinition, Level, PodCheck, PolicyVersion, VersionedCheck } from './types.js';
import { compareStrings } from './format.js';

export interface Registry {
  /** The newest minimum version of any check: what 'latest' and any newer version mean. */
  readonly maxVersion: number;
  /** The checks to run, in upstream's order: baseline checks sorted by ID, then restricted checks sorted by ID. */
  checksFor(level: Level, version: PolicyVersion): readonly PodCheck[];
}

/**
 * Indexes check definitions by level and policy version, as upstream's registry does: at each version a check
 * runs its newest implementation whose minimum version is not newer; the restricted level runs the baseline
 * checks that none of its restricted implementations override, plus the restricted checks.
 */
export function buildRegistry(definitions: readonly CheckDefinition[]): Registry {
  validate(definitions);
  const maxVersion = Math.max(
    0,
    ...definitions.map((d) => d.versions[d.versions.length - 1]?.minVersion ?? 0),
  );
  const byId = (a: CheckDefinition, b: CheckDefinition) => compareStrings(a.id, b.id);
  const baseline = definitions.filter((d) => d.level === 'baseline').sort(byId);
  const restricted = definitions.filter((d) => d.level === 'restricted').sort(byId);

  const baselineChecks: PodCheck[][] = [];
  const restrictedChecks: PodCheck[][] = [];
  for (let version = 0; version <= maxVersion; version++) {
    const baselineAt = implementationsAt(baseline, version);
    const restrictedAt = implementationsAt(restricted, version);
    const overridden = new Set(restrictedAt.flatMap(([, impl]) => impl.overrides ?? []));
    baselineChecks[version] = baselineAt.map(([, impl]) => impl.check);
    restrictedChecks[version] = [
      ...baselineAt.filter(([id]) => !overridden.has(id)).map(([, impl]) => impl.check),
      ...restrictedAt.map(([, impl]) => impl.check),
    ];
  }

  return {
    maxVersion,
    checksFor(level, version) {
      if (level === 'privileged') return [];
      const minor = resolveVersion(version, maxVersion);
      return (level === 'baseline' ? baselineChecks[minor] : restrictedChecks[minor]) ?? [];
    },
  };
}

function implementationsAt(
  definitions: readonly CheckDefinition[],
  version: number,
): [string, VersionedCheck][] {
  return definitions.flatMap((definition): [string, VersionedCheck][] => {
    const impl = definition.versions.findLast((candidate) => candidate.minVersion <= version);
    return impl ? [[definition.id, impl]] : [];
  });
}

function resolveVersion(version: PolicyVersion, maxVersion: number): number {
  if (version === 'latest') return maxVersion;
  const { minor } = version;
  if (!Number.isInteger(minor) || minor < 0) throw new RangeError(`invalid policy version v1.${minor}`);
  return Math.min(minor, maxVersion);
}

function validate(definitions: readonly CheckDefinition[]): void {
  const ids = new Set<string>();
  for (const { id, versions } of definitions) {
    if (ids.has(id)) throw new Error(`multiple checks registered for ID ${id}`);
    ids.add(id);
    if (versions.length === 0) throw new Error(`check ${id}: no versions`);
    versions.forEach((impl, i) => {
      const previous = versions[i - 1];
      if (previous && previous.minVersion >= impl.minVersion) {
        throw new Error(`check ${id}: versions must be strictly increasing`);
      }
    });
  }
}
