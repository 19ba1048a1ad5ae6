/**
 * What the kubelet does about a container's image given its imagePullPolicy (already defaulted by the API
 * server: Always for `:latest` or untagged images, IfNotPresent otherwise) and whether the image is present.
 * `ErrImageNeverPull` is the upstream container waiting reason for Never with a missing image.
 */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export type PullDecision = 'pull' | 'use-present' | 'ErrImageNeverPull';

export function pullDecision(policy: PullPolicy | undefined, present: boolean): PullDecision {
  switch (policy) {
    case 'Always':
      return 'pull';
    case 'Never':
      return present ? 'use-present' : 'ErrImageNeverPull';
    default:
      return present ? 'use-present' : 'pull';
  }
}
