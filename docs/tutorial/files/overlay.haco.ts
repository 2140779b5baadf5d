import { defineContainer } from 'haco';

const base = defineContainer('tut-base').bootstrap((b) => b.busybox());

export default [base, defineContainer('tut-layer').rootfs('/var/lib/haco/tut-layer/rootfs', { lower: base })];
