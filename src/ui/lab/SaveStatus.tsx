import type { SaveState } from '../storage/autosave';

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Where autosave stands, in words: quiet when all is well, plain about a failure. */
export function SaveStatus({ state }: { state: SaveState }) {
  let text: string;
  switch (state.kind) {
    case 'idle':
      text = 'Autosave on';
      break;
    case 'pending':
      text = 'Unsaved changes…';
      break;
    case 'saving':
      text = 'Saving…';
      break;
    case 'saved':
      text = `Saved at ${clock(state.atMs)}`;
      break;
    case 'failed':
      text = `Not saved: ${state.message}. Your code stays in the editor; the next change tries again.`;
      break;
  }
  return (
    <p className={`save-status save-${state.kind}`} role="status" data-testid="save-status" data-state={state.kind}>
      {text}
    </p>
  );
}
