/**
 * The DSL: what `.haco.ts` files import from 'haco' (src/load/evaluate.ts hands them exactly this).
 *
 * ```ts
 * import { defineContainer } from 'haco';
 * export default defineContainer('my-first').bootstrap((b) => b.host()).command('/bin/sh');
 * ```
 */
export { defineContainer, ContainerBuilder } from './dsl/container';
export type {
  BindOptions,
  CapabilityOptions,
  CpuOptions,
  CpusetOptions,
  EnvOptions,
  IoOptions,
  IoThrottleOptions,
  LxcfsOptions,
  MemoryOptions,
  MountOptions,
  RestartOptions,
  StdioStreams,
  TimeOffsetOptions,
  UserOptions,
  NetworkOptions,
  NetworkModeOptions,
  UsermodeNetworkOptions,
  PortForwardOptions,
  RootfsOptions,
  StdioOption,
  TmpfsOptions,
  RlimitValue,
} from './dsl/container';
export { BootstrapBuilder, type BusyboxOptions, type DebootstrapOptions, type HostOptions, type LxcOptions } from './dsl/bootstrap';
export { ProvisionBuilder, type ProvisionFileOptions } from './dsl/provision';
export type { Command, ReadinessOptions, ReadinessProbe, TimerOptions } from './dsl/supervision';
export { SeccompBuilder, type SeccompActionInput, type SeccompRuleOptions } from './dsl/seccomp';
export type { Percent, Size, SizeString } from './plan/size';
export type { CapabilitySpelling, RlimitSpelling } from './plan/names';
export * from './plan/types';
