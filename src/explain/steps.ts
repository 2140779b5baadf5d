import { compileLaunchSpec, type CompiledSpec } from '../runtime/compile';
import type { HostFacts } from '../runtime/host-facts';
import { parseSpec } from '../runtime/spec-format';
import { STEP_TABLE, type StepName } from '../runtime/steps';
import { networkSpecEntries } from '../runtime/compile-network';
import { APPARMOR_PARSER } from '../runtime/compile-apparmor';
import { stateDirOf } from '../state/paths';
import { lxcfsSource } from '../plan/lxcfs';
import type { ContainerPlan } from '../plan/types';
import { STEP_PROSE } from './prose';
import { SECTION_PROSE, sectionPhase, type Section } from './sections';
import type { ExplainStep, SpecStepView } from './types';

/**
 * The launch of one container told step by step, from the launch spec `haco start` would hand the launcher
 * on this host (compileLaunchSpec): the same steps, in the same order, with this host's paths. Consecutive
 * steps of one section (prose.ts) are told together; the steps only the launcher reads (the metadata)
 * open the story, the cleanup it does after the exit closes it. Before all that comes what `haco create`
 * did once (the root filesystem), which is not part of a launch.
 */
export function explainSteps(c: ContainerPlan, host: HostFacts): { steps: ExplainStep[]; compiled: CompiledSpec } {
  // As `haco start` compiles it in the foreground (src/start/start.ts): a state dir, no terminal decided yet.
  const compiled = compileLaunchSpec(c, host, { lifecycle: { stateDir: stateDirOf(c.name), keep: false, planJson: '{}', meta: {} } });
  const views = specViews(c, compiled);
  const launch: Section[] = [];
  const meta: Record<'launcher' | 'after', Section> = {
    launcher: { id: 'launcher', steps: [], c, host, cgroup: compiled.cgroup },
    after: { id: 'after', steps: [], c, host, cgroup: compiled.cgroup },
  };
  for (const v of views) {
    const prose = STEP_PROSE[v.step];
    const id = typeof prose.section === 'function' ? prose.section(v) : prose.section;
    if (id === 'launcher' || id === 'after') {
      meta[id].steps.push(v);
      continue;
    }
    const last = launch[launch.length - 1];
    if (last && last.id === id) last.steps.push(v);
    else launch.push({ id, steps: [v], c, host, cgroup: compiled.cgroup });
  }
  const told = (s: Section, phase: ExplainStep['phase']): ExplainStep => {
    const text = SECTION_PROSE[s.id](s);
    const kernel = [...new Set(s.steps.flatMap((v) => (STEP_PROSE[v.step].kernel ? [STEP_PROSE[v.step].kernel!(v.fields)] : [])))];
    return { id: s.id, phase, ...text, kernel, spec: s.steps.map((v) => [v.step, ...v.fields].join(' ')) };
  };
  return {
    compiled,
    steps: [
      createStep(c),
      told(meta.launcher, 'host'),
      ...launch.map((s) => told(s, sectionPhase(s.id, s.steps[0]!.phase))),
      told(meta.after, 'after'),
    ],
  };
}

