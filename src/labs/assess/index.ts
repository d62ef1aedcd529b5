/**
 * Assessments, keys and submissions: the file formats, their validation (every error names the
 * file, the JSON path and what to do), the grading policy for one lab, and the gradebook outputs
 * (CSV, Gradescope results.json, the class report). Browser-safe: no Node API, so the page can
 * export and import submissions and show grades with the same code the CLI uses.
 */
export { AssessFileError, formatFileProblems, type FileProblem, type FileProblemKind, type FileResult } from './file-error';
export { parseJsonText, locateJsonProblem, lineColumn, type JsonTextResult } from './json-text';
export { canonicalJson, sha256Hex } from './canonical';
export { FORMAT_VERSION, SEED_MAX, isSeed } from './envelope';
export { FORMAT_NAMES, sniffText, sniffValue } from './sniff';
export { ASSESSMENT_FORMAT, parseAssessment, checkAssessmentLabs, assessmentToText, type Assessment, type AssessmentLab } from './assessment';
export { KEY_FORMAT, parseKey, checkKeyAgainst, keyLab, keyToText, HIDDEN_SEEDS_MAX, FAULT_SCHEDULES_MAX, type AssessmentKey, type KeyLab } from './key';
export {
  SUBMISSION_FORMAT,
  buildSubmission,
  parseSubmission,
  submissionHash,
  submissionToText,
  LEARNER_CHARS_MAX,
  type Submission,
  type SubmittedLab,
  type SubmissionInput,
} from './submission';
export { scalePoints, addPoints, formatPoints } from './points';
export { gradeLab, runOnce, zeroOutcome, ZEROING_KINDS, type ZeroLab, type LabOutcome, type LearnerIssue, type ZeroReason, type GradeLabOptions } from './grade-lab';
export { labNodes } from './lab-nodes';
export {
  onePerLearner,
  sortForGrading,
  planClass,
  gradingSeeds,
  taskRuns,
  longestFirst,
  defaultTimeLimitMs,
  timeLimitText,
  graderBugText,
  gradedFileName,
  taskOutcome,
  learnerResult,
  classResults,
  type AcceptedSubmission,
  type GradingTask,
  type ClassPlan,
  type TaskOutcome,
  type GradeTaskReply,
  type LearnerResultInput,
} from './class-grading';
export { gradeTask } from './grade-task';
export {
  labResult,
  learnerSlugs,
  compareText,
  compareNames,
  zeroReasonText,
  runName,
  scoreText,
  assessmentSummary,
  type ClassResults,
  type LearnerResult,
  type LabResult,
  type CheckResult,
  type RejectedFile,
  type LabMeta,
} from './results';
export { gradesCsv, gradesJson, cell as csvCell } from './gradebook-csv';
export { gradescopeResults, rejectedGradescopeResults, type GradescopeResults, type GradescopeTest } from './gradescope';
export { reportHtml, shellQuote, type ReportPaths } from './report-html';
