/**
 * Monaco from the local package, never a CDN: the app must work offline. Only the core editor,
 * its standard features and TypeScript are bundled (the full `monaco-editor` entry would pull in
 * eighty languages). Monaco 0.57 exports its modules without the old `esm/vs/` prefix.
 */
import { loader } from '@monaco-editor/react';
import * as editorApi from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import * as typescript from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

export const monaco = { ...editorApi, typescript };
export type Monaco = typeof monaco;

loader.config({ monaco: monaco as never });

/** Learner code is modern, strict TypeScript; it is type-checked here and transpiled elsewhere. */
typescript.typescriptDefaults.setCompilerOptions({
  target: typescript.ScriptTarget.ES2020,
  module: typescript.ModuleKind.ESNext,
  moduleResolution: typescript.ModuleResolutionKind.NodeJs,
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
  lib: ['es2020'],
});
typescript.typescriptDefaults.setEagerModelSync(true);

editorApi.editor.defineTheme('brokerlab-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#111820', 'editorLineNumber.foreground': '#8b98a5', 'editorLineNumber.activeForeground': '#e8edf2' },
});
