import '../lab/lab.css';
import { useEffect, useId, useState } from 'react';
import type { ProgressStatus } from '../../labs/progress';
import { brokerName, labHref, labListing, topicTitle, totalPoints, tracksOf, type LabListing } from '../lab/labs-data';
import { StatusBadge } from '../lab/StatusBadge';
import { buildHash, replaceHash } from '../router/hash-route';
import { useHashRoute } from '../router/use-hash-route';
import { loadStandings, type LabStanding } from '../storage/lab-saves';
import { ExportDialog } from '../submission/ExportDialog';
import { ImportDialog } from '../submission/ImportDialog';

const ALL = '';

/**
 * `#/labs`: the tracks (one per topic) and their labs, each with its status from the learner's
 * saved progress. Filters by topic and broker live in the address (`?topic=delivery&broker=kafka`).
 */
export default function CatalogPage() {
  const id = useId();
  const route = useHashRoute();
  const [listing, setListing] = useState<LabListing>();
  const [error, setError] = useState<string>();
  const [standings, setStandings] = useState<Map<string, LabStanding>>(new Map());
  const [storeNotice, setStoreNotice] = useState<string>();
  const [dialog, setDialog] = useState<'export' | 'import'>();
  // Bumped after an import, so the cards show the imported labs' standing.
  const [saves, setSaves] = useState(0);
  const topic = route.params.get('topic') ?? ALL;
  const broker = route.params.get('broker') ?? ALL;

  useEffect(() => {
    let live = true;
    labListing().then(
      (l) => live && setListing(l),
      (e: Error) => live && setError(`The engine did not start: ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    loadStandings().then(
      ({ standings: s, unreadable }) => {
        if (!live) return;
        setStandings(s);
        if (unreadable.length) setStoreNotice(`Saved progress for ${unreadable.join(', ')} could not be read; those labs are shown as not started. Your saved code is untouched; open the lab for details.`);
      },
      (e: Error) => live && setStoreNotice(`Saved progress could not be read: ${e.message}. Every lab is shown as not started; nothing was deleted.`),
    );
    return () => {
      live = false;
    };
  }, [saves]);

  function setFilter(key: 'topic' | 'broker', value: string): void {
    const q = new URLSearchParams(route.params);
    if (value === ALL) q.delete(key);
    else q.set(key, value);
    // A filter is a new address (Back undoes it), so the hook re-renders from it.
    location.hash = buildHash('/labs', q);
  }

  // An old `#/lab` address shows the catalog; say so in the address bar too.
  useEffect(() => {
    if (route.path === '/lab' || route.path === '/lab/') replaceHash(buildHash('/labs', route.params));
  }, [route]);

  const labs = listing?.labs ?? [];
  const topics = [...new Set(tracksOf(labs).map((t) => t.topic))];
  const brokers = [...new Set(labs.map((l) => l.broker))].sort((a, b) => brokerName(a).localeCompare(brokerName(b)));
  const shown = labs.filter((l) => (topic === ALL || l.topic === topic) && (broker === ALL || l.broker === broker));
  const tracks = tracksOf(shown);
  const statusOf = (labId: string): ProgressStatus => standings.get(labId)?.status ?? 'not started';
  const passed = labs.filter((l) => statusOf(l.id) === 'passed').length;

  return (
    <div className="page catalog">
      <header className="masthead">
        <h1>Labs</h1>
        <p className="tagline">Each lab: run the starter, watch a check fail, find the moment in the views, fix the code. Your code and progress are saved in this browser.</p>
      </header>
      {error && (
        <div className="panel error-panel" role="alert">
          <p>{error}</p>
        </div>
      )}
      {listing?.problems && (
        <div className="panel error-panel" role="alert">
          <p>Some labs could not be loaded:</p>
          {listing.problems.split('\n').map((line, i) => (
            <p key={i}>{line}</p>
          ))}
        </div>
      )}
      {storeNotice && (
        <p className="panel notice" role="status" data-testid="catalog-notice">
          {storeNotice}
        </p>
      )}
      <section className="panel your-work" aria-labelledby={`${id}-work`}>
        <p id={`${id}-work`}>Hand in your work as one submission file, or bring work from another browser.</p>
        <div className="inline">
          <button type="button" onClick={() => setDialog('export')} disabled={!listing}>
            Export submission…
          </button>
          <button type="button" className="secondary" onClick={() => setDialog('import')} disabled={!listing}>
            Import submission…
          </button>
        </div>
      </section>
      {listing && (
        <>
          <ExportDialog open={dialog === 'export'} labs={labs} onClose={() => setDialog(undefined)} />
          <ImportDialog open={dialog === 'import'} labs={labs} onClose={() => setDialog(undefined)} onImported={() => setSaves((n) => n + 1)} />
        </>
      )}
      <form className="panel catalog-filters" aria-label="Filter the labs" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={`${id}-topic`}>Topic</label>
          <select id={`${id}-topic`} value={topic} onChange={(e) => setFilter('topic', e.target.value)}>
            <option value={ALL}>All topics</option>
            {topics.map((t) => (
              <option key={t} value={t}>
                {topicTitle(t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-broker`}>Broker</label>
          <select id={`${id}-broker`} value={broker} onChange={(e) => setFilter('broker', e.target.value)}>
            <option value={ALL}>All brokers</option>
            {brokers.map((b) => (
              <option key={b} value={b}>
                {brokerName(b)}
              </option>
            ))}
          </select>
        </div>
        <p className="catalog-count" role="status" data-testid="catalog-count">
          {listing ? `${shown.length} of ${labs.length} labs shown · ${passed} passed` : 'Loading the labs…'}
        </p>
      </form>
      {listing && shown.length === 0 && (
        <p className="panel">
          No lab matches these filters.{' '}
          <a href="#/labs">Show every lab</a>
        </p>
      )}
      {tracks.map((track) => {
        const done = track.labs.filter((l) => statusOf(l.id) === 'passed').length;
        return (
          <section key={track.topic} className="track" aria-labelledby={`${id}-${track.topic}`} data-testid={`track-${track.topic}`}>
            <div className="track-head">
              <h2 id={`${id}-${track.topic}`}>{topicTitle(track.topic)}</h2>
              <p>
                {track.labs.length} lab{track.labs.length === 1 ? '' : 's'} · {done} passed
              </p>
            </div>
            <ul className="lab-cards">
              {track.labs.map((lab) => {
                const standing = standings.get(lab.id);
                const status = statusOf(lab.id);
                return (
                  <li key={lab.id} className={`lab-card lab-card-${status.replace(' ', '-')}`} data-lab={lab.id} data-status={status}>
                    <h3>
                      <a href={labHref(lab.id)}>{lab.title}</a>
                    </h3>
                    <ul className="lab-facts" aria-label="About this lab">
                      <li className="broker-badge">{brokerName(lab.broker)}</li>
                      <li>
                        {lab.objectives.length} objective{lab.objectives.length === 1 ? '' : 's'}
                      </li>
                      <li>{totalPoints(lab)} points</li>
                    </ul>
                    <p className="lab-summary">{lab.summary}</p>
                    <div className="lab-card-foot">
                      <StatusBadge status={status} />
                      {standing && standing.attempts > 0 && (
                        <span className="lab-best">
                          best {standing.bestPoints} / {totalPoints(lab)} · {standing.attempts} run{standing.attempts === 1 ? '' : 's'}
                        </span>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
