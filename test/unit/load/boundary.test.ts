// The evaluation boundary: what haco does to keep a definition's mistakes (and its folder's
// surroundings) from turning into something else than an error at the right line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDefinition } from '../../../src/load/load';
import { DefinitionError } from '../../../src/load/definition-error';

let dir: string;
let cacheDir: string;
const saved = { ...process.env };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-boundary-'));
  cacheDir = path.join(dir, 'cache');
  process.env['HACO_CACHE_DIR'] = cacheDir;
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.env = { ...saved };
});

function write(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
  return file;
}

async function failure(file: string): Promise<DefinitionError> {
  try {
    await loadDefinition(file, { cache: false });
  } catch (error) {
    if (error instanceof DefinitionError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without error`);
}

const head = "import { defineContainer } from 'haco';\n";

describe('DSL misuse in a definition file', () => {
  it('an unknown option key is an error at its line of the .haco.ts with a did-you-mean', async () => {
    const file = write('x.haco.ts', `${head}export default defineContainer('x')\n  .bind('/srv', '/srv', { readOnly: true } as any);\n`);
    const e = await failure(file);
    expect(e.code).toBe('E_UNKNOWN_OPTION');
    expect(e.message).toContain('unknown option "readOnly" (did you mean "readonly"?)');
    expect(e.location).toMatchObject({ file, line: 3 });
  });

  it('an unknown method is an error at its line with the method that was meant', async () => {
    const file = write('x.haco.ts', `${head}const c: any = defineContainer('x');\nexport default c\n  .unshre('net');\n`);
    const e = await failure(file);
    expect(e.code).toBe('E_UNKNOWN_METHOD');
    expect(e.message).toContain('did you mean unshare?');
    expect(e.location).toMatchObject({ file, line: 4 });
  });
});

describe('the plan cache', () => {
  const entryFile = () => path.join(cacheDir, 'plans', fs.readdirSync(path.join(cacheDir, 'plans'))[0]!);

  it('discards an entry with a flipped byte instead of using it', async () => {
    const file = write('x.haco.ts', `${head}export default defineContainer('x').pids(10);\n`);
    expect((await loadDefinition(file)).fromCache).toBe(false);
    expect((await loadDefinition(file)).fromCache).toBe(true);
    const data = fs.readFileSync(entryFile());
    const at = data.indexOf('"max":10') + 7;
    data[at] = '9'.charCodeAt(0); // pids 19: still valid JSON and a valid plan, but not what was written
    fs.writeFileSync(entryFile(), data);
    const again = await loadDefinition(file);
    expect(again.fromCache).toBe(false);
    expect(again.plan.containers[0]!.cgroup.resources.pids).toEqual({ max: 10 });
  });

  it('discards an intact entry of another entry format or haco version (checked against other rules)', async () => {
    const file = write('x.haco.ts', `${head}export default defineContainer('x').user(1000);\n`);
    await loadDefinition(file);
    const { createHash } = await import('node:crypto');
    const body = fs.readFileSync(entryFile(), 'utf8').replace(/^[0-9a-f]{64}\n/, '');
    for (const edit of [(t: string) => t.replace('"format":3', '"format":2'), (t: string) => t.replace(/"hacoVersion":"[^"]*"/, '"hacoVersion":"0.0.0"')]) {
      const text = edit(body).replace('"uid":1000', '"uid":4294967296');
      fs.writeFileSync(entryFile(), `${createHash('sha256').update(text).digest('hex')}\n${text}`);
      const again = await loadDefinition(file);
      expect(again.fromCache).toBe(false);
      expect(again.plan.containers[0]!.process.user.uid).toBe(1000);
    }
  });

  it('is created private and not used from a folder others can write', async () => {
    const file = write('x.haco.ts', `${head}export default defineContainer('x');\n`);
    await loadDefinition(file);
    expect(fs.statSync(path.join(cacheDir, 'plans')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(entryFile()).mode & 0o777).toBe(0o600);
    fs.chmodSync(path.join(cacheDir, 'plans'), 0o777);
    expect((await loadDefinition(file)).fromCache).toBe(false);
  });
});

describe('tsconfig.json', () => {
  it('one above the definition (or in the current folder) is not used: its paths cannot swap modules', async () => {
    write('node_modules/helper/index.js', "exports.name = 'good';\n");
    write('evil.ts', "export const name = 'evil';\n");
    write('tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { helper: ['./evil.ts'] } } }));
    const file = write('defs/x.haco.ts', `${head}import { name } from 'helper';\nexport default defineContainer(name);\n`);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const loaded = await loadDefinition(file, { cache: false });
      expect(loaded.plan.containers[0]!.name).toBe('good');
    } finally {
      process.chdir(cwd);
    }
  });

  it('the one beside the definition is used', async () => {
    write('defs/evil.ts', "export const name = 'beside';\n");
    write('node_modules/helper/index.js', "exports.name = 'good';\n");
    write('defs/tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { helper: ['./evil.ts'] } } }));
    const file = write('defs/x.haco.ts', `${head}import { name } from 'helper';\nexport default defineContainer(name);\n`);
    expect((await loadDefinition(file, { cache: false })).plan.containers[0]!.name).toBe('beside');
  });
});

describe('evaluation limits', () => {
  it('a loop in a promise job ends as a timeout', async () => {
    process.env['HACO_EVAL_TIMEOUT_MS'] = '500';
    const file = write('x.haco.ts', `${head}Promise.resolve().then(() => { for (;;); });\nexport default defineContainer('x');\n`);
    const started = Date.now();
    const e = await failure(file);
    expect(e.code).toBe('E_TIMEOUT');
    expect(e.message).toBe('x.haco.ts did not finish within 500 ms');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a synchronous loop still ends as a timeout', async () => {
    process.env['HACO_EVAL_TIMEOUT_MS'] = '300';
    const e = await failure(write('x.haco.ts', `${head}for (;;);\nexport default defineContainer('x');\n`));
    expect(e.code).toBe('E_TIMEOUT');
  });

  it('a heap blowup is reported with the limit, and haco lives on', async () => {
    process.env['HACO_EVAL_HEAP_MB'] = '64';
    process.env['HACO_EVAL_TIMEOUT_MS'] = '30000';
    const file = write('x.haco.ts', `${head}const keep: number[][] = [];\nfor (;;) keep.push(new Array(100000).fill(1));\nexport default defineContainer('x');\n`);
    const e = await failure(file);
    expect(e.code).toBe('E_HEAP');
    expect(e.message).toBe('x.haco.ts: the definition used more than 64 MiB of memory while being evaluated');
  }, 60_000);
});

describe('a definition that exits or throws oddly', () => {
  it('process.exit(0) is an error, not a successful haco', async () => {
    const file = write('x.haco.ts', `${head}process.exit(0);\nexport default defineContainer('x');\n`);
    const e = await failure(file);
    expect(e.code).toBe('E_DEFINITION_EXIT');
    expect(e.message).toBe('x.haco.ts called process.exit(0) while being evaluated; a definition must export its containers');
    expect(e.location).toMatchObject({ file, line: 2 });
  });

  it('process.exit in a promise job too', async () => {
    const e = await failure(write('x.haco.ts', `${head}void Promise.resolve().then(() => process.exit(3));\nexport default defineContainer('x');\n`));
    expect(e.code).toBe('E_DEFINITION_EXIT');
  });

  it('a rejection nobody handles is the definition throwing, at its line', async () => {
    const file = write('x.haco.ts', `${head}void Promise.reject(new Error('later'));\nexport default defineContainer('x');\n`);
    const e = await failure(file);
    expect([e.code, e.message]).toEqual(['E_THROWN', 'x.haco.ts threw: later']);
    expect(e.location).toMatchObject({ file, line: 2 });
  });

  it.each([
    ['null', 'null'],
    ["'str'", '"str"'],
    ['{}', '{}'],
    ['undefined', 'undefined'],
  ])('throw %s is the definition throwing a non-Error value', async (value, shown) => {
    const file = write('x.haco.ts', `${head}throw ${value};\n`);
    const e = await failure(file);
    expect(e.code).toBe('E_THROWN');
    expect(e.message).toBe(`x.haco.ts threw a non-Error value: ${shown}`);
    expect(e.location?.file).toBe(file);
  });
});
