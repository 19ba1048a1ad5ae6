/**
 * The service proxy (kube-proxy's iptables mode). Wiring (for the node agent):
 *
 *   const proxy = new ServiceProxy({ client, nodeName, clusterCidr, logger });
 *   await proxy.start();   // sysctls, informers, first full sync; then synced on change (≥ 1 s apart) and every 30 s
 *   …
 *   await proxy.stop();    // rules stay, as kube-proxy leaves them
 *   await cleanupServiceProxyRules();   // removes every chain and jump rule of ours
 *
 * `buildRuleSet` is the pure part (Services + EndpointSlices + current tables → iptables-restore input).
 */
export { ServiceProxy, cleanupServiceProxyRules, type ServiceProxyOptions } from './proxier.js';
export { buildRuleSet, type RuleSet, type RuleSetInput } from './rules.js';
export { cleanupText } from './cleanup-rules.js';
export { parseSave, emptyTable, type SavedTable } from './saved-table.js';
export {
  CommandFailed,
  localRunner,
  netnsRunner,
  runChecked,
  type CommandResult,
  type CommandRunner,
} from './command-runner.js';
export { Iptables, parseVersion, supportsRandomFully } from './iptables.js';
export { serviceProxyUnavailable } from './detect.js';
