import type { ContainerFilter, PodSandboxFilter } from '../../cri/types.js';

function labelsMatch(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function sandboxMatches(
  s: { id: string; state: string; labels: Record<string, string> },
  f: PodSandboxFilter | undefined,
): boolean {
  if (!f) return true;
  if (f.id !== undefined && s.id !== f.id) return false;
  if (f.state !== undefined && s.state !== f.state) return false;
  return labelsMatch(s.labels, f.labelSelector);
}

export function containerMatches(
  c: { id: string; podSandboxId: string; state: string; labels: Record<string, string> },
  f: ContainerFilter | undefined,
): boolean {
  if (!f) return true;
  if (f.id !== undefined && c.id !== f.id) return false;
  if (f.podSandboxId !== undefined && c.podSandboxId !== f.podSandboxId) return false;
  if (f.state !== undefined && c.state !== f.state) return false;
  return labelsMatch(c.labels, f.labelSelector);
}
