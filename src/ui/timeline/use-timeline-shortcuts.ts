import { useEffect } from 'react';
import type { TimelineStore } from './timeline-store';

/** True when a key press belongs to a text field or the code editor, not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.closest?.('.monaco-editor')) return true;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/**
 * Page-wide keys for the timeline, as video editors have them: `,` and `.` step one entry back and
 * forward. They are ignored while typing, so a seed field still takes commas.
 */
export function useTimelineShortcuts(timeline: TimelineStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === ',') timeline.step(-1);
      else if (e.key === '.') timeline.step(1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [timeline]);
}
