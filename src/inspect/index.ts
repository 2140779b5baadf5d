/** `haco inspect`: what the kernel shows about a running container, next to the host. */
export { inspectContainer, inspectState, type InspectOptions, type InspectReport } from './inspect';
export { renderInspect } from './render';
export { compareNamespaces, nsInode, type NamespaceComparison } from './namespaces';
export { parseCapabilities, decodeCapabilityMask, CAPABILITY_SETS, type CapabilitySet, type DecodedCapabilities } from './capabilities';
export { readCgroupReport, type CgroupReport, type Limit } from './cgroup';
export { parseMountTable, overlayLayers, mountTree, type MountEntry, type OverlayLayers } from './mounts';
export { readDevicesReport, type DevicesReport } from './devices';
