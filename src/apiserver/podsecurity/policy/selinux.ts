import type { PodSpec, SELinuxOptions } from 'kubernetes-types/core/v1.js';
import type { CheckDefinition, PodCheck } from './types.js';
import { badContainerNames, isSet } from './containers.js';
import { containersPhrase, joinQuote, pluralize, sortedUnique } from './format.js';

const allowedTypesV1Dot0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const allowedTypesV1Dot31 = new Set([...allowedTypesV1Dot0, 'container_engine_t']);

/** Baseline: seLinuxOptions.type only from an allowed set, and no custom user or role. */
function seLinuxOptionsCheck(allowedTypes: ReadonlySet<string>): PodCheck {
  return (_meta, spec: PodSpec) => {
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const invalid = (options: SELinuxOptions): boolean => {
      let bad = false;
      if (!allowedTypes.has(options.type ?? '')) {
        badTypes.push(options.type ?? '');
        bad = true;
      }
      if ((options.user ?? '') !== '') {
        setUser = true;
        bad = true;
      }
      if ((options.role ?? '') !== '') {
        setRole = true;
        bad = true;
      }
      return bad;
    };

    const setters: string[] = [];
    const podOptions = spec.securityContext?.seLinuxOptions;
    if (isSet(podOptions) && invalid(podOptions)) setters.push('pod');
    const badContainers = badContainerNames(spec, (container) => {
      const options = container.securityContext?.seLinuxOptions;
      return isSet(options) && invalid(options);
    });
    if (badContainers.length > 0) setters.push(containersPhrase(badContainers));
    if (setters.length === 0) return undefined;

    const problems: string[] = [];
    const types = sortedUnique(badTypes);
    if (types.length > 0) problems.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    if (setUser) problems.push('user may not be set');
    if (setRole) problems.push('role may not be set');
    return {
      forbiddenReason: 'seLinuxOptions',
      forbiddenDetail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}`,
    };
  };
}

export const seLinuxOptionsV1Dot0 = seLinuxOptionsCheck(allowedTypesV1Dot0);
/** v1.31 also allows container_engine_t. */
export const seLinuxOptionsV1Dot31 = seLinuxOptionsCheck(allowedTypesV1Dot31);

export const seLinuxOptions: CheckDefinition = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [
    { minVersion: 0, check: seLinuxOptionsV1Dot0 },
    { minVersion: 31, check: seLinuxOptionsV1Dot31 },
  ],
};
