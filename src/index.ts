/**
 * haco's public API.
 *
 * The DSL, what `.haco.ts` files import:
 * ```ts
 * import { defineContainer } from 'haco';
 * export default defineContainer('my-first').bootstrap((b) => b.host()).command('/bin/sh');
 * ```
 * and the Node API for programs and tests (docs/api.md): `load`, `create`, `start`, and the
 * handle of a started container.
 */
export * from './dsl-exports';
export * from './api';
