// Import a rootfs archive, the droot way: anything `docker export` (or a distribution's "minirootfs")
// produces becomes a haco rootfs. A relative path is resolved against this file's folder.
//
//   # once, with Docker:   docker export $(docker create alpine:3.20) | gzip > examples/alpine.tar.gz
//   # or without Docker:   download alpine-minirootfs-3.20.*-x86_64.tar.gz from alpinelinux.org
//   sudo haco create examples/tarball.haco.ts
//   sudo haco start examples/tarball.haco.ts -- cat /etc/alpine-release
//       → 3.20.x
//
// Entries that would land outside the rootfs (../ or absolute symlink tricks) are refused.
import { defineContainer } from 'haco';

export default defineContainer('alpine')
  .bootstrap((b) => b.tarball('alpine.tar.gz'))
  .hostResolvConf()
  // Alpine's shell is busybox ash.
  .command(['/bin/sh']);
