import { useEffect, useId, useRef } from 'react';

interface Props {
  open: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

/**
 * Asks before the learner's code is replaced by the starter. A modal <dialog>: focus starts on
 * "Keep my code", Escape closes it, and focus returns to the button that opened it.
 */
export function ResetCodeDialog({ open, onConfirm, onClose }: Props) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="panel confirm-dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} onClose={onClose}>
      <h2 id={`${id}-title`}>Reset your code?</h2>
      <p id={`${id}-body`}>Your code is replaced by the lab's starter. Your progress and hints stay. Until you leave the page, Ctrl+Z in the editor brings your code back.</p>
      <div className="inline">
        <button type="button" className="secondary" autoFocus onClick={onClose}>
          Keep my code
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          Replace with the starter
        </button>
      </div>
    </dialog>
  );
}
