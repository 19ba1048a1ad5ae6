/**
 * Which users are node agents (upstream's pkg/auth/nodeidentifier): `system:node:<name>` in the `system:nodes`
 * group. Shared by the Node authorizer and the NodeRestriction admission plugin.
 */
import { NODE_USER_PREFIX, NODES_GROUP } from '../auth/users.js';
import type { UserInfo } from '../config.js';

export { NODE_USER_PREFIX, NODES_GROUP };
/** Where each node keeps its heartbeat Lease, named after the node. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * The node a user acts for: undefined when the user is not a node at all, '' when it is one whose name is empty
 * (`system:node:`), which both the authorizer and the admission plugin refuse.
 */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.username.slice(NODE_USER_PREFIX.length);
}

/** The user name of a node's identity. */
export const nodeUsername = (nodeName: string): string => `${NODE_USER_PREFIX}${nodeName}`;
