import { defineContainer } from 'haco';

const pivot = defineContainer('tut-pivot').bootstrap((b) => b.host());

export default [pivot, pivot.extend('tut-chroot').chroot()];
