import { useId } from 'react';

interface Props {
  hints: readonly { afterFailures: number; text: string }[];
  unlocked: number;
  failures: number;
}

/** The lab's hints: the unlocked ones in full, the rest with how many failed runs unlock them. */
export function HintList({ hints, unlocked, failures }: Props) {
  const id = useId();
  if (hints.length === 0) return null;
  return (
    <section className="panel hints" aria-labelledby={`${id}-title`} data-testid="lab-hints">
      <h2 id={`${id}-title`}>Hints</h2>
      <ol className="hint-list" aria-live="polite">
        {hints.map((h, i) => {
          const open = i < unlocked;
          const toGo = Math.max(0, h.afterFailures - failures);
          return (
            <li key={i} className={open ? 'hint-open' : 'hint-locked'}>
              {open ? (
                h.text
              ) : (
                <span>
                  <span className="hint-lock">Locked.</span> Unlocks after {h.afterFailures} failed run{h.afterFailures === 1 ? '' : 's'} ({toGo} to go).
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
