/**
 * The Board's run list (TensorBoard's sidebar): every run of every kind, filtered by the run
 * regex, each ticked unless hidden; "All"/"None" tick or untick the runs the regex lists and
 * leave the others as they were. Pure logic; the DOM is in run_sidebar.ts.
 */

export interface RunRow {
  run: string;
  on: boolean;
}

/** Natural order: "run2" before "run10". */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** The rows to list: runs passing the regex, natural order, ticked unless hidden. */
export function runRows(runs: Iterable<string>, matches: (run: string) => boolean, hidden: (run: string) => boolean): RunRow[] {
  return [...new Set(runs)]
    .filter(matches)
    .sort(collator.compare)
    .map((run) => ({ run, on: !hidden(run) }));
}

/** The hidden runs after ticking (`on`) or unticking every listed row. */
export function tickAll(rows: readonly RunRow[], hidden: readonly string[], on: boolean): string[] {
  const next = new Set(hidden);
  for (const r of rows) {
    if (on) next.delete(r.run);
    else next.add(r.run);
  }
  return [...next].sort();
}

/** "3 of 5 runs shown" for the list's header. */
export function runCount(rows: readonly RunRow[], total: number): string {
  const on = rows.filter((r) => r.on).length;
  return `${on} of ${total} run${total === 1 ? "" : "s"} shown`;
}
