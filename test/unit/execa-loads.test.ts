import { execa } from 'execa';

// execa (ESM-only, with ESM-only dependencies) must load under jest so that modules that run tools
// can be unit-tested directly.
describe('execa under jest', () => {
  it('runs a command', async () => {
    const r = await execa('printf', ['%s', 'ok']);
    expect(r.stdout).toBe('ok');
  });
});
