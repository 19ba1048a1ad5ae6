/** Well-known user and group names (k8s.io/apiserver/pkg/authentication/user). */
export const ADMIN_USER = 'admin';
/** Members are allowed everything by the default authorizer. */
export const ADMIN_GROUP = 'system:masters';
/** Added to every authenticated user. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** Node agents' group, and the prefix of their user names (`system:node:<node name>`), as upstream. */
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
