import '../instructor/instructor.css';
import { GradingBar } from '../instructor/GradingBar';
import { Gradebook } from '../instructor/Gradebook';
import { AssessmentPanel, KeyPanel, SubmissionsPanel } from '../instructor/InputPanels';
import { useInstructorState } from '../instructor/instructor-store';
import { LearnerDetails } from '../instructor/LearnerDetails';

/**
 * `#/instructor`: grade a class in this browser. Load the assessment and the private key, drop
 * the learners' submission files, grade them in Web Workers with the same grader as
 * `brokerlab grade`, read the gradebook, download grades.csv, and open any learner's run on the
 * lab page. Nothing is stored: the key and the grades live in this tab's memory.
 */
export default function InstructorPage() {
  const s = useInstructorState();
  const g = s.grading;
  const selected = g.kind === 'graded' ? g.outcome.results.learners.find((l) => l.learner === s.selected) : undefined;
  return (
    <div className="page page-wide instructor">
      <header className="masthead">
        <h1>Instructor</h1>
        <p className="tagline">
          Grade submissions here with the same grader as <code>brokerlab grade</code>, on your own machine. Nothing leaves this tab and nothing is stored: the key, the submissions and the grades are forgotten when you reload. The details below name hidden seeds; do not project them.
        </p>
      </header>
      <div className="instr-inputs">
        <AssessmentPanel s={s} />
        <KeyPanel s={s} />
        <SubmissionsPanel s={s} />
      </div>
      <GradingBar s={s} />
      {g.kind === 'graded' && <Gradebook s={s} results={g.outcome.results} />}
      {g.kind === 'graded' && selected && <LearnerDetails g={g} learner={selected} />}
    </div>
  );
}
