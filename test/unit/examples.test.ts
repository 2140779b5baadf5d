// Every example must load, validate and explain: they are what learners copy first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explainContainer } from '../../src/explain/explain';
import { loadDefinition } from '../../src/load/load';
import { hostFacts, V1_SPLIT_HOST } from '../support/host-facts';

const REPO = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(REPO, 'examples');
const TUTORIAL = path.join(REPO, 'docs/tutorial');
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.haco.ts')).sort();

jest.setTimeout(60_000);

describe('examples/', () => {
  it('has the examples the tutorial and README point at', () => {
    for (const name of ['first', 'namespaces', 'cgroup-cpu', 'cgroup-memory', 'cgroup-pids', 'capabilities', 'rlimits', 'user-namespace', 'overlay', 'bridge', 'debian', 'lxc', 'tarball', 'multi', 'hooks', 'reload', 'chroot', 'cgroupfs', 'layers', 'nat']) {
      expect(files).toContain(`${name}.haco.ts`);
    }
  });

  test.each(files)('%s loads into a valid plan and can be explained', async (file) => {
    const loaded = await loadDefinition(path.join(EXAMPLES, file), { cache: false });
    expect(loaded.plan.containers.length).toBeGreaterThan(0);
    for (const c of loaded.plan.containers) {
      expect(c.rootfs.path).toMatch(/^\/var\/lib\/haco\/[^/]+\/rootfs$/);
      // On the v1 layout of the root test machine: any v2-only file would be a missing controller here.
      expect(explainContainer(c, hostFacts(V1_SPLIT_HOST)).steps.length).toBeGreaterThan(5);
    }
  });

  test.each(files.filter((f) => f !== 'first.haco.ts'))('%s starts with a comment saying what to try', (file) => {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(text).toMatch(/^\/\/ \S/);
    expect(text).toMatch(/haco (start|create|explain|diff|plan)/);
  });
});

describe('docs/tutorial files', () => {
  const tutorialFiles = fs.readdirSync(path.join(TUTORIAL, 'files')).filter((f) => f.endsWith('.haco.ts')).sort();
  const chapters = fs.readdirSync(TUTORIAL).filter((f) => f.endsWith('.md')).map((f) => path.join(TUTORIAL, f));
  const ja = path.join(TUTORIAL, 'ja');
  if (fs.existsSync(ja)) chapters.push(...fs.readdirSync(ja).filter((f) => f.endsWith('.md')).map((f) => path.join(ja, f)));

  test.each(tutorialFiles)('%s loads into a valid plan', async (file) => {
    const loaded = await loadDefinition(path.join(TUTORIAL, 'files', file), { cache: false });
    expect(loaded.plan.containers.length).toBeGreaterThan(0);
  });

  it('every ```ts file=PATH block of a chapter is the file, byte for byte', () => {
    let blocks = 0;
    for (const chapter of chapters) {
      const text = fs.readFileSync(chapter, 'utf8');
      for (const m of text.matchAll(/^```ts file=(\S+)\n([\s\S]*?)^```$/gm)) {
        blocks++;
        expect({ chapter: path.relative(REPO, chapter), file: m[1], text: m[2] }).toEqual({
          chapter: path.relative(REPO, chapter),
          file: m[1],
          text: fs.readFileSync(path.join(REPO, m[1]!), 'utf8'),
        });
      }
    }
    expect(blocks).toBeGreaterThanOrEqual(tutorialFiles.length);
  });
});
