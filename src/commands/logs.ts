import { Flags } from '@oclif/core';
import { containerNameArg, HacoCommand, jsonFlag } from './support/base-command';

export default class Logs extends HacoCommand {
  static override summary = "Print a detached container's output: stdout and stderr in the order written.";
  static override description =
    'The container has one log (STATE/container.log, one `TIME STREAM F|P TEXT` line each, rotated to ' +
    'container.log.1 past 10 MiB). stdout lines go to stdout, stderr lines to stderr, in the order they were ' +
    'written. --events adds what the supervisor recorded (start, exit status, signal, OOM kill, restart). ' +
    '--json: JSON Lines on stdout, one {"time","stream":"stdout|stderr|haco","complete","text"} per log line ' +
    '(complete false: a piece of a longer line), in the order written; -f keeps them coming.';
  static override examples = ['<%= config.bin %> logs web', '<%= config.bin %> logs -f --tail 20 web', '<%= config.bin %> logs --since 10m --timestamps web', "<%= config.bin %> logs --json web | jq -r 'select(.stream==\"stderr\").text'"];
  static override args = { name: containerNameArg() };
  static override flags = {
    json: jsonFlag,
    follow: Flags.boolean({ char: 'f', description: 'Keep printing until the container is gone.', default: false }),
    timestamps: Flags.boolean({ char: 't', description: 'Prefix every line with the time it was written.', default: false }),
    tail: Flags.integer({ char: 'n', description: 'Only the last N lines.', min: 0 }),
    since: Flags.string({ description: 'Only lines since a duration ago (10m, 2h) or a date (2026-11-29T20:00:00Z).' }),
    events: Flags.boolean({ description: "Also show the supervisor's events ([haco] started, exited, restarting…).", default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { showLogs } = await import('../lifecycle/logs');
    const { parseSince } = await import('../lifecycle/log-format');
    await showLogs(args.name, {
      follow: flags.follow,
      timestamps: flags.timestamps,
      events: flags.events,
      json: flags.json,
      ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
      ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
    });
  }
}
