/**
 * How `watch` shows a batch: a live `cli-progress` bar on a terminal, or one plain line per change
 * (no control characters) when the output is a file, a pipe or a CI log.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Batch } from './api-types.js';
import { countsText, noticeFor, progressLine, tally } from './batch-text.js';
import { kes } from './format.js';

export interface WatchDisplay {
  show(batch: Batch): void;
  /** Something worth saying that is not progress (a lost connection). */
  warn(text: string): void;
  /** Leaves the terminal as it was (cursor back, bar finished). */
  stop(): void;
}

export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** One line per change: the progress line when it changes, the notice when it appears or changes. */
export class LineDisplay implements WatchDisplay {
  private lastLine: string | undefined;
  private lastNotice: string | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
  ) {}

  show(batch: Batch): void {
    const line = batch.progress ? progressLine(batch.status, batch.progress) : batch.status;
    if (line !== this.lastLine) this.out.write(`${line}\n`);
    this.lastLine = line;
    const notice = noticeFor(batch);
    if (notice !== undefined && notice !== this.lastNotice) this.out.write(`${notice}\n`);
    this.lastNotice = notice;
  }

  warn(text: string): void {
    this.err.write(`${text}\n`);
  }

  stop(): void {}
}

/**
 * Two live lines: a bar of settled payouts with the amount paid, then the state and counts. Notices (how
 * much to top up, who must approve) are printed above the bar when they appear or change, and stay in
 * the scrollback as a history of the run.
 */
export class BarDisplay implements WatchDisplay {
  private readonly bars: MultiBar;
  private bar: SingleBar | undefined;
  private countsLine: SingleBar | undefined;
  private lastNotice: string | undefined;

  constructor(stream: NodeJS.WritableStream) {
    this.bars = new MultiBar(
      { stream, format: '{bar} {percentage}% | {money}', barsize: 24, hideCursor: true, clearOnComplete: false, stopOnComplete: false, emptyOnZero: true, fps: 5 },
      Presets.shades_classic,
    );
  }

  show(batch: Batch): void {
    const p = batch.progress;
    const t = p ? tally(p.counts) : undefined;
    const money = p ? `${kes(p.amounts.succeeded)} of ${kes(p.amounts.total)} paid` : `${kes(batch.totalAmount)} to pay`;
    const counts = { line: t ? `${batch.status}: ${countsText(t)}` : batch.status };
    if (this.bar === undefined || this.countsLine === undefined) {
      this.bar = this.bars.create(t?.total ?? batch.valid, t?.settled ?? 0, { money });
      this.countsLine = this.bars.create(0, 0, counts, { format: '{line}' });
    } else {
      this.bar.setTotal(t?.total ?? batch.valid);
      this.bar.update(t?.settled ?? 0, { money });
      this.countsLine.update(counts);
    }
    const notice = noticeFor(batch);
    if (notice !== undefined && notice !== this.lastNotice) this.bars.log(`${notice}\n`);
    this.lastNotice = notice;
  }

  warn(text: string): void {
    this.bars.log(`${text}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}
