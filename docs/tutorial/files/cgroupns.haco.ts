import { defineContainer } from 'haco';

export default defineContainer('tut-cgroupns')
  .bootstrap((b) => b.host())
  .unshare('cgroup')
  .memory('48M')
  .pids(20);
