import { defineContainer } from 'haco';

// The same container with its namespaces written out, as `haco new` writes them: exactly these are new.
export default defineContainer('tut-ns')
  .bootstrap((b) => b.host())
  .namespaces('mount', 'uts', 'ipc', 'pid', 'net');
