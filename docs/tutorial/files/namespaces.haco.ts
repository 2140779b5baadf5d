import { defineContainer } from 'haco';

// The host's own programs, bound read-only: nothing to download.
export default defineContainer('tut-ns').bootstrap((b) => b.host());
