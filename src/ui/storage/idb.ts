/**
 * A small promise wrapper over IndexedDB: one database, one object store keyed by a field of its
 * records. Enough for autosave (get, put, getAll, delete) without a dependency. Every failure is
 * an Error whose message a person can read ("IndexedDB refused to open the database: …").
 */

/** How long opening may take before it is reported as a failure (another tab can block an upgrade). */
const OPEN_TIMEOUT_MS = 10_000;

export interface IdbStoreOptions {
  dbName: string;
  storeName: string;
  /** The record field that is the key (`keyPath`). */
  keyPath: string;
  version: number;
  /** Overrides the global `indexedDB` (tests, or a browser without it). */
  factory?: IDBFactory;
}

/** A request's result as a promise; its error as an Error that names the operation. */
export function requestResult<T>(req: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(describeError(req.error, what));
  });
}

/** Resolves when a transaction commits; rejects when it aborts or fails. */
export function transactionDone(tx: IDBTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(describeError(tx.error, what));
    tx.onerror = () => reject(describeError(tx.error, what));
  });
}

export function describeError(e: DOMException | Error | null | undefined, what: string): Error {
  if (!e) return new Error(`${what} failed`);
  return new Error(`${what} failed (${e.name}: ${e.message.replace(/\.$/, '')})`);
}

export class IdbStore<T extends object> {
  private db: Promise<IDBDatabase> | undefined;

  constructor(private readonly opts: IdbStoreOptions) {}

  /** Opens (and on first use creates) the database; later calls share the connection. */
  open(): Promise<IDBDatabase> {
    this.db ??= this.openNow().catch((e: unknown) => {
      this.db = undefined; // let a later call try again
      throw e;
    });
    return this.db;
  }

  private openNow(): Promise<IDBDatabase> {
    const factory = this.opts.factory ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB);
    if (!factory) return Promise.reject(new Error('this browser gives the page no storage (IndexedDB is not available)'));
    const { dbName, storeName, keyPath, version } = this.opts;
    return new Promise((resolve, reject) => {
      let req: IDBOpenDBRequest;
      try {
        req = factory.open(dbName, version);
      } catch (e) {
        return reject(describeError(e as Error, 'opening the saved work'));
      }
      const timer = setTimeout(() => reject(new Error(`opening the saved work took more than ${OPEN_TIMEOUT_MS / 1000} s (is another Brokerlab tab upgrading it?)`)), OPEN_TIMEOUT_MS);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName, { keyPath });
      };
      req.onsuccess = () => {
        clearTimeout(timer);
        const db = req.result;
        if (!db.objectStoreNames.contains(storeName)) {
          db.close();
          return reject(new Error(`the saved work has no "${storeName}" store (the database "${dbName}" was made by something else)`));
        }
        // Another tab upgrading the database asks us to let go; the next call reopens.
        db.onversionchange = () => {
          db.close();
          this.db = undefined;
        };
        resolve(db);
      };
      req.onerror = () => {
        clearTimeout(timer);
        reject(describeError(req.error, 'opening the saved work'));
      };
    });
  }

  async get(key: IDBValidKey): Promise<unknown> {
    const db = await this.open();
    const tx = db.transaction(this.opts.storeName, 'readonly');
    return requestResult(tx.objectStore(this.opts.storeName).get(key), 'reading the saved work');
  }

  async getAll(): Promise<unknown[]> {
    const db = await this.open();
    const tx = db.transaction(this.opts.storeName, 'readonly');
    return requestResult(tx.objectStore(this.opts.storeName).getAll(), 'reading the saved work');
  }

  async put(record: T): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(this.opts.storeName, 'readwrite');
    const done = transactionDone(tx, 'saving your work');
    tx.objectStore(this.opts.storeName).put(record);
    await done;
  }

  async delete(key: IDBValidKey): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(this.opts.storeName, 'readwrite');
    const done = transactionDone(tx, 'deleting saved work');
    tx.objectStore(this.opts.storeName).delete(key);
    await done;
  }
}
