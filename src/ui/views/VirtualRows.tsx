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

const OVERSCAN = 4;
const BORDER_PX = 2;

/**
 * A list that renders only the rows in view, so a table over 100k history entries costs the same
 * as one over fifty. Rows have a fixed height; the scroll height stands in for the rest.
 *
 * The list is anchored at its bottom (a column-reverse scroller, as chat logs are): rows streaming
 * in at the end keep the newest row in view without the list touching its scroll position, and
 * it never reads layout. Its scroll offset is 0 at the bottom and negative above it.
 */
export function VirtualRows({ count, rowHeightPx, heightPx, renderRow, revealIndex, containerProps }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [fromBottom, setFromBottom] = useState(0);
  const viewPx = heightPx - BORDER_PX;
  const totalPx = count * rowHeightPx;
  // The slice of the rows' coordinate space (0 = top of the first row) that is in view.
  const visTop = Math.max(0, totalPx - viewPx - fromBottom);
  const visBottom = Math.min(totalPx, visTop + viewPx);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || revealIndex === undefined || revealIndex < 0 || revealIndex >= count) return;
    const top = revealIndex * rowHeightPx;
    let next = fromBottom;
    if (top < visTop) next = totalPx - viewPx - top;
    else if (top + rowHeightPx > visBottom) next = Math.max(0, totalPx - top - rowHeightPx);
    if (next === fromBottom) return;
    el.scrollTop = -next;
    setFromBottom(next);
    // Only a moved target can need a scroll; the rest of the geometry follows from it.
  }, [revealIndex]);

  const first = Math.max(0, Math.floor(visTop / rowHeightPx) - OVERSCAN);
  const last = Math.min(count, Math.ceil(visBottom / rowHeightPx) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, { position: 'absolute', top: i * rowHeightPx, height: rowHeightPx, left: 0, right: 0 }));

  return (
    <div ref={ref} className="virtual-rows" style={{ height: heightPx }} onScroll={(e) => setFromBottom(-e.currentTarget.scrollTop)} {...containerProps}>
      <div style={{ position: 'relative', flex: 'none', height: totalPx }}>{rows}</div>
    </div>
  );
}
