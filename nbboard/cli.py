"""The `nbboard` command. Subcommands register themselves on an argparse subparser:
`inspect LOGDIR` summarises a logdir like `tensorboard --inspect` (others add demo, export...)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO


def _fmt_value(v: float) -> str:
    return f"{v:.6g}"


def inspect_logdir(logdir: str, out: TextIO | None = None, progress: bool | None = None) -> int:
    """Print runs, tags per plugin, counts, step ranges, last scalar values, damage found and the
    files beside the event files that could not be read."""
    out = sys.stdout if out is None else out  # looked up per call: stdout may be redirected
    import warnings

    from nbboard.logdir import LogdirError, read_logdir

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # damage is listed below instead
            reader = read_logdir(logdir, progress=progress)
    except LogdirError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    store = reader.store
    runs = store.runs(ranks=True)  # a distributed run: each rank's folder and its files
    w = out.write
    w(f"logdir: {logdir}\n")
    w(f"{len(runs)} run(s)\n")
    for run in runs:
        files = reader.runs.get(reader.fs.run_key(run))
        nfiles = len(files.files) if files else 0
        w(f"\nrun: {run}  ({nfiles} event file(s))\n")
        tags = store.tags(run)
        for plugin in sorted(tags):
            names = sorted(tags[plugin])
            if not names:
                w(f"  {plugin}: (run-level record)\n")
                continue
            w(f"  {plugin}: {len(names)} tag(s)\n")
            for tag in names:
                s = store.series(run, tag)
                n = len(s)
                if n == 0:
                    w(f"    {tag}: 0 points\n")
                    continue
                steps = s.steps
                line = f"    {tag}: {n} point(s), steps {int(steps.min())}..{int(steps.max())}"
                values = s.values
                if getattr(values, "dtype", None) is not None:  # a numeric column (scalars)
                    line += f", last {_fmt_value(float(values[-1]))}"
                w(line + "\n")
    damaged = reader.damage
    incomplete = [r for run in reader.runs.values() for r in run.files.values()
                  if r.damage.incomplete_bytes]
    w("\n")
    if damaged:
        w(f"damage: {len(damaged)} file(s)\n")
        for d in damaged:
            w(f"  {d.path}: {d.corrupt_records} corrupt record(s) ({d.skipped_bytes} bytes skipped), "
              f"{d.bad_events} undecodable event(s)\n")
    else:
        w("damage: none (every record's CRCs checked)\n")
    for r in incomplete:
        w(f"  {r.path}: last record incomplete ({r.damage.incomplete_bytes} bytes; still being "
          "written, or cut off)\n")
    unreadable = store.problems()
    if unreadable:  # files read beside the event files (profiler traces, projector data)
        w(f"unreadable: {len(unreadable)} file(s)\n")
        for p in unreadable:
            w(f"  {p['run']}/{p['file']} ({p['kind']}): {p['message']}\n")
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    return inspect_logdir(args.logdir, progress=False if args.no_progress else None)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; subcommands are added to `parser.subcommands` (set_defaults(func=...))."""
    parser = argparse.ArgumentParser(prog="nbboard", description="TensorBoard rebuilt for the notebook.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.subcommands = sub  # type: ignore[attr-defined]
    p = sub.add_parser("inspect", help="summarise the runs, tags and damage of a logdir",
                       description="Like `tensorboard --inspect`: runs, tags per plugin, counts, "
                                   "step ranges, last scalar values and corrupt records found.")
    p.add_argument("logdir", help="a local path or an fsspec URL (s3://, gs://, memory://, file://)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_inspect)
    from nbboard.export.cli import add_subcommands  # `nbboard export` and `nbboard report`

    add_subcommands(sub)
    d = sub.add_parser("demo", help="run the quickstart notebook headless and export it to one offline HTML file",
                       add_help=False)  # the demo's help (it runs and exports the quickstart)
    d.add_argument("args", nargs=argparse.REMAINDER, help="see `nbboard demo --help`")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nbboard` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:  # the demo parses its own options
        from nbboard.demo import main as demo_main

        demo_main(argv[1:])
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from nbboard.export import ExportError
    from nbboard.logdir import LogdirError

    try:
        return int(func(args) or 0)
    except (ExportError, LogdirError) as err:  # a problem with the user's input: one line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `nbboard inspect ... | head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
