import './file-drop.css';
import { useId, useState, type DragEvent } from 'react';

interface Props {
  /** What to drop, for the sentence and the button: "the assessment file". */
  what: string;
  /** The button's text: "Choose the assessment file…". */
  button: string;
  multiple?: boolean;
  disabled?: boolean;
  onFiles: (files: File[]) => void;
  testId: string;
}

/**
 * A place to drop files, with a file chooser beside it for keyboards and people who prefer one.
 * The chooser is a real file input inside its label, so Tab reaches it and Enter or Space opens it.
 */
export function FileDrop({ what, button, multiple = false, disabled = false, onFiles, testId }: Props) {
  const id = useId();
  const [over, setOver] = useState(false);
  const take = (list: FileList | null | undefined): void => {
    const files = [...(list ?? [])];
    if (files.length && !disabled) onFiles(multiple ? files : files.slice(0, 1));
  };
  const onDrag = (e: DragEvent<HTMLDivElement>, entering: boolean): void => {
    e.preventDefault();
    if (!disabled) e.dataTransfer.dropEffect = 'copy';
    setOver(entering && !disabled);
  };
  return (
    <div
      className={`file-drop${over ? ' file-drop-over' : ''}${disabled ? ' file-drop-disabled' : ''}`}
      data-testid={testId}
      onDragEnter={(e) => onDrag(e, true)}
      onDragOver={(e) => onDrag(e, true)}
      onDragLeave={(e) => onDrag(e, false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        take(e.dataTransfer.files);
      }}
    >
      <p>
        Drop {what} here, or
      </p>
      <label className="file-choose" htmlFor={`${id}-input`}>
        {button}
        <input
          id={`${id}-input`}
          type="file"
          accept=".json,application/json"
          multiple={multiple}
          disabled={disabled}
          className="visually-hidden"
          onChange={(e) => {
            take(e.target.files);
            // The same file chosen again (after fixing it) must fire again.
            e.target.value = '';
          }}
        />
      </label>
    </div>
  );
}
