export { AgentServer, KUBELET_CLIENT_CN, type AgentServerOptions } from './agent-server.js';
export { CHANNEL_PROTOCOLS, V4_PROTOCOL, V5_PROTOCOL } from './channel.js';
