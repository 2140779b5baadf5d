import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

describe('docs/api.md', () => {
  it('shows test/root/api-example.test.ts as it runs in the suite', () => {
    const test = fs.readFileSync(path.join(REPO, 'test/root/api-example.test.ts'), 'utf8');
    const example = test.split('// example:begin\n')[1]!.split('// example:end\n')[0]!;
    expect(example.length).toBeGreaterThan(500);
    expect(fs.readFileSync(path.join(REPO, 'docs/api.md'), 'utf8')).toContain('```ts\n' + example + '```\n');
  });

  it('the package exports the API next to the DSL', () => {
    const haco = require('haco') as Record<string, unknown>;
    for (const name of ['defineContainer', 'ContainerBuilder', 'load', 'create', 'start', 'container', 'Container', 'HacoError']) expect(typeof haco[name]).toBe('function');
  });
});
