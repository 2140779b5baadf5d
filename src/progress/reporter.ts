import type { ChalkInstance } from 'chalk';
import { coloursFor } from '../colour';

/**
 * Progress of long host-side work (bootstrap, provision, archive). Three renderings of the same
 * events: a live status line on a terminal, plain prefixed lines for logs and CI, and one JSON object
 * per line for tools. Progress always goes to stderr so stdout stays for data (the rootfs path, the
 * archive name) — except with --json, where the event stream *is* the data.
 */
export interface Reporter {
  /** A phase begins, e.g. `bootstrap.debootstrap` or `provision.apt`. */
  begin(container: string, phase: string): void;
  /** One line of child output (or a note) belonging to the current phase. */
  line(container: string, phase: string, text: string): void;
  /** The phase finished (ok) or was skipped. */
  end(container: string, phase: string, outcome: 'ok' | 'skipped' | 'failed', ms: number): void;
  /** A final result worth a line of its own. */
  result(container: string, what: string, data: Record<string, unknown>): void;
  /** A warning the user should read. */
  warn(container: string, text: string): void;
  /** Stop timers and clear the status line. */
  close(): void;
}

export interface ReporterOptions {
  json: boolean;
  /** Where events go; default process.stderr (process.stdout for json). */
  stream?: NodeJS.WriteStream;
  /** Force/forbid the live status line (default: stderr is a TTY and CI is not "true"). */
  live?: boolean;
}

/** Picks the rendering: --json events, a live TTY line, or plain lines. */
export function createReporter(options: ReporterOptions): Reporter {
  if (options.json) return new JsonReporter(options.stream ?? process.stdout);
  const stream = options.stream ?? process.stderr;
  const live = options.live ?? (Boolean(stream.isTTY) && process.env['CI'] !== 'true');
  return new TextReporter(stream, live);
}

/** Elapsed milliseconds as people read them: 850ms, 12.3s, 2m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  #emit(event: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  }

  begin(container: string, phase: string): void {
    this.#emit({ event: 'begin', container, phase });
  }
  line(container: string, phase: string, text: string): void {
    this.#emit({ event: 'output', container, phase, text });
  }
  end(container: string, phase: string, outcome: 'ok' | 'skipped' | 'failed', ms: number): void {
    this.#emit({ event: 'end', container, phase, outcome, ms: Math.round(ms) });
  }
  result(container: string, what: string, data: Record<string, unknown>): void {
    this.#emit({ event: 'result', container, what, ...data });
  }
  warn(container: string, text: string): void {
    this.#emit({ event: 'warning', container, text });
  }
  close(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class TextReporter implements Reporter {
  #phase: { label: string; started: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  #statusShown = false;
  readonly #chalk: ChalkInstance;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live: boolean,
  ) {
    this.#chalk = coloursFor(out);
  }

  begin(container: string, phase: string): void {
    this.#phase = { label: `${container} ${phase}`, started: Date.now() };
    if (!this.live) {
      this.#print(`${this.#chalk.cyan('▸')} ${this.#chalk.bold(container)} ${phase}`);
      return;
    }
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#drawStatus(), 100);
      // The spinner must never keep the process alive on its own.
      this.#timer.unref();
    }
    this.#drawStatus();
  }

  line(_container: string, phase: string, text: string): void {
    this.#print(`${this.#chalk.dim(`[${phase}]`)} ${text}`);
  }

  end(container: string, phase: string, outcome: 'ok' | 'skipped' | 'failed', ms: number): void {
    const mark = outcome === 'ok' ? this.#chalk.green('✓') : outcome === 'skipped' ? this.#chalk.dim('–') : this.#chalk.red('✗');
    const note = outcome === 'skipped' ? this.#chalk.dim('unchanged, skipped') : this.#chalk.dim(formatDuration(ms));
    this.#phase = undefined;
    this.#print(`${mark} ${this.#chalk.bold(container)} ${phase} ${note}`);
  }

  result(container: string, what: string, data: Record<string, unknown>): void {
    const details = Object.entries(data)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    this.#print(`${this.#chalk.green('●')} ${this.#chalk.bold(container)} ${what} ${this.#chalk.dim(details)}`);
  }

  warn(container: string, text: string): void {
    this.#print(`${this.#chalk.yellow('warning')} ${this.#chalk.bold(container)} ${text}`);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clearStatus();
  }

  #print(text: string): void {
    this.#clearStatus();
    this.out.write(`${text}\n`);
    if (this.live && this.#phase) this.#drawStatus();
  }

  #clearStatus(): void {
    if (this.#statusShown) this.out.write('\r\x1b[2K');
    this.#statusShown = false;
  }

  #drawStatus(): void {
    if (!this.#phase) return;
    this.#frame = (this.#frame + 1) % SPINNER.length;
    const elapsed = formatDuration(Date.now() - this.#phase.started);
    const columns = this.out.columns || 80;
    const text = `${SPINNER[this.#frame]} ${this.#phase.label} ${elapsed}`.slice(0, Math.max(10, columns - 1));
    this.out.write(`\r\x1b[2K${this.#chalk.cyan(text)}`);
    this.#statusShown = true;
  }
}
