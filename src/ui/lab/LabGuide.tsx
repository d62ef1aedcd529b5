import { memo, useMemo } from 'react';
import { renderMarkdown } from '../markdown';

/**
 * The lab's README beside the editor. The renderer escapes every character of the source, so the
 * HTML it returns holds only the tags it wrote itself. Its sections (`##`) become `<h3>` under the
 * section's `<h2>`. Scrollable, and focusable so the keyboard can scroll it.
 */
export const LabGuide = memo(function LabGuide({ readme, labelId }: { readme: string; labelId: string }) {
  // The guide's own `# Title` repeats the page's title: the section's heading stands in for it.
  const html = useMemo(() => renderMarkdown(readme.replace(/^\s*# [^\n]*\n/, ''), { headingOffset: 1 }), [readme]);
  return (
    <section className="panel lab-guide" aria-labelledby={labelId} tabIndex={0} data-testid="lab-guide">
      <h2 id={labelId} className="panel-kicker">
        Guide
      </h2>
      <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
    </section>
  );
});
