import { PassThrough } from 'node:stream';
import { JsonReporter, TextReporter, formatDuration } from '../../../src/progress/reporter';

function collect(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

describe('progress reporters', () => {
  it('json: one object per line', () => {
    const { stream, text } = collect();
    const r = new JsonReporter(stream);
    r.begin('c', 'bootstrap.busybox');
    r.line('c', 'bootstrap.busybox', 'hello "quoted"');
    r.end('c', 'bootstrap.busybox', 'ok', 12.4);
    const events = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['begin', 'output', 'end']);
    expect(events[1]).toMatchObject({ container: 'c', phase: 'bootstrap.busybox', text: 'hello "quoted"' });
    expect(events[2]).toMatchObject({ outcome: 'ok', ms: 12 });
  });

  it('plain: prefixed lines and no control characters', () => {
    const { stream, text } = collect();
    const r = new TextReporter(stream, false);
    r.begin('c', 'provision.apt');
    r.line('c', 'provision.apt', '+ apt-get update');
    r.end('c', 'provision.apt', 'skipped', 0);
    r.close();
    expect(text()).toContain('[provision.apt] + apt-get update');
    expect(text()).toContain('unchanged, skipped');
    expect(text()).not.toContain('\r');
  });

  it('formats durations', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});
