/** Step- and play-button glyphs as SVG: the media-control characters (⏮ ⏭) are missing from many fonts. */
const PATHS = {
  start: 'M3 3h2v10H3zM14 3 6 8l8 5z',
  prev: 'M12 3 4 8l8 5z',
  next: 'M4 3l8 5-8 5z',
  end: 'M11 3h2v10h-2zM2 3l8 5-8 5z',
  play: 'M4 2l10 6-10 6z',
  pause: 'M3 2h4v12H3zM9 2h4v12H9z',
};

export function StepIcon({ kind }: { kind: keyof typeof PATHS }) {
  return (
    <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true" focusable="false">
      <path d={PATHS[kind]} fill="currentColor" />
    </svg>
  );
}
