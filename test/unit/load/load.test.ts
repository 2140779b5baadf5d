import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDefinition } from '../../../src/load/load';
import { DefinitionError } from '../../../src/load/definition-error';

const defs = path.join(__dirname, '../../fixtures/defs');
let cacheDir: string;

beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-cache-'));
  process.env['HACO_CACHE_DIR'] = cacheDir;
});
afterEach(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
  delete process.env['HACO_CACHE_DIR'];
});

async function failure(file: string): Promise<DefinitionError> {
  try {
    await loadDefinition(path.join(defs, file), { cache: false });
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

describe('loadDefinition', () => {
  it('re-evaluates when a file the definition read changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-def-'));
    const key = `HACO_TEST_READ_${process.pid}`; // unset: read as absent
    try {
      const note = path.join(dir, 'note.txt');
      fs.writeFileSync(note, 'a\n');
      const file = path.join(dir, 'x.haco.ts');
      fs.writeFileSync(file, `import * as fs from 'node:fs';\nimport { defineContainer } from 'haco';\nexport default defineContainer('x').hostname(process.env['${key}'] ?? 'none').env({ NOTE: fs.readFileSync(${JSON.stringify(note)}, 'utf8').trim() });\n`);
      const host = async () => (await loadDefinition(file)).plan.containers[0]!;
      expect((await host()).process.hostname).toBe('none');
      expect((await loadDefinition(file)).fromCache).toBe(true);
      // (A changed variable: test/root/warm-start.test.ts — jest gives each test file a process.env of its
      // own, which the evaluation worker does not see.)
      fs.writeFileSync(note, 'b\n');
      const again = await loadDefinition(file);
      expect(again.fromCache).toBe(false);
      expect(again.plan.containers[0]!.process.env['NOTE']).toBe('b');
      // A definition that lists the whole environment cannot be re-checked: never cached.
      fs.writeFileSync(file, `import { defineContainer } from 'haco';\nexport default defineContainer('x').hostname(String(Object.keys(process.env).length > 0));\n`);
      await loadDefinition(file);
      expect((await loadDefinition(file)).fromCache).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bundles local imports and evaluates several containers sharing a base', async () => {
    const loaded = await loadDefinition(path.join(defs, 'good.haco.ts'));
    expect(loaded.fromCache).toBe(false);
    expect(loaded.plan.containers.map((c) => c.name)).toEqual(['web-1', 'web-2']);
    expect(loaded.plan.containers[1]!.cgroup.resources).toEqual({ pids: { max: 64 }, memory: { max: 128 * 2 ** 20 } });
    // DSL call sites are mapped back through the bundle to the helper file and the definition.
    expect(loaded.locations[0]!['cgroup.resources.memory']).toMatchObject({ file: path.join(defs, 'lib/web.ts'), line: 3 });
    expect(loaded.locations[1]!['process.hostname']).toMatchObject({ file: path.join(defs, 'good.haco.ts'), line: 6 });
  });

  it('serves a repeat run from the cache and notices when any input changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-def-'));
    try {
      fs.writeFileSync(path.join(dir, 'part.ts'), 'export const limit = 10;\n');
      fs.writeFileSync(path.join(dir, 'x.haco.ts'), "import { defineContainer } from 'haco';\nimport { limit } from './part';\nexport default defineContainer('x').pids(limit);\n");
      const first = await loadDefinition(path.join(dir, 'x.haco.ts'));
      const second = await loadDefinition(path.join(dir, 'x.haco.ts'));
      expect([first.fromCache, second.fromCache]).toEqual([false, true]);
      expect(second.plan).toEqual(first.plan);
      fs.writeFileSync(path.join(dir, 'part.ts'), 'export const limit = 20;\n');
      const third = await loadDefinition(path.join(dir, 'x.haco.ts'));
      expect(third.fromCache).toBe(false);
      expect(third.plan.containers[0]!.cgroup.resources.pids).toEqual({ max: 20 });
      expect(fs.readdirSync(dir).sort()).toEqual(['part.ts', 'x.haco.ts']); // nothing written next to the user's files
      // touch: same content, new mtime — still served from the cache.
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(dir, 'part.ts'), later, later);
      expect((await loadDefinition(path.join(dir, 'x.haco.ts'))).fromCache).toBe(true);
      // Another content of the same size with the mtime put back: noticed (the content is always hashed).
      fs.writeFileSync(path.join(dir, 'part.ts'), 'export const limit = 30;\n');
      fs.utimesSync(path.join(dir, 'part.ts'), later, later);
      const edited = await loadDefinition(path.join(dir, 'x.haco.ts'));
      expect(edited.fromCache).toBe(false);
      expect(edited.plan.containers[0]!.cgroup.resources.pids).toEqual({ max: 30 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points a syntax error at its line', async () => {
    const e = await failure('syntax.haco.ts');
    expect(e.code).toBe('E_SYNTAX');
    expect(e.location).toEqual({ file: path.join(defs, 'syntax.haco.ts'), line: 3, column: 11 });
  });

  it('points a throw at the throwing line of the .haco.ts, not the bundle', async () => {
    const e = await failure('throw.haco.ts');
    expect(e.code).toBe('E_THROWN');
    expect(e.message).toContain('no port configured');
    expect(e.location).toMatchObject({ file: path.join(defs, 'throw.haco.ts'), line: 3 });
    expect(e.stack).toContain(`${path.join(defs, 'throw.haco.ts')}:3:`);
  });

  it('ends an endless loop with a timeout error', async () => {
    process.env['HACO_EVAL_TIMEOUT_MS'] = '300';
    try {
      const e = await failure('loop.haco.ts');
      expect(e.code).toBe('E_TIMEOUT');
      expect(e.message).toContain('did not finish within 300 ms');
    } finally {
      delete process.env['HACO_EVAL_TIMEOUT_MS'];
    }
  });

  it('reports every bad field with its own line', async () => {
    const e = await failure('typo.haco.ts');
    expect(e.code).toBe('E_INVALID');
    const byLine = Object.fromEntries(e.issues.map((i) => [i.location?.line, i.message]));
    expect(byLine).toEqual({
      4: 'unknown namespace "pdi"',
      5: expect.stringContaining('"12 GB" is not a size'),
      6: '"../etc" is not an absolute path inside the container',
    });
    expect(e.issues.every((i) => i.location?.file === path.join(defs, 'typo.haco.ts'))).toBe(true);
  });

  it('explains a missing default export and a default export that is not a container', async () => {
    expect((await failure('nodefault.haco.ts')).code).toBe('E_NO_DEFAULT_EXPORT');
    const e = await failure('notcontainer.haco.ts');
    expect(e.code).toBe('E_NOT_CONTAINER');
    expect(e.message).toContain('the default export is an object, not a container');
  });
});
