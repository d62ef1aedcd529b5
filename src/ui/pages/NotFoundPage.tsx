/** An address the app does not know: say so, show it, and offer the way back. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="page">
      <header className="masthead">
        <h1>Page not found</h1>
      </header>
      <section className="panel" aria-labelledby="nf-title">
        <h2 id="nf-title">
          Nothing lives at <code>#{path}</code>
        </h2>
        <p>The pages are the home page, the playground and the labs; the links at the top lead to each.</p>
        <a className="button-link" href="#/">
          Go to the home page
        </a>
      </section>
    </div>
  );
}
