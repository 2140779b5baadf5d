import { defineContainer } from 'haco';

// Docker's default capability set: no sys_admin.
export default defineContainer('tut-caps').bootstrap((b) => b.host());
