import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';

/** The namespace conditions the deleter maintains, in upstream's order. */
export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

export type DeletionConditionType = (typeof CONDITION_TYPES)[number];

const OK: Record<DeletionConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: {
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  NamespaceDeletionGroupVersionParsingFailure: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  NamespaceDeletionContentFailure: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: {
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
};

/** What one deletion pass found: failures become `True` conditions, everything else the `False` ok ones. */
export interface DeletionOutcome {
  discoveryError?: string;
  /** Per resource: why deleting its content failed. */
  contentErrors: string[];
  /** `pods has 2 resource instances`-style entries. */
  remaining: string[];
  /** `example.com/x in 1 resource instances`-style entries. */
  finalizers: string[];
}

function failures(
  o: DeletionOutcome,
): Partial<Record<DeletionConditionType, { reason: string; message: string }>> {
  const out: Partial<Record<DeletionConditionType, { reason: string; message: string }>> = {};
  if (o.discoveryError) {
    out.NamespaceDeletionDiscoveryFailure = {
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${o.discoveryError}`,
    };
  }
  if (o.contentErrors.length > 0) {
    out.NamespaceDeletionContentFailure = {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${o.contentErrors.length} remaining: ${o.contentErrors.join(', ')}`,
    };
  }
  if (o.remaining.length > 0) {
    out.NamespaceContentRemaining = {
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${[...o.remaining].sort().join(', ')}`,
    };
  }
  if (o.finalizers.length > 0) {
    out.NamespaceFinalizersRemaining = {
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${[...o.finalizers].sort().join(', ')}`,
    };
  }
  return out;
}

/**
 * The namespace's conditions after a deletion pass (upstream's namespaceConditionUpdater): each maintained
 * type is set; lastTransitionTime changes only when status, reason or message do. Other conditions are kept.
 */
export function updateConditions(
  current: NamespaceCondition[] | undefined,
  outcome: DeletionOutcome,
  now: string,
): NamespaceCondition[] {
  const failed = failures(outcome);
  const next = [...(current ?? [])];
  for (const type of CONDITION_TYPES) {
    const f = failed[type];
    const want: NamespaceCondition = {
      type,
      status: f ? 'True' : 'False',
      reason: (f ?? OK[type]).reason,
      message: (f ?? OK[type]).message,
      lastTransitionTime: now,
    };
    const i = next.findIndex((c) => c.type === type);
    const old = i === -1 ? undefined : next[i];
    if (old && old.status === want.status && old.reason === want.reason && old.message === want.message)
      continue;
    if (i === -1) next.push(want);
    else next[i] = want;
  }
  return next;
}
