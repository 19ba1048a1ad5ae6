/** authorization.k8s.io/v1 and authentication.k8s.io/v1 (review and token kinds). */
import { declare } from '../schema.js';

declare('authorization', {
  SelfSubjectAccessReview: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 SelfSubjectAccessReviewSpec',
    status: '3 SubjectAccessReviewStatus',
  },
  SelfSubjectAccessReviewSpec: {
    resourceAttributes: '1 *ResourceAttributes',
    nonResourceAttributes: '2 *NonResourceAttributes',
  },
  SubjectAccessReview: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 SubjectAccessReviewSpec',
    status: '3 SubjectAccessReviewStatus',
  },
  LocalSubjectAccessReview: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 SubjectAccessReviewSpec',
    status: '3 SubjectAccessReviewStatus',
  },
  SubjectAccessReviewSpec: {
    resourceAttributes: '1 *ResourceAttributes',
    nonResourceAttributes: '2 *NonResourceAttributes',
    user: '3 string',
    groups: '4 []string',
    extra: '5 {}ExtraValue',
    uid: '6 string',
  },
  ExtraValue: { items: '1 []string' },
  ResourceAttributes: {
    namespace: '1 string',
    verb: '2 string',
    group: '3 string',
    version: '4 string',
    resource: '5 string',
    subresource: '6 string',
    name: '7 string',
    fieldSelector: '8 *FieldSelectorAttributes',
    labelSelector: '9 *LabelSelectorAttributes',
  },
  FieldSelectorAttributes: { rawSelector: '1 string', requirements: '2 []meta.FieldSelectorRequirement' },
  LabelSelectorAttributes: { rawSelector: '1 string', requirements: '2 []meta.LabelSelectorRequirement' },
  NonResourceAttributes: { path: '1 string', verb: '2 string' },
  SubjectAccessReviewStatus: {
    allowed: '1 !bool',
    denied: '4 bool',
    reason: '2 string',
    evaluationError: '3 string',
  },
  SelfSubjectRulesReview: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 SelfSubjectRulesReviewSpec',
    status: '3 SubjectRulesReviewStatus',
  },
  SelfSubjectRulesReviewSpec: { namespace: '1 string' },
  SubjectRulesReviewStatus: {
    resourceRules: '1 []ResourceRule',
    nonResourceRules: '2 []NonResourceRule',
    incomplete: '3 !bool',
    evaluationError: '4 string',
  },
  ResourceRule: {
    verbs: '1 []string',
    apiGroups: '2 []string',
    resources: '3 []string',
    resourceNames: '4 []string',
  },
  NonResourceRule: { verbs: '1 []string', nonResourceURLs: '2 []string' },
});

declare('authentication', {
  SelfSubjectReview: { metadata: '1 meta.ObjectMeta', status: '2 SelfSubjectReviewStatus' },
  SelfSubjectReviewStatus: { userInfo: '1 UserInfo' },
  UserInfo: { username: '1 string', uid: '2 string', groups: '3 []string', extra: '4 {}ExtraValue' },
  ExtraValue: { items: '1 []string' },
  TokenReview: { metadata: '1 meta.ObjectMeta', spec: '2 TokenReviewSpec', status: '3 TokenReviewStatus' },
  TokenReviewSpec: { token: '1 string', audiences: '2 []string' },
  TokenReviewStatus: {
    authenticated: '1 bool',
    user: '2 UserInfo',
    audiences: '4 []string',
    error: '3 string',
  },
  TokenRequest: { metadata: '1 meta.ObjectMeta', spec: '2 TokenRequestSpec', status: '3 TokenRequestStatus' },
  TokenRequestSpec: {
    audiences: '1 []string',
    expirationSeconds: '4 *int64',
    boundObjectRef: '3 *BoundObjectReference',
  },
  BoundObjectReference: { kind: '1 string', apiVersion: '2 string', name: '3 string', uid: '4 string' },
  TokenRequestStatus: { token: '1 string', expirationTimestamp: '2 meta.Time' },
});
