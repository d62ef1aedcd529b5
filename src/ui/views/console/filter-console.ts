import type { ConsoleLevel, ConsoleLine } from '../../history/console-lines';

export interface ConsoleFilter {
  /** A node name, or '' for every node. */
  node: string;
  levels: ReadonlySet<ConsoleLevel>;
  /** Case-insensitive text the line must contain ('' for any). */
  text: string;
}

export function filterConsole(lines: readonly ConsoleLine[], f: ConsoleFilter): ConsoleLine[] {
  const needle = f.text.trim().toLowerCase();
  return lines.filter((l) => (f.node === '' || l.node === f.node) && f.levels.has(l.level) && (needle === '' || l.text.toLowerCase().includes(needle) || l.node.toLowerCase().includes(needle)));
}
