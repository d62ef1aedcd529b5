import type { ReactNode } from 'react';

/**
 * A row's handle: pressing it scrubs every view to the entry that last changed the row, so "why is
 * this lag 40?" is one click from the commit, the append or the crash that made it so.
 */
export function JumpButton({ seq, jump, label, children }: { seq: number; jump: (seq: number) => void; label: string; children: ReactNode }) {
  if (seq < 0) return <>{children}</>;
  return (
    <button type="button" className="jump" onClick={() => jump(seq)} aria-label={`${label} (entry ${seq})`} title={`Go to entry ${seq}, the last change to this row`}>
      {children}
    </button>
  );
}
