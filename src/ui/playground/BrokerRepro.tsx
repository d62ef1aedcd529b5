import type { PlaygroundConfig } from '../../labs/playground/config';
import { downloadText } from '../download';
import type { FaultEntry } from '../faults/fault-entry';
import { ReproDownloads } from '../repro-downloads';

interface Props {
  ranWith: { config: PlaygroundConfig; code: string; seed: number; faults: FaultEntry[] };
}

/**
 * How to reproduce a broker-family run: the page's address carries topology, seed, faults and
 * code; in a terminal, the same three files and seed give the same history hash.
 */
export function BrokerRepro({ ranWith }: Props) {
  const { config, code, seed, faults } = ranWith;
  return (
    <div className="repro">
      <p>
        This page's address carries the topology, seed, faults and code: open it anywhere for the same history. In a terminal:{' '}
        <code data-testid="pg-repro">
          npx brokerlab playground --config playground.json --code handler.ts --seed {seed}
          {faults.length > 0 ? ' --faults faults.json' : ''}
        </code>
      </p>
      <div className="inline">
        <button type="button" className="secondary small" onClick={() => downloadText('playground.json', `${JSON.stringify(config, null, 2)}\n`, 'application/json')}>
          Download playground.json
        </button>
        <ReproDownloads code={code} faults={faults} />
      </div>
    </div>
  );
}
