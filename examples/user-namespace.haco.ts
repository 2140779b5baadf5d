// A user namespace: root inside, an unprivileged uid on the host.
//
//   sudo haco create examples/user-namespace.haco.ts
//   sudo haco start examples/user-namespace.haco.ts -- sh -c 'id; cat /proc/self/uid_map'
//       → uid=0(root) gid=0(root)
//       →          0     100000      65536
//   sudo haco start examples/user-namespace.haco.ts -- sleep 30 &
//   ps -o user,pid,cmd -C sleep        # on the host: the user column shows 100000
//
// The busybox rootfs is made by haco and owned by host root (not mapped here), so `ls -ln /` inside
// shows owner 65534 ("nobody"): the mapping works both ways.
import { defineContainer } from 'haco';

export default defineContainer('userns')
  .bootstrap((b) => b.busybox())
  // uids and gids 0–65535 inside are 100000–165535 outside.
  .mapRootTo(100000, 65536);
