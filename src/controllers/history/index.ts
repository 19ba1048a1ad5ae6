export { canonicalJson, fnv32a, hashRevisionData, safeEncode } from './hash.js';
export {
  compareRevisions,
  createRevision,
  equalRevisions,
  findEqualRevisions,
  newRevision,
  nextRevisionNumber,
  ownedRevisions,
  REVISION_HASH_LABEL,
  revisionsToPrune,
  templateOfRevision,
  templatePatch,
  type RevisionParent,
} from './revisions.js';
export { claimObjects } from './adoption.js';
