// `haco init`, then the definitions of that project type-checked by tsc against the *packed* package:
// `npm pack` of this repository, unpacked as node_modules/haco of the project (offline: the type
// check needs haco's declarations, not its runtime dependencies, and npm's registry is not asked).
// typescript and @types/node are the repository's own, linked in.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { haco, REPO } from '../../support/cli';

let work: string;
let project: string;

function show(r: { status: number | null; stdout: string; stderr: string }): string {
  return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function tsc(): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, 'dist/types/index.d.ts'))) throw new Error('dist/types is missing: run `node scripts/build.mjs` first');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-init-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_OFFLINE: 'true' };
  delete env['NODE_EXTRA_CA_CERTS'];
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
  if (pack.status !== 0) throw new Error(`npm pack: ${show(pack)}`);
  const tarball = path.join(work, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);

  project = path.join(work, 'My Containers');
  const init = haco(['init', project, '--name', 'web']);
  if (init.status !== 0) throw new Error(`haco init: ${show(init)}`);
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(path.join(modules, 'haco'), { recursive: true });
  fs.mkdirSync(path.join(modules, '@types'));
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'haco'), '--strip-components=1'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar: ${show(untar)}`);
  fs.symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(modules, '@types/node'));
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('haco init', () => {
  it('writes package.json, tsconfig.json and a first definition, and keeps files that exist', () => {
    expect(fs.readdirSync(project).sort()).toEqual(['node_modules', 'package.json', 'tsconfig.json', 'web.haco.ts']);
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'my-containers', type: 'module', devDependencies: { haco: expect.stringMatching(/^\^\d/), typescript: expect.any(String), '@types/node': expect.any(String) } });
    expect(fs.readFileSync(path.join(project, 'web.haco.ts'), 'utf8')).toContain("defineContainer('web')");
    fs.writeFileSync(path.join(project, 'tsconfig.json.keep'), fs.readFileSync(path.join(project, 'tsconfig.json')));
    const again = haco(['init', project]);
    expect(again.stdout).toContain(`kept ${path.join(project, 'package.json')} (exists)`);
    expect(fs.readFileSync(path.join(project, 'tsconfig.json'), 'utf8')).toBe(fs.readFileSync(path.join(project, 'tsconfig.json.keep'), 'utf8'));
    fs.rmSync(path.join(project, 'tsconfig.json.keep'));
    fs.rmSync(path.join(project, 'my-first.haco.ts'));
  });

  it('its tsconfig type-checks definitions against the packed package: the example passes', () => {
    const r = tsc();
    expect({ status: r.status, out: show(r) }).toEqual({ status: 0, out: expect.any(String) });
    // And haco itself still loads definitions in a "type": "module" project.
    const plan = haco(['plan', path.join(project, 'web.haco.ts'), '--json'], { env: { HACO_NO_CACHE: '1' } });
    expect(plan.stderr).toBe('');
    expect((JSON.parse(plan.stdout) as { containers: { name: string }[] }).containers[0]!.name).toBe('web');
  }, 120_000);

  it('a typo fails tsc there, at its line: capability, percentage, size, namespace, rlimit names', () => {
    const typos: [string, string][] = [
      ["dropCaps('net_rwa')", '"net_rwa"'],
      ["cpu('30 %')", '"30 %"'],
      ["memory('512 M')", '"512 M"'],
      ["unshare('pdi')", '"pdi"'],
      ["rlimit('nofiles', 1)", '"nofiles"'],
    ];
    typos.forEach(([call], i) => {
      fs.writeFileSync(path.join(project, `typo${i}.haco.ts`), `import { defineContainer } from 'haco';\n\nexport default defineContainer('typo')\n  .bootstrap((b) => b.host())\n  .${call};\n`);
    });
    try {
      // One tsc run for all (it is the slow part): each file has exactly its one error.
      const r = tsc();
      expect(r).toExitWith(2);
      const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'));
      expect(errors).toHaveLength(typos.length);
      typos.forEach(([, literal], i) => {
        expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^typo${i}\\.haco\\.ts\\(5,\\d+\\): error TS2345: Argument of type '${literal}' is not assignable`)));
      });
    } finally {
      typos.forEach((_, i) => fs.rmSync(path.join(project, `typo${i}.haco.ts`)));
    }
  }, 120_000);
});
