import type { Assessment } from '../../labs/assess/assessment';
import type { AssessmentKey } from '../../labs/assess/key';
import { FileDrop } from './FileDrop';
import { FileProblems } from './FileProblems';
import { addSubmissions, clearSubmissions, forgetKey, loadAssessment, loadKey, removeSubmission, type InstructorState, type Slot } from './instructor-store';

function SlotStatus<T>({ slot, loaded, testId }: { slot: Slot<T>; loaded: (v: T) => React.ReactNode; testId: string }) {
  switch (slot.kind) {
    case 'empty':
      return <p className="slot-status">No file yet.</p>;
    case 'checking':
      return (
        <p className="slot-status" role="status">
          Checking {slot.file}…
        </p>
      );
    case 'waiting':
      return (
        <p className="slot-status" role="status">
          {slot.file} is checked once the assessment is loaded.
        </p>
      );
    case 'rejected':
      return <FileProblems error={slot.error} testId={`${testId}-error`} />;
    case 'loaded':
      return (
        <div className="slot-loaded" data-testid={`${testId}-loaded`}>
          <p className="slot-file">
            <span className="ok-mark" aria-hidden="true">
              ✓
            </span>{' '}
            {slot.file}
          </p>
          {loaded(slot.value)}
        </div>
      );
  }
}

function seedsText(labs: Assessment['labs']): string {
  const n = labs.reduce((a, l) => a + l.seeds.length, 0);
  return `${n} public seed${n === 1 ? '' : 's'}`;
}

export function AssessmentPanel({ s }: { s: InstructorState }) {
  return (
    <section className="panel instr-step" aria-labelledby="instr-assessment">
      <h2 id="instr-assessment">
        <span className="step-no">1</span> Assessment
      </h2>
      <FileDrop what="the assessment file" button="Choose a file…" testId="drop-assessment" onFiles={([f]) => void loadAssessment(f!)} />
      <SlotStatus
        slot={s.assessment}
        testId="assessment"
        loaded={(a: Assessment) => (
          <>
            <p className="slot-title">{a.title}</p>
            <p>
              <code>{a.id}</code> · {a.labs.length} lab{a.labs.length === 1 ? '' : 's'} · {a.labs.reduce((t, l) => t + l.points, 0)} points · {seedsText(a.labs)}
            </p>
          </>
        )}
      />
    </section>
  );
}

export function KeyPanel({ s }: { s: InstructorState }) {
  return (
    <section className="panel instr-step" aria-labelledby="instr-key">
      <h2 id="instr-key">
        <span className="step-no">2</span> Key
      </h2>
      <FileDrop what="your private key" button="Choose a file…" testId="drop-key" onFiles={([f]) => void loadKey(f!)} />
      <SlotStatus
        slot={s.key}
        testId="key"
        loaded={(k: AssessmentKey) => {
          const seeds = k.labs.reduce((a, l) => a + l.hiddenSeeds.length, 0);
          const schedules = k.labs.reduce((a, l) => a + l.faultSchedules.length, 0);
          return (
            <>
              <p>
                For <code>{k.assessment}</code>: {seeds} hidden seed{seeds === 1 ? '' : 's'} and {schedules} fault schedule{schedules === 1 ? '' : 's'}. Kept in this tab’s memory only.
              </p>
              <button type="button" className="secondary small" onClick={forgetKey}>
                Forget the key
              </button>
            </>
          );
        }}
      />
    </section>
  );
}

export function SubmissionsPanel({ s }: { s: InstructorState }) {
  const byFile = new Map(s.rejected.map((r) => [r.file, r]));
  const accepted = new Map(s.accepted.map((a) => [a.file, a]));
  const total = s.files.length;
  return (
    <section className="panel instr-step instr-submissions" aria-labelledby="instr-subs">
      <h2 id="instr-subs">
        <span className="step-no">3</span> Submissions
      </h2>
      <FileDrop what="submission files" button="Choose files…" multiple testId="drop-submissions" onFiles={(files) => void addSubmissions(files)} />
      {total === 0 ? (
        <p className="slot-status">No submissions yet. Drop a whole class at once: each file is checked on its own.</p>
      ) : (
        <>
          <div className="subs-head">
            <p role="status" data-testid="subs-count">
              {total} file{total === 1 ? '' : 's'}: {s.accepted.length} to grade{s.rejected.length ? `, ${s.rejected.length} rejected` : ''}
            </p>
            <button type="button" className="secondary small" onClick={() => void clearSubmissions()}>
              Remove all
            </button>
          </div>
          <ul className="subs-list" aria-label="Submission files">
            {/* Rejected files first: they are the ones that need something done. */}
            {[...s.files]
              .map((f) => f.name)
              .sort((a, b) => Number(byFile.has(b)) - Number(byFile.has(a)) || (a < b ? -1 : a > b ? 1 : 0))
              .map((name) => {
                const a = accepted.get(name);
                const r = byFile.get(name);
                return (
                  <li key={name} className={r ? 'sub-rejected' : 'sub-ok'} data-file={name}>
                    <div className="sub-line">
                      <span className="sub-who">{a ? a.submission.learner : r ? 'Rejected' : 'Reading…'}</span>
                      <span className="sub-file">{name}</span>
                      <button type="button" className="secondary small" aria-label={`Remove ${name}`} onClick={() => void removeSubmission(name)}>
                        Remove
                      </button>
                    </div>
                    {a && (
                      <p className="sub-labs">
                        {a.submission.labs.length} lab{a.submission.labs.length === 1 ? '' : 's'}: {a.submission.labs.map((l) => l.lab).join(', ')}
                      </p>
                    )}
                    {r && (
                      <div className="sub-problem" data-testid="sub-problem" data-kind={r.kind}>
                        {r.message.split('\n').map((line, i) => (
                          <p key={i}>{line}</p>
                        ))}
                      </div>
                    )}
                  </li>
                );
              })}
          </ul>
        </>
      )}
    </section>
  );
}
