/**
 * Where a lab will live (`#/lab/<id>`): its guide, the learner's code in the CodeEditor with the
 * runtime's `.d.ts`, check results whose counterexamples call useJumpToMoment(), and the same
 * Workspace the playground shows. Labs are being built alongside; until then this page says so.
 */
export function LabPage({ id }: { id: string | undefined }) {
  return (
    <div className="page">
      <header className="masthead">
        <h1>{id ? `Lab: ${id}` : 'Labs'}</h1>
        <p className="tagline">Guided labs: run it, watch it fail, name the concept, fix it.</p>
      </header>
      <section className="panel" aria-labelledby="lab-soon">
        <h2 id="lab-soon">{id ? 'This lab is not available yet' : 'No labs yet'}</h2>
        <p>
          Labs are on their way. Each one will pair a guide with your own handler code, run it against a simulated broker under
          faults, check the history for lost, duplicated or reordered messages, and take you to the exact moment a check
          failed.
        </p>
        <a className="button-link" href="#/playground">
          Try the playground meanwhile
        </a>
      </section>
    </div>
  );
}
