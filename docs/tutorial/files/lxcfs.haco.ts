import { defineContainer } from 'haco';

export default defineContainer('tut-lxcfs')
  .bootstrap((b) => b.host())
  .memory('64M')
  .cpuset({ cpus: '0' })
  .lxcfs();
