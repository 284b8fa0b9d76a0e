/**
 * Writes that many callers make at once, grouped: items added while a write is in flight go together in
 * the next one (one statement, one commit), and each caller's promise settles when its own item is
 * written. No timer: a lone item goes at the next turn of the event loop. If a grouped write fails, its
 * items are written one by one, so one bad item fails only its own caller.
 */
export class GroupedWrites<T> {
  private readonly queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly writeMany: (items: T[]) => Promise<void>,
    private readonly writeOne: (item: T) => Promise<void>,
    private readonly options: { maxBatch?: number; maxInFlight?: number } = {},
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= (this.options.maxInFlight ?? 2)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < (this.options.maxInFlight ?? 2) && this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
        this.inFlight += 1;
        void this.write(batch).finally(() => {
          this.inFlight -= 1;
          if (this.queue.length > 0) this.schedule();
        });
      }
    });
  }

  private async write(batch: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }>): Promise<void> {
    try {
      await this.writeMany(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
      return;
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
    }
    for (const b of batch) await this.writeOne(b.item).then(b.resolve, b.reject);
  }
}
