import type {
  Node,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
} from 'kubernetes-types/core/v1.js';

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0]!, 10);
      if (!Number.isFinite(have) || !Number.isFinite(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields match; a term with neither matches nothing (upstream). */
export function nodeMatchesTerm(node: Node, term: NodeSelectorTerm): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const req of exprs) if (!requirementMatches(req, labels[req.key])) return false;
  for (const req of fields) {
    // metadata.name is the only supported field (upstream validation refuses others).
    const value = req.key === 'metadata.name' ? node.metadata?.name : undefined;
    if (!requirementMatches(req, value)) return false;
  }
  return true;
}

/** Terms are ORed. */
export function nodeMatchesSelector(node: Node, selector: NodeSelector): boolean {
  return selector.nodeSelectorTerms.some((term) => nodeMatchesTerm(node, term));
}

/** spec.nodeSelector and required node affinity, as the NodeAffinity filter and the DaemonSet controller check. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeMatchesSelector(node, required);
}
