// Progress for long operations: a bar on a terminal, nothing on stdout when --json is asked
// (machine output stays clean), and plain periodic lines when stderr is not a terminal.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the total once known. */
  setTotal(total: number): void;
  /** Advances by `n` (default 1), with an optional label of the current item. */
  tick(n?: number, label?: string): void;
  /** Sets the absolute value. */
  update(value: number, label?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  /** Suppresses the bar (used with --json or --quiet). */
  silent?: boolean;
  /** Unit shown after the counts, e.g. "files" or "MB". */
  unit?: string;
}

export function createProgress(options: ProgressOptions): Progress {
  if (options.silent) {
    return { setTotal() {}, tick() {}, update() {}, stop() {} };
  }
  if (!process.stderr.isTTY) return lineProgress(options);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${options.label} [{bar}] {percentage}% {value}/{total} ${options.unit ?? ''} {item}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  bar.start(options.total ?? 0, 0, { item: '' });
  return {
    setTotal: (total) => bar.setTotal(total),
    tick(n = 1, label = '') {
      value += n;
      bar.update(value, { item: label });
    },
    update(v, label = '') {
      value = v;
      bar.update(v, { item: label });
    },
    stop: () => bar.stop(),
  };
}

function lineProgress(options: ProgressOptions): Progress {
  let total = options.total ?? 0;
  let value = 0;
  let lastPrinted = 0;
  const print = (label: string) => {
    const now = Date.now();
    if (now - lastPrinted < 2000 && value !== total) return;
    lastPrinted = now;
    const pct = total ? ` ${Math.floor((value / total) * 100)}%` : '';
    process.stderr.write(`${options.label}:${pct} ${value}/${total || '?'} ${options.unit ?? ''} ${label}\n`);
  };
  return {
    setTotal(t) {
      total = t;
    },
    tick(n = 1, label = '') {
      value += n;
      print(label);
    },
    update(v, label = '') {
      value = v;
      print(label);
    },
    stop() {},
  };
}
