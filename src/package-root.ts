import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/**
 * The installed haco package's folder (templates/, native/, schema/ live there). Found by walking up
 * from this module, which is src/ in development and dist/ once bundled.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'haco') {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`haco: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}
