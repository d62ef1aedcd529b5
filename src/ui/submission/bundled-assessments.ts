/// <reference types="vite/client" />
import { parseAssessment } from '../../labs/assess/assessment';

/** An assessment a learner can export for: its id, title and labs. */
export interface AssessmentChoice {
  id: string;
  title: string;
  labs: string[];
}

// Assessments are public (labs-content/assessments/); keys never are, and are never bundled.
const files = import.meta.glob<string>('/labs-content/assessments/*.json', { eager: true, query: '?raw', import: 'default' });

/** The assessments that ship with the app, in file order; one that does not parse is left out (the CLI names its problem). */
export function bundledAssessments(): AssessmentChoice[] {
  return Object.keys(files)
    .sort()
    .flatMap((path) => {
      const r = parseAssessment(files[path]!, path.slice(1));
      return r.ok ? [{ id: r.value.id, title: r.value.title, labs: r.value.labs.map((l) => l.lab) }] : [];
    });
}
