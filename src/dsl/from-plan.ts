import { seccompDraftOf } from '../plan/seccomp-default';
import { defaultVethHost } from '../plan/net-names';
import type { ContainerPlan } from '../plan/types';
import { ContainerBuilder } from './container';

/**
 * A definition that builds exactly CONTAINER again, so that a plan can be changed by the same DSL calls
 * a file would make (command-line toggles: src/dsl/toggles.ts). Capabilities become "exactly this set"
 * and a profile-based seccomp filter is generated again for the capabilities in force after the calls.
 * What a plan cannot say is inferred: a hostname other than the name, or a veth other than the default
 * one, was chosen explicitly.
 */
export function builderFromPlan(container: ContainerPlan): ContainerBuilder {
  const { capabilities, seccomp, ...plan } = structuredClone(container);
  return new ContainerBuilder({
    plan,
    capabilities: { base: 'none', add: [...capabilities.bounding], drop: [], ambient: [...capabilities.ambient] },
    seccomp: seccompDraftOf(seccomp),
    hostnameExplicit: plan.process.hostname !== plan.name,
    // The plan's process (image defaults included) is final: nothing is filled in again.
    processSet: { args: true, cwd: true, user: true, env: Object.keys(plan.process.env), envReplaced: false },
    ...(plan.network && plan.network.vethHost !== defaultVethHost(plan.name) ? { vethHostExplicit: true } : {}),
    locations: {},
    issues: [],
  });
}
