// The example of docs/api.md, run as it is printed there (a unit test checks that the two stay the same).
// example:begin
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create, HacoError, start, type Container } from 'haco';

describe('a busybox container, through the haco API', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haco-api-'));
  const file = path.join(dir, 'hello.haco.ts');
  let web: Container | undefined;

  beforeAll(async () => {
    fs.writeFileSync(file, `
      import { defineContainer } from 'haco';
      export default defineContainer('api-hello-${process.pid}')
        .rootfs('${dir}/rootfs')
        .bootstrap((b) => b.busybox())
        .command(['/bin/sh', '-c', 'trap "exit 0" TERM; echo ready; while :; do sleep 1 & wait $!; done'])
        .hostname('hello')
        .unshare('mount', 'uts', 'ipc', 'pid');
    `);
    await create(file);
  });

  afterAll(async () => {
    if (web?.status()?.status === 'running') await web.stop({ timeoutMs: 2000 });
    if (web?.status()) await web.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts detached, runs a command inside, stops', async () => {
    web = await start(file);
    const r = await web.exec(['cat', '/proc/sys/kernel/hostname']);
    expect(r).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
    expect(await web.exec(['sh', '-c', 'echo oops >&2; exit 7'])).toEqual({ exitCode: 7, stdout: '', stderr: 'oops\n' });
    expect((await web.logs()).stdout).toBe('ready\n');

    // A second start of the same container is refused with a stable code.
    await expect(start(file)).rejects.toMatchObject({ code: 'E_ALREADY_RUNNING' });
    await expect(start(file)).rejects.toBeInstanceOf(HacoError);

    const stopped = await web.stop({ timeoutMs: 2000 });
    expect(stopped.escalated).toBe(false);
    expect(web.status()?.status).toBe('exited');
    await web.remove();
    expect(web.status()).toBeUndefined();
  });

  it('runs in the foreground to the end', async () => {
    const r = await start(file, { detach: false, command: ['sh', '-c', 'hostname; exit 3'] });
    expect(r).toEqual({ exitCode: 3, stdout: 'hello\n', stderr: '' });
  });
});
// example:end
