import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_NAMESPACES } from '../../../src/plan/defaults';
import { validatePlanSchema } from '../../../src/plan/schema';
import { REPO, haco } from '../../support/cli';

let dir: string;
let cache: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-cli-'));
  cache = path.join(dir, '.cache');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const env = () => ({ HACO_CACHE_DIR: cache });

describe('haco version', () => {
  it('prints the versions, as text and JSON', () => {
    const text = haco(['version']);
    expect(text).toExitWith(0);
    expect(text.stdout).toMatch(/^haco \d+\.\d+\.\d+ \(plan haco\.dev\/v1alpha1, node v\d+/);
    const json = haco(['version', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ planApiVersion: 'haco.dev/v1alpha1' });
  });
});

describe('the V8 code cache of the CLI bundle (src/cli/boot.ts)', () => {
  const v8 = () => path.join(cache, 'v8');
  it('is written after a first run, per command, and used by the next', () => {
    expect(haco(['version'], { env: env() })).toExitWith(0);
    const files = fs.readdirSync(v8());
    expect(files).toEqual([expect.stringMatching(/^cli-main-\d+-\d+-\d+-v[\d.]+-version\.bin$/)]);
    const written = fs.statSync(path.join(v8(), files[0]!)).mtimeMs;
    expect(haco(['version'], { env: env() }).stdout).toMatch(/^haco /);
    // Accepted, so not written again.
    expect(fs.statSync(path.join(v8(), files[0]!)).mtimeMs).toBe(written);
    expect(haco(['validate', 'nope.haco.ts'], { env: env() }).status).not.toBe(0);
    expect(fs.readdirSync(v8()).sort()).toEqual([files[0], expect.stringMatching(/-other\.bin$/)].sort());
    // A cache of an earlier build goes when this command writes its new one.
    const stale = path.join(v8(), 'cli-main-1-2-3-v0.0.0-version.bin');
    fs.writeFileSync(stale, 'old');
    fs.rmSync(path.join(v8(), files[0]!));
    expect(haco(['version'], { env: env() })).toExitWith(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(path.join(v8(), files[0]!))).toBe(true);
  });

  it('is hashed: a flipped byte makes the file be discarded (never handed to V8) and rewritten', async () => {
    expect(haco(['version'], { env: env() })).toExitWith(0);
    const name = fs.readdirSync(v8())[0]!;
    const file = path.join(v8(), name);
    const data = fs.readFileSync(file);
    expect(data.toString('latin1', 0, 65)).toMatch(/^[0-9a-f]{64}\n$/);
    data[Math.floor(data.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, data);
    const previous = process.env['HACO_CACHE_DIR'];
    process.env['HACO_CACHE_DIR'] = cache;
    try {
      const { readCacheFile } = await import('../../../src/cache-file');
      expect(readCacheFile('v8', name)).toBeUndefined();
      const r = haco(['version'], { env: env() });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(readCacheFile('v8', name)).toBeDefined();
    } finally {
      if (previous === undefined) delete process.env['HACO_CACHE_DIR'];
      else process.env['HACO_CACHE_DIR'] = previous;
    }
    expect(fs.statSync(v8()).mode & 0o777).toBe(0o700);
  });

  it('needs no dynamic import(): the bundle runs under vm.Script, which has no import() callback', () => {
    const bundle = fs.readFileSync(path.join(REPO, 'dist/cli-main.js'), 'utf8');
    expect(bundle.match(/(?<![\w$.])import\(/g) ?? []).toEqual([]);
  });

  it('is only a speed-up: garbage in it is rejected by V8 and replaced; HACO_NO_CODE_CACHE skips it', () => {
    expect(haco(['version'], { env: env() })).toExitWith(0);
    const file = path.join(v8(), fs.readdirSync(v8())[0]!);
    fs.writeFileSync(file, 'not a code cache');
    const r = haco(['version'], { env: env() });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.readFileSync(file).length).toBeGreaterThan(1000);
    fs.rmSync(v8(), { recursive: true });
    expect(haco(['version'], { env: { ...env(), HACO_NO_CODE_CACHE: '1' } })).toExitWith(0);
    expect(fs.existsSync(v8())).toBe(false);
  });
});

describe('haco new + plan (the issue\'s "done when")', () => {
  it('writes a template whose plan is valid JSON matching the schema', () => {
    const created = haco(['new', 'demo.haco.ts'], { cwd: dir, env: env() });
    expect(created).toExitWith(0);
    expect(created.stdout).toContain('wrote demo.haco.ts (container "demo"');
    const plan = haco(['plan', 'demo.haco.ts', '--json'], { cwd: dir, env: env() });
    expect(plan.stderr).toBe('');
    expect(plan).toExitWith(0);
    const parsed: unknown = JSON.parse(plan.stdout);
    expect(validatePlanSchema(parsed)).toEqual([]);
    expect(parsed).toMatchObject({ containers: [{ name: 'demo', bootstrap: { strategy: 'host' } }] });
  });

  it('refuses to overwrite, with exit status 5', () => {
    fs.writeFileSync(path.join(dir, 'demo.haco.ts'), 'keep me');
    const r = haco(['new', 'demo.haco.ts'], { cwd: dir });
    expect(r).toExitWith(5);
    expect(r.stderr).toContain('demo.haco.ts already exists');
    expect(fs.readFileSync(path.join(dir, 'demo.haco.ts'), 'utf8')).toBe('keep me');
  });

  it('uses --name and --root', () => {
    expect(haco(['new', '--name', 'web', '--root', '/srv/web'], { cwd: dir })).toExitWith(0);
    expect(fs.readFileSync(path.join(dir, 'web.haco.ts'), 'utf8')).toContain(".rootfs('/srv/web')");
  });

  it('answers a warm plan from the cache exactly as a cold one', () => {
    haco(['new', 'demo.haco.ts'], { cwd: dir, env: env() });
    const cold = haco(['plan', 'demo.haco.ts'], { cwd: dir, env: { ...env(), HACO_NO_CACHE: '1' } });
    haco(['plan', 'demo.haco.ts'], { cwd: dir, env: env() }); // fills the cache
    const warm = haco(['plan', 'demo.haco.ts'], { cwd: dir, env: env() });
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stdout).toContain('namespaces    new: mount uts ipc pid net; shared with host: user cgroup time');
    expect(warm.stdout).toMatch(/seccomp +haco default profile \(\d+ syscalls allowed, errno 1 \(EPERM\) otherwise\)/);
    const warmJson = haco(['plan', 'demo.haco.ts', '--json'], { cwd: dir, env: env() });
    const coldJson = haco(['plan', 'demo.haco.ts', '--json', '--no-cache'], { cwd: dir, env: env() });
    expect(warmJson.stdout).toBe(coldJson.stdout);
  });
});

describe('the template\'s namespace list is the set in force (issue 14.4)', () => {
  it('lists the default set, and deleting an entry shares that namespace: plan and diff show it', () => {
    expect(haco(['new', 'demo.haco.ts'], { cwd: dir, env: env() })).toExitWith(0);
    const text = fs.readFileSync(path.join(dir, 'demo.haco.ts'), 'utf8');
    const list = /\.namespaces\(([^)]*)\)/.exec(text)?.[1];
    expect(list?.split(',').map((k) => k.trim().replace(/'/g, ''))).toEqual([...DEFAULT_NAMESPACES]);
    // The learner's edit: delete 'uts' from the list, in a copy to compare with.
    fs.writeFileSync(path.join(dir, 'edited.haco.ts'), text.replace(/(\.namespaces\([^)]*)'uts', /, '$1'));
    const plan = haco(['plan', 'edited.haco.ts', '--json'], { cwd: dir, env: env() });
    expect(plan.stderr).toBe('');
    const edited = (JSON.parse(plan.stdout) as { containers: Array<{ namespaces: { unshare: string[] }; process: { hostname: string } }> }).containers[0]!;
    expect(edited.namespaces.unshare).toEqual(['mount', 'ipc', 'pid', 'net']);
    const diff = haco(['diff', 'demo.haco.ts', 'edited.haco.ts'], { cwd: dir, env: env() });
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toContain('namespaces.unshare: - uts');
    expect(diff).toExitWith(1);
    // The same as the command-line toggle the template's comment names.
    const toggled = haco(['diff', 'demo.haco.ts', '--share', 'uts'], { cwd: dir, env: env() });
    expect(toggled.stdout).toBe(diff.stdout.replace(/edited\.haco\.ts/g, 'demo.haco.ts'));
  });
});

describe('errors', () => {
  const typo = path.join(REPO, 'test/fixtures/defs/typo.haco.ts');

  it('validate names file, line, field and hint; exit status 3', () => {
    const r = haco(['validate', typo], { env: env() });
    expect(r).toExitWith(3);
    expect(r.stderr).toContain('typo.haco.ts:4:4: unknown namespace "pdi" (web.namespaces.unshare)');
    expect(r.stderr).toContain("> 4 |   .unshare('pdi' as 'pid')");
    expect(r.stderr).toContain('hint did you mean "pid"?');
    expect(r.stderr).not.toMatch(/\u001b\[/); // NO_COLOR honoured
  });

  it('keeps exit status 3 with --json and prints the issues as data', () => {
    const r = haco(['validate', typo, '--json'], { env: env() });
    expect(r).toExitWith(3);
    const out = JSON.parse(r.stdout) as { error: { code: string; issues: Array<{ path: string; location: { line: number } }> } };
    expect(out.error.code).toBe('E_INVALID');
    expect(out.error.issues.map((i) => [i.path, i.location.line])).toEqual([
      ['namespaces.unshare', 4],
      ['cgroup.resources.memory', 5],
      ['mounts[6]', 6],
    ]);
  });

  it('colours output when asked and the terminal allows', () => {
    const r = haco(['validate', typo], { env: { ...env(), NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.stderr).toMatch(/\u001b\[/);
  });

  it('exits 2 on a usage error, with a pointer to --help', () => {
    const r = haco(['plan', '--bogus', 'x.haco.ts']);
    expect(r).toExitWith(2);
    expect(r.stderr).toContain('haco plan --help');
    expect(haco(['plan'])).toExitWith(2);
  });

  it('with --json, create/provision/archive report a failure as one more event line on stdout', () => {
    for (const cmd of [['create'], ['provision'], ['archive', '-o', 'x.tar']]) {
      const r = haco([...cmd, 'nope.haco.ts', '--json'], { cwd: dir, env: env() });
      expect({ cmd: cmd[0], status: r.status, stderr: r.stderr }).toEqual({ cmd: cmd[0], status: r.status === 0 ? 1 : r.status, stderr: '' });
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'error', error: { code: expect.stringMatching(/^E_/) } });
    }
  });

  it('reports a missing file', () => {
    const r = haco(['plan', 'nope.haco.ts'], { cwd: dir });
    expect(r).toExitWith(3);
    expect(r.stderr).toContain('nope.haco.ts: no such file');
  });
});

describe('help', () => {
  it('lists the commands and shows examples for each', () => {
    const top = haco(['--help']);
    expect(top).toExitWith(0);
    for (const command of ['new', 'plan', 'validate', 'version']) expect(top.stdout).toContain(command);
    const plan = haco(['plan', '--help']);
    expect(plan.stdout).toContain('EXAMPLES');
    expect(plan.stdout).toContain('haco plan examples/first.haco.ts --json');
  });
});

describe('oclif plugins', () => {
  it('a user plugin in $XDG_DATA_HOME/haco is not loaded', async () => {
    const data = path.join(dir, 'data');
    const marker = path.join(dir, 'plugin-ran');
    const plugin = path.join(data, 'haco', 'node_modules', 'evil-plugin');
    fs.mkdirSync(plugin, { recursive: true });
    fs.writeFileSync(path.join(data, 'haco', 'package.json'), JSON.stringify({ private: true, oclif: { schema: 1, plugins: [{ name: 'evil-plugin', type: 'user' }] }, dependencies: { 'evil-plugin': '1.0.0' } }));
    fs.writeFileSync(path.join(plugin, 'package.json'), JSON.stringify({ name: 'evil-plugin', version: '1.0.0', main: 'index.js', oclif: { hooks: { init: './hook.js' } } }));
    const hook = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = async () => {};\n`;
    fs.writeFileSync(path.join(plugin, 'index.js'), hook);
    fs.writeFileSync(path.join(plugin, 'hook.js'), hook);
    // Control: with oclif's defaults the plugin is found (so the check below means something).
    const { Config } = await import('@oclif/core');
    const env = { XDG_DATA_HOME: data };
    const previous = process.env['XDG_DATA_HOME'];
    process.env['XDG_DATA_HOME'] = data;
    try {
      const open = await Config.load({ root: REPO });
      expect([...open.plugins.keys()]).toContain('evil-plugin');
      const { OCLIF_OPTIONS } = await import('../../../src/cli/main');
      const closed = await Config.load(OCLIF_OPTIONS());
      expect([...closed.plugins.keys()]).not.toContain('evil-plugin');
    } finally {
      if (previous === undefined) delete process.env['XDG_DATA_HOME'];
      else process.env['XDG_DATA_HOME'] = previous;
    }
    fs.rmSync(marker, { force: true });
    const r = haco(['ps', '--help'], { env: { ...env, HACO_CACHE_DIR: cache } });
    expect(r.stderr).toBe('');
    expect(r).toExitWith(0);
    expect(fs.existsSync(marker)).toBe(false);
  }, 90_000);
});
