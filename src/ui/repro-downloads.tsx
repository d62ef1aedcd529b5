import { downloadText } from './download';
import type { FaultEntry } from './faults/fault-entry';

/**
 * The files a reproduce-in-a-terminal command reads: the code as `handler.ts`, and the fault
 * schedule as `faults.json` when there is one. Buttons only; the caller lays them out.
 */
export function ReproDownloads({ code, faults }: { code: string; faults: readonly FaultEntry[] }) {
  return (
    <>
      <button type="button" className="secondary small" onClick={() => downloadText('handler.ts', code, 'text/typescript')}>
        Download handler.ts
      </button>
      {faults.length > 0 && (
        <button type="button" className="secondary small" onClick={() => downloadText('faults.json', `${JSON.stringify(faults, null, 2)}\n`, 'application/json')}>
          Download faults.json
        </button>
      )}
    </>
  );
}
