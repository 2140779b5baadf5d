// Replaced at build time by esbuild (`define`); read from package.json when running from source.
declare const __HACO_VERSION__: string | undefined;

export const HACO_VERSION: string =
  typeof __HACO_VERSION__ === 'string' ? __HACO_VERSION__ : (require('../package.json') as { version: string }).version;
