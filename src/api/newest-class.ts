/** What a class's age and name are read from (StorageClass, IngressClass). */
export interface ClassMeta {
  metadata?: {
    name?: string | undefined;
    creationTimestamp?: string | undefined;
    annotations?: Record<string, string> | undefined;
  };
}

/**
 * The newest of some classes by creationTimestamp, ties broken by the smaller name: upstream's choice among
 * several default StorageClasses or IngressClasses, so that adding a new default never fails a create.
 */
export function newestOf<T extends ClassMeta>(classes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of classes) {
    const t = c.metadata?.creationTimestamp ?? '';
    const bt = best?.metadata?.creationTimestamp ?? '';
    if (!best || t > bt || (t === bt && (c.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = c;
  }
  return best;
}
