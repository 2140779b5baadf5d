/** The runtime compiler: from one container of a plan to the launch spec, plus what starting it needs. */
export { compileLaunchSpec, type CompileOptions, type CompiledSpec } from './compile';
export { detectHostFacts, type HostFacts, type KernelFeatures, type HostPathKind } from './host-facts';
export { findLauncher, LAUNCHER_RELATIVE_PATH } from './launcher-path';
export { encodeField, decodeField, parseSpec, renderSpec, SPEC_HEADER, SPEC_VERSION, type ParsedStep, type RenderedSpec } from './spec-format';
export { CAPABILITY_NUMBERS, capabilityNumbers } from './capabilities';
export { launchHints, type LaunchHint } from './compile-hints';
export type { StepName } from './steps';
