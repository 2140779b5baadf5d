import { defineContainer } from 'haco';

export default defineContainer('tut-cgroups')
  .bootstrap((b) => b.host())
  .cpu('30%')
  .memory({ max: '32M', swap: '0' })
  .pids(10);
