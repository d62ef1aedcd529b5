import { lazy, Suspense } from 'react';
import type { Problem } from './problem';

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  /**
   * Declarations for IntelliSense, e.g. the learner API's `.d.ts` text that the runtime exports.
   * Changing it replaces the previous declarations.
   */
  dts?: string;
  /** Where the declarations live in the editor's virtual file system. */
  dtsPath?: string;
  /** The model's path; one per file keeps undo history and diagnostics apart. */
  path?: string;
  heightPx?: number;
  /** Accessible name of the editing area. */
  label: string;
  /** Ctrl/Cmd+Enter inside the editor (the page's Run). */
  onRun?: () => void;
  /** The current diagnostics, whenever they change. */
  onProblems?: (problems: Problem[]) => void;
  /**
   * Problems found elsewhere (a lab run's errors in the learner's code), shown inline as markers
   * and listed with the type errors; replaced whenever the array changes.
   */
  markers?: readonly Problem[];
  /** Shows the code without letting it be edited (a learner's submission under review). */
  readOnly?: boolean;
}

// Monaco is several megabytes: it loads in its own chunk when an editor is first shown.
const MonacoCodeEditor = lazy(() => import('./MonacoCodeEditor'));

/** A TypeScript editor with IntelliSense from `dts` and errors shown inline and listed below. */
export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <div className="editor-loading" style={{ height: props.heightPx ?? 320 }} role="status">
          Loading the editor…
        </div>
      }
    >
      <MonacoCodeEditor {...props} />
    </Suspense>
  );
}
