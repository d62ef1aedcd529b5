import { useLayoutEffect, useRef, useState, type CSSProperties, type HTMLAttributes, type ReactNode } from 'react';

interface Props {
  count: number;
  rowHeightPx: number;
  heightPx: number;
  /** Renders row i; it is positioned by the list, so it must not set its own top. */
  renderRow: (i: number, style: CSSProperties) => ReactNode;
  /** When this changes, the list scrolls just enough to show that row (the current moment). */
  revealIndex?: number;
  /** Props for the scrolling element (role, aria-label, test ids). */
  containerProps?: HTMLAttributes<HTMLDivElement> & Record<`data-${string}`, string>;
}

const OVERSCAN = 6;

/**
 * A list that renders only the rows in view, so a table over 100k history entries costs the same
 * as one over fifty. Rows have a fixed height; the scroll height stands in for the rest.
 */
export function VirtualRows({ count, rowHeightPx, heightPx, renderRow, revealIndex, containerProps }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || revealIndex === undefined || revealIndex < 0) return;
    const top = revealIndex * rowHeightPx;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeightPx > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeightPx - el.clientHeight;
    setScrollTop(el.scrollTop);
  }, [revealIndex, rowHeightPx, count]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeightPx) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + heightPx) / rowHeightPx) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, { position: 'absolute', top: i * rowHeightPx, height: rowHeightPx, left: 0, right: 0 }));

  return (
    <div ref={ref} className="virtual-rows" style={{ height: heightPx }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} {...containerProps}>
      <div style={{ position: 'relative', height: count * rowHeightPx }}>{rows}</div>
    </div>
  );
}
