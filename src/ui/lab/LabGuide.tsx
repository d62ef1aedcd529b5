import { memo, useMemo } from 'react';
import { renderMarkdown } from '../markdown';

/**
 * The lab's README beside the editor. The renderer escapes every character of the source, so the
 * HTML it returns holds only the tags it wrote itself. The guide's `#` becomes an `<h2>` under the
 * page's own title. Scrollable, and focusable so the keyboard can scroll it.
 */
export const LabGuide = memo(function LabGuide({ readme, labelId }: { readme: string; labelId: string }) {
  const html = useMemo(() => renderMarkdown(readme, { headingOffset: 1 }), [readme]);
  return (
    <section className="panel lab-guide" aria-labelledby={labelId} tabIndex={0} data-testid="lab-guide">
      <p id={labelId} className="panel-kicker">
        Guide
      </p>
      <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
    </section>
  );
});
