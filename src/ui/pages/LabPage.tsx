import { useEffect, useState } from 'react';
import { reviewOf, reviewToken, type LabReview } from '../instructor/review-handoff';
import { LabWorkbench, type LabRestore } from '../lab/LabWorkbench';
import { labHref, labListing, totalPoints, type LabSummary } from '../lab/labs-data';
import { useHashRoute } from '../router/use-hash-route';
import { loadSavedLab, readSavedLab } from '../storage/lab-saves';

type Loaded =
  | { kind: 'loading' }
  | { kind: 'ready'; lab: LabSummary; restore: LabRestore; review?: LabReview }
  | { kind: 'missing'; labs: LabSummary[] }
  | { kind: 'review-ended' }
  | { kind: 'failed'; message: string };

/**
 * `#/lab/<id>`: finds the lab, reads the learner's saved work for it, and opens the workbench.
 * Saved work that cannot be read never blocks the lab: the page says what could not be read and
 * starts from what could (the starter code at worst), so nothing on screen is ever replaced by
 * nothing.
 */
export default function LabPage({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  // `?review=<token>`: a learner's submission opened from the instructor page, held in memory.
  const token = reviewToken(useHashRoute().params);

  useEffect(() => {
    let live = true;
    setLoaded({ kind: 'loading' });
    if (token !== undefined) {
      const run = reviewOf(token);
      if (!run || run.lab !== id) {
        setLoaded({ kind: 'review-ended' });
        return;
      }
      // A review reads none of the saved work on this machine, and writes none.
      labListing().then(
        (l) => {
          if (!live) return;
          const lab = l.labs.find((x) => x.id === id);
          setLoaded(lab ? { kind: 'ready', lab, restore: {}, review: { token, run } } : { kind: 'missing', labs: l.labs });
        },
        (e: Error) => live && setLoaded({ kind: 'failed', message: `The engine did not start: ${e.message}` }),
      );
      return () => {
        live = false;
      };
    }
    void (async () => {
      let labs: LabSummary[];
      try {
        labs = (await labListing()).labs;
      } catch (e) {
        if (live) setLoaded({ kind: 'failed', message: `The engine did not start: ${(e as Error).message}` });
        return;
      }
      const lab = labs.find((l) => l.id === id);
      if (!lab) {
        if (live) setLoaded({ kind: 'missing', labs });
        return;
      }
      const restore: LabRestore = {};
      try {
        const saved = readSavedLab(await loadSavedLab(lab.id), { labId: lab.id, hints: lab.hints, totalPoints: totalPoints(lab) });
        if (saved.code !== undefined) restore.code = saved.code;
        if (saved.progress) restore.progress = saved.progress;
        if (saved.nodes) restore.nodes = saved.nodes;
        if (saved.problems.length > 0) {
          const kept = saved.code !== undefined ? 'your saved code was restored' : 'your current code is kept';
          restore.notice = `Saved work for lab ${lab.id} could not be read: ${saved.problems.join('; ')}; ${kept}${saved.progress ? '' : ' and your progress starts afresh'}.`;
        }
      } catch (e) {
        restore.notice = `Saved work for lab ${lab.id} could not be read: ${(e as Error).message}; your current code is kept.`;
      }
      if (live) setLoaded({ kind: 'ready', lab, restore });
    })();
    return () => {
      live = false;
    };
  }, [id, token]);

  useEffect(() => {
    if (loaded.kind === 'ready') document.title = `${loaded.lab.title} · Labs · Brokerlab`;
  }, [loaded]);

  if (loaded.kind === 'ready') return <LabWorkbench key={loaded.review ? `${loaded.lab.id}/review/${loaded.review.token}` : loaded.lab.id} lab={loaded.lab} restore={loaded.restore} review={loaded.review} />;

  return (
    <div className="page">
      <header className="masthead">
        <h1>{`Lab: ${id}`}</h1>
      </header>
      {loaded.kind === 'loading' && (
        <p className="panel" role="status">
          Loading the lab and your saved work…
        </p>
      )}
      {loaded.kind === 'review-ended' && (
        <section className="panel" aria-labelledby="review-ended" data-testid="review-ended">
          <h2 id="review-ended">This review has ended</h2>
          <p>
            A learner's submission opened from the instructor page lives only in that tab's memory, like the key: it is gone after a reload, and another tab cannot open it. Load the files on the instructor page again and press “Open run”.
          </p>
          <div className="inline">
            <a className="button-link" href="#/instructor">
              Instructor page
            </a>
            <a className="button-link" href={labHref(id)}>
              Open my own code for this lab
            </a>
          </div>
        </section>
      )}
      {loaded.kind === 'failed' && (
        <div className="panel error-panel" role="alert">
          <p>{loaded.message}</p>
        </div>
      )}
      {loaded.kind === 'missing' && (
        <section className="panel" aria-labelledby="lab-missing">
          <h2 id="lab-missing">There is no lab called “{id}”</h2>
          <p>The labs in this version are:</p>
          <ul className="plain-list">
            {loaded.labs.map((l) => (
              <li key={l.id}>
                <a href={labHref(l.id)}>{l.title}</a> <code>{l.id}</code>
              </li>
            ))}
          </ul>
          <a className="button-link" href="#/labs">
            All labs
          </a>
        </section>
      )}
    </div>
  );
}
