export { createAuthenticator, type AuthenticatorOptions } from './authenticator.js';
export { renderKubeconfig, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export {
  ensurePki,
  issueAgentServingCert,
  issueClientCert,
  KUBELET_CLIENT_USER,
  PKI_FILES,
  type CertAndKey,
  type Pki,
  type PkiOptions,
} from './pki.js';
export { ensureTokenFile, loadTokenFile, parseTokenFile, type TokenEntry } from './tokenfile.js';
export { ADMIN_GROUP, ADMIN_USER, AUTHENTICATED_GROUP } from './users.js';
