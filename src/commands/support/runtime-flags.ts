import { Args, Flags } from '@oclif/core';

/**
 * The flags every `haco runtime` command takes. An engine puts its global flags (--root, --log,
 * --log-format) before the subcommand; bin/haco-oci moves them after it, since oclif reads flags per
 * command. --log and --log-format are accepted and ignored: errors go to stderr, which engines capture.
 */
export const runtimeFlags = {
  root: Flags.string({ description: 'Directory of the containers\' state (one directory per id).', default: '/run/haco-oci' }),
  log: Flags.string({ description: 'Accepted for engines (podman passes it); haco writes its errors to stderr.', hidden: true }),
  'log-format': Flags.string({ description: 'Accepted for engines; ignored.', hidden: true }),
};

export const idArg = { id: Args.string({ description: 'The container id.', required: true }) };
