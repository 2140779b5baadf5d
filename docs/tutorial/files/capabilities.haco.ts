import { defineContainer } from 'haco';

// haco's default capability set: no sys_admin, no net_raw.
export default defineContainer('tut-caps').bootstrap((b) => b.host());
