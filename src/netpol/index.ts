export {
  NetworkPolicyAgent,
  cleanupNetworkPolicyRules,
  type NetworkPolicyAgentOptions,
} from './network-policy-agent.js';
export { buildPolicyRules, isNetworkPolicyChain, NETPOL_CHAIN } from './policy-rules.js';
