// A fresh ordinary user for rootless root tests: useradd (subordinate ranges from /etc/login.defs), haco
// run as them through runuser with a clean environment, and their removal with everything of theirs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HACO_BIN } from './cli';

export interface UserRun {
  status: number;
  stdout: string;
  stderr: string;
  command: string[];
}

export interface TestUser {
  name: string;
  home: string;
  uid: number;
  /** First subordinate uid and gid (/etc/subuid, /etc/subgid). */
  subuid: number;
  subgid: number;
  /** bin/haco ARGS as the user, cwd /, HOME theirs, nothing of the test's environment. */
  haco(args: string[], timeoutMs?: number): UserRun;
  /** Kills what is left of theirs, userdel -r, and their /tmp/haco-run-UID (which userdel does not know). */
  remove(): void;
}

function run(argv: string[], timeoutMs = 60_000): UserRun {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, input: '', cwd: '/' });
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : ''), command: argv };
}

function firstOf(file: string, user: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`${user} has no range in ${file}`);
  return Number(line.split(':')[1]);
}

export function makeTestUser(name: string): TestUser {
  const made = run(['useradd', '-m', '-s', '/bin/sh', name]);
  if (made.status !== 0) throw new Error(`useradd ${name}: ${made.stderr}`);
  const home = `/home/${name}`;
  const uid = Number(run(['id', '-u', name]).stdout.trim());
  return {
    name,
    home,
    uid,
    subuid: firstOf('/etc/subuid', name),
    subgid: firstOf('/etc/subgid', name),
    haco: (args, timeoutMs) =>
      run(['runuser', '-u', name, '--', 'env', '-i', `HOME=${home}`, `USER=${name}`, 'PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', 'NO_COLOR=1', HACO_BIN, ...args], timeoutMs),
    remove: () => {
      for (const row of run(['ps', '-o', 'pid=', '-u', name]).stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
        try {
          process.kill(Number(row), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      // Files of subordinate ids in their home: userdel -r removes them as root.
      run(['userdel', '-r', '-f', name]);
      fs.rmSync(path.join('/tmp', `haco-run-${uid}`), { recursive: true, force: true });
    },
  };
}
