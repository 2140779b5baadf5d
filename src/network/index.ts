/** Bridged container networking: iproute2 commands for the launch spec, checks, and bridge management. */
export { parseCidr, parseIpv4, formatIpv4, subnetText, contains, overlaps, type Cidr } from '../plan/cidr';
export {
  bridgeEnsureCommands,
  linkDeleteCommand,
  networkCleanupCommands,
  networkCleanupSteps,
  networkWireCommands,
  networkWireSteps,
  temporaryGuestName,
  type NetworkCommand,
} from './commands';
export { defaultVethHost, hostNetId, linkOwnerTag, portChains, IFNAME_MAX } from '../plan/net-names';
export { validateNetworkPlan, validatePlanNetworks, isInterfaceName, type NetworkIssue } from '../plan/network-validate';
export { checkHostNetwork, hostNetworkProblems, networkPreflight, type HostNetworkFacts, type HostNetworkProblem } from './preflight';
export { createBridge, removeBridge, listBridges, type BridgeInfo, type BridgeCreateResult, type BridgeRemoveResult } from './bridge';
export { runningNetworks, type RunningNetwork } from './running';
export { DEFAULT_NETWORK_TOOLS, resolveNetworkTools, type NetworkTools } from './tools';
