export { defineLab, type LabSpec, type LabCheck, type LabHint, type LabBroker, type LabBuildContext, type LabInstance, type LearnerNodeSpec, type LoadedLab } from './spec';
export { validateLab, formatLabProblems, wordCount, README_WORDS_MIN, README_WORDS_MAX, type LabProblem } from './validate';
export { runLab, releaseRun, labApi, LabInputError, type LabRunResult, type LabRunOptions, type CheckResult } from './run';
export { grade, type LabGrade, type CheckGrade } from './grade';