/** The spec's steps with their phase and what their section depends on. */
function specViews(c: ContainerPlan, compiled: CompiledSpec): SpecStepView[] {
  const steps = parseSpec(compiled.text);
  const hookArgv = (point: string) => new Set(c.hooks.filter((h) => h.point === point).map((h) => h.command.join('\0')));
  const afterSpawn = hookArgv('afterSpawn');
  const network = new Set(c.network ? networkSpecEntries(c.network, c.name).wire.flatMap((e) => (e.kind === 'step' ? [e.fields.join('\0')] : [])) : []);
  const bootstrapBinds = new Set(c.bootstrap.strategy === 'host' ? c.bootstrap.binds : []);
  const firstMount = steps.findIndex((s) => s.step === 'propagation');
  let phase: 'prepare' | 'wire' | 'enter' = 'prepare';
  return steps.map((s, index) => {
    const step = s.step as StepName;
    const def = STEP_TABLE.find((d) => d.name === step);
    const view: SpecStepView = { step, fields: s.fields, phase: def && def.phases.length === 1 && def.phases[0] === 'meta' ? 'meta' : phase };
    if (step === 'hook') {
      const argv = s.fields.join('\0');
      view.hookSection = phase === 'prepare' && s.fields[0] === '/bin/chown' && c.rootfs.overlay && [c.rootfs.overlay.upper, c.rootfs.overlay.work].includes(s.fields.at(-1) ?? '') ? 'overlay-owner' : phase === 'prepare' && s.fields[0] === APPARMOR_PARSER ? 'apparmor-load' : phase === 'prepare' ? 'hook-beforeStart' : phase === 'enter' ? 'hook-beforeExec' : afterSpawn.has(argv) && !network.has(argv) ? 'hook-afterSpawn' : 'network';
    }
    if (step === 'bind') view.bootstrapBind = bootstrapBinds.has(s.fields[0] ?? '') && (s.fields[2] ?? '').includes('optional');
    if (step === 'bind' && c.lxcfs) view.lxcfsBind = c.lxcfs.files.some((f) => s.fields[0] === lxcfsSource(c.lxcfs!, f) && s.fields[1] === f);
    if (step === 'lo-up') view.wiredNetwork = c.network !== undefined || c.usermodeNetwork !== undefined;
    if (step === 'user') view.beforeRootfs = firstMount >= 0 && index < firstMount;
    if (step === 'spawn') phase = 'wire';
    else if (step === 'release') phase = 'enter';
    return view;
  });
}

function createStep(c: ContainerPlan): ExplainStep {
  const b = c.bootstrap;
  const path = c.rootfs.overlay ? c.rootfs.overlay.upper : c.rootfs.path;
  const how: Record<typeof b.strategy, () => string> = {
    host: () => `No download: the rootfs only gets its own /etc, /var, /tmp and /root; at start the host's ${b.strategy === 'host' ? b.binds.join(' ') : ''} are bound into it read-only.`,
    busybox: () => `A tiny rootfs made of the host's static busybox${b.strategy === 'busybox' ? ` (${b.busybox})` : ''} and one link per tool.`,
    debootstrap: () => (b.strategy === 'debootstrap' ? `debootstrap(8) installs Debian/Ubuntu "${b.suite}" (${b.variant}) from ${b.mirror ?? 'the host\'s apt mirror'}.` : ''),
    lxc: () => (b.strategy === 'lxc' ? `lxc-create runs the "${b.template}" template${b.args.length ? ` with ${b.args.join(' ')}` : ''}.` : ''),
    tarball: () => (b.strategy === 'tarball' ? `The archive ${b.archive} is unpacked (entries that would land outside the rootfs are refused).` : ''),
    directory: () => (b.strategy === 'directory' ? (b.source ? `The tree ${b.source} is copied.` : 'The directory is used as it is.') : ''),
    shell: () => 'Your bootstrap script fills $ROOTFS.',
    image: () => (b.strategy === 'image' ? `skopeo copies the image ${b.image} into the shared image cache and umoci unpacks its layers; the digest and config are pinned for the plan.` : ''),
    none: () => `Nothing: ${c.rootfs.path} must already hold a root filesystem.`,
  };
  return {
    id: 'create',
    phase: 'create',
    title: `Before the first start: build the root filesystem (${b.strategy === 'none' ? 'it must exist' : '`haco create`'})`,
    lines: [
      how[b.strategy](),
      ...(b.post.length ? [`Then the post steps run on the host: ${b.post.map((p) => p.name).join(', ')}.`] : []),
      ...(c.provision.steps.length || c.provision.files.length
        ? [`\`haco provision\` then copies ${c.provision.files.length} file(s) and runs ${c.provision.steps.length} step(s) inside it: ${c.provision.steps.map((s) => s.name).join(', ') || '—'}.`]
        : []),
    ],
    kernel: [],
    seeIt: [`\`ls ${path}\` on the host`],
    spec: [],
  };
}

