import { Editor, type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import type { CodeEditorProps } from './CodeEditor';
import { monaco } from './monaco-setup';
import type { Problem } from './problem';

type EditorInstance = Parameters<OnMount>[0];

const SEVERITY: Record<number, Problem['severity']> = {
  [monaco.MarkerSeverity.Error]: 'error',
  [monaco.MarkerSeverity.Warning]: 'warning',
};

/** The Monaco half of CodeEditor, loaded lazily. */
export default function MonacoCodeEditor({ value, onChange, dts, dtsPath = 'file:///brokerlab/api.d.ts', path = 'file:///learner/main.ts', heightPx = 320, label, onRun, onProblems, markers, readOnly = false }: CodeEditorProps) {
  const editorRef = useRef<EditorInstance>(undefined);
  const onRunRef = useRef(onRun);
  onRunRef.current = onRun;
  const [problems, setProblems] = useState<Problem[]>([]);
  const [mounted, setMounted] = useState(false);

  // Declarations are global to the TypeScript service: replace, never accumulate.
  useEffect(() => {
    if (!dts) return;
    const lib = monaco.typescript.typescriptDefaults.addExtraLib(dts, dtsPath);
    return () => lib.dispose();
  }, [dts, dtsPath]);

  // Markers from outside (a run's learner problems) under their own owner, beside TypeScript's.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'brokerlab-run',
      (markers ?? []).map((m) => {
        const line = Math.min(Math.max(1, m.line), model.getLineCount());
        return { severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning, message: m.message, startLineNumber: line, startColumn: m.column, endLineNumber: line, endColumn: Math.max(m.column + 1, model.getLineMaxColumn(line)) };
      }),
    );
  }, [markers, mounted]);

  const onMount: OnMount = (editor) => {
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => onRunRef.current?.());
    setMounted(true);
  };

  function reveal(p: Problem): void {
    const editor = editorRef.current;
    if (!editor) return;
    editor.revealLineInCenter(p.line);
    editor.setPosition({ lineNumber: p.line, column: p.column });
    editor.focus();
  }

  return (
    <div className="code-editor" data-testid="code-editor">
      <Editor
        height={heightPx}
        language="typescript"
        theme="brokerlab-dark"
        path={path}
        value={value}
        onChange={(v) => onChange(v ?? '')}
        onMount={onMount}
        onValidate={(markers) => {
          // Hints (an unused name, shown faded) are not problems to list.
          const list = markers.filter((m) => m.severity >= monaco.MarkerSeverity.Warning).map((m) => ({ line: m.startLineNumber, column: m.startColumn, severity: SEVERITY[m.severity] ?? 'info', message: m.message }));
          setProblems(list);
          onProblems?.(list);
        }}
        loading={<div role="status">Loading the editor…</div>}
        options={{
          fontSize: 16,
          lineHeight: 24,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          automaticLayout: true,
          tabSize: 2,
          ariaLabel: label,
          fixedOverflowWidgets: true,
          readOnly,
        }}
      />
      <div className="problems" role="status" aria-live="polite" data-testid="editor-problems">
        {problems.length === 0 ? (
          <p className="no-problems">No problems.</p>
        ) : (
          <>
            <p>
              {problems.length} problem{problems.length === 1 ? '' : 's'}:
            </p>
            <ul>
              {problems.map((p, i) => (
                <li key={i} className={`problem problem-${p.severity}`}>
                  <button type="button" className="linkish" onClick={() => reveal(p)}>
                    Line {p.line}, column {p.column}
                  </button>
                  : {p.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
