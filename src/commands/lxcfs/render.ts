import type { LxcfsStatus } from '../../lxcfs/daemon';

/** One line about lxcfs for `haco lxcfs start|stop|status`. */
export function lxcfsLine(s: LxcfsStatus): string {
  const who = s.startedByHaco ? 'started by haco lxcfs start' : 'not started by haco';
  const users = s.users.length > 0 ? `; used by ${s.users.join(', ')}` : '';
  switch (s.state) {
    case 'running':
      return `lxcfs at ${s.mountpoint}: running (pid ${String(s.pid)}, ${who})${users}`;
    case 'stale':
      return `lxcfs at ${s.mountpoint}: stale mount, no lxcfs serves it (reads fail)${users}; haco lxcfs stop unmounts it`;
    case 'stopped':
      return `lxcfs at ${s.mountpoint}: not running (start it: haco lxcfs start)${users}`;
  }
}
