import { flush, handle, run } from '@oclif/core';
import ArchiveCommand from '../commands/archive';
import Completion from '../commands/completion';
import Attach from '../commands/attach';
import CreateCommand from '../commands/create';
import DestroyCommand from '../commands/destroy';
import DiffCommand from '../commands/diff';
import Doctor from '../commands/doctor';
import Explain from '../commands/explain';
import ExportImage from '../commands/export/image';
import ExportKube from '../commands/export/kube';
import ExportOci from '../commands/export/oci';
import HelpCommand from '../commands/help';
import Init from '../commands/init';
import ImportOci from '../commands/import/oci';
import Inspect from '../commands/inspect';
import Kill from '../commands/kill';
import Logs from '../commands/logs';
import LxcfsStart from '../commands/lxcfs/start';
import LxcfsStatus from '../commands/lxcfs/status';
import LxcfsStop from '../commands/lxcfs/stop';
import NetBridgeCreate from '../commands/net/bridge/create';
import NetBridgeRm from '../commands/net/bridge/rm';
import NetLs from '../commands/net/ls';
import New from '../commands/new';
import PlanCommand from '../commands/plan';
import Prune from '../commands/prune';
import Ps from '../commands/ps';
import Reload from '../commands/reload';
import Rm from '../commands/rm';
import RuntimeCreate from '../commands/runtime/create';
import RuntimeExec from '../commands/runtime/exec';
import RuntimeFeatures from '../commands/runtime/features';
import RuntimeDelete from '../commands/runtime/delete';
import RuntimeKill from '../commands/runtime/kill';
import RuntimeStart from '../commands/runtime/start';
import RuntimeState from '../commands/runtime/state';
import Start from '../commands/start';
import Stop from '../commands/stop';
import Checkpoint from '../commands/checkpoint';
import Restore from '../commands/restore';
import ProvisionCommand from '../commands/provision';
import Validate from '../commands/validate';
import Version from '../commands/version';
import { packageRoot } from '../package-root';
import { EXIT } from '../errors';
import { unknownCommand } from '../commands/support/command-words';
import { formatError } from '../commands/support/report';

/**
 * Every command, loaded explicitly (oclif's "explicit" discovery strategy): no directory scan and no
 * manifest at start-up. Commands import their heavy modules (esbuild, execa) inside run().
 */
export const COMMANDS = {
  archive: ArchiveCommand,
  attach: Attach,
  completion: Completion,
  create: CreateCommand,
  destroy: DestroyCommand,
  diff: DiffCommand,
  doctor: Doctor,
  explain: Explain,
  'export:image': ExportImage,
  'export:kube': ExportKube,
  'export:oci': ExportOci,
  help: HelpCommand,
  checkpoint: Checkpoint,
  init: Init,
  'import:oci': ImportOci,
  inspect: Inspect,
  kill: Kill,
  logs: Logs,
  'lxcfs:start': LxcfsStart,
  'lxcfs:status': LxcfsStatus,
  'lxcfs:stop': LxcfsStop,
  'net:bridge:create': NetBridgeCreate,
  'net:bridge:rm': NetBridgeRm,
  'net:ls': NetLs,
  new: New,
  plan: PlanCommand,
  prune: Prune,
  ps: Ps,
  reload: Reload,
  restore: Restore,
  rm: Rm,
  'runtime:create': RuntimeCreate,
  'runtime:exec': RuntimeExec,
  'runtime:features': RuntimeFeatures,
  'runtime:delete': RuntimeDelete,
  'runtime:kill': RuntimeKill,
  'runtime:start': RuntimeStart,
  'runtime:state': RuntimeState,
  start: Start,
  stop: Stop,
  provision: ProvisionCommand,
  validate: Validate,
  version: Version,
};

/** How oclif is loaded: haco's own commands only (a unit test checks a user plugin is ignored). */
export const OCLIF_OPTIONS = () => ({ root: packageRoot(), userPlugins: false, devPlugins: false, jitPlugins: false });

/** Every word that names a command, in oclif's form (`net:bridge:create`), aliases included. */
export function commandIds(): string[] {
  return Object.entries(COMMANDS).flatMap(([id, command]) => [id, ...(command.aliases ?? [])]);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  // A stack trace in a "bug in haco" report points at src/*.ts lines (off the fast path: it costs a little).
  process.setSourceMapsEnabled(true);
  // `-v` and `--version` are `haco version` (oclif's own --version prints a different line).
  if (argv[0] === '-v' || argv[0] === '--version') argv = ['version', ...argv.slice(1)];
  const unknown = unknownCommand(argv, commandIds());
  if (unknown) {
    process.stderr.write(`${formatError(unknown)}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  try {
    // No user or dev plugins: oclif would otherwise load code from $XDG_DATA_HOME/haco (`plugins install`)
    // into a process that often runs as root. haco's commands are all in COMMANDS.
    await run(argv, OCLIF_OPTIONS());
  } catch (error) {
    await handle(error as Error);
  } finally {
    await flush();
  }
}

if (require.main === module) void main(); // `node dist/oclif.js …`; bin/haco comes through entry.ts
