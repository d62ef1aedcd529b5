import { debounce, type Debounced } from './debounce';
import type { SavedLabRecord } from './lab-saves';

/** Where autosave stands, for the page to show. */
export type SaveState = { kind: 'idle' } | { kind: 'pending' } | { kind: 'saving' } | { kind: 'saved'; atMs: number } | { kind: 'failed'; message: string };

export interface RecordWriter {
  put(record: SavedLabRecord): Promise<void>;
}

/** Wait after the last change before writing: a pause in typing, not every key. */
export const AUTOSAVE_DELAY_MS = 600;

/**
 * Keeps a lab's record up to date in storage. Changes are merged into the latest record in memory
 * and written once typing pauses; `flush()` writes at once (the page is being hidden or left).
 * One write at a time: a change during a write is written after it, so the last change always
 * lands last.
 */
export class LabAutosave {
  private record: SavedLabRecord;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private readonly timer: Debounced;

  constructor(
    labId: string,
    initial: Omit<SavedLabRecord, 'labId' | 'format'>,
    private readonly writer: RecordWriter,
    private readonly onState: (s: SaveState) => void,
    delayMs = AUTOSAVE_DELAY_MS,
  ) {
    this.record = { ...initial, labId, format: 1 };
    this.timer = debounce(() => void this.write(), delayMs);
  }

  /** Records a change (new code, a new progress snapshot, the nodes of a run) to be saved soon. */
  update(patch: Partial<Pick<SavedLabRecord, 'code' | 'progress' | 'nodes'>>): void {
    this.record = { ...this.record, ...patch };
    this.dirty = true;
    this.onState({ kind: 'pending' });
    this.timer.schedule();
  }

  /** Writes any pending change now; resolves when it is stored (or has failed, which is reported). */
  async flush(): Promise<void> {
    this.timer.cancel();
    await this.write();
  }

  private async write(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const record = { ...this.record, savedAtMs: Date.now() };
    this.onState({ kind: 'saving' });
    this.writing = this.writer
      .put(record)
      .then(
        () => {
          if (!this.dirty) this.onState({ kind: 'saved', atMs: record.savedAtMs });
        },
        (e: unknown) => {
          // Keep the change: the next edit or flush tries again.
          this.dirty = true;
          this.onState({ kind: 'failed', message: (e as Error).message });
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }
}
