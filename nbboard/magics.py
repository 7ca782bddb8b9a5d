"""`%load_ext nbboard` and the `%nbboard` line magic (the drop-in for `%tensorboard`)."""

from __future__ import annotations

import argparse
import shlex
from typing import Any


class MagicUsageError(ValueError):
    """A %nbboard line that could not be parsed (shown as its message, not a traceback)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # raise instead of exiting the kernel
        raise MagicUsageError(f"%nbboard: {message}\n{self.format_usage()}")


def _nearest(arg: str, parser: argparse.ArgumentParser) -> str:
    """' (did you mean --logdir?)' for a mistyped option, or ''."""
    import difflib

    if not arg.startswith("-"):
        return ""
    flags = [o for a in parser._actions for o in a.option_strings
             if a.help is not argparse.SUPPRESS and o.startswith("--")]
    near = difflib.get_close_matches(arg.split("=")[0], flags, n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""


# TensorBoard server flags a `%tensorboard` line may carry: they configure a web server and its
# sampling, neither of which exists here (views live in the cell and keep every point), so a line
# copied from `%tensorboard` works, with a note saying what was ignored.
_SERVER_FLAGS = ("port", "host", "bind_all", "reload_interval", "reload_multifile",
                 "reload_multifile_inactive_secs", "reload_task", "samples_per_plugin",
                 "max_reload_threads", "load_fast", "window_title", "path_prefix",
                 "purge_orphaned_data", "detect_file_replacement", "verbosity")
_SWITCHES = {"bind_all"}


def _parser() -> _Parser:
    p = _Parser(prog="%nbboard", add_help=False,
                description="Show a live Board for the runs under a logdir (like %tensorboard --logdir).")
    p.add_argument("--logdir", "--log_dir", dest="logdir", default=None,
                   help="directory whose runs to show (this kernel's writers live, plus files on disk)")
    p.add_argument("--runs", default=None, help="regex: only runs matching it are shown at first")
    p.add_argument("--tags", default=None, help="regex: only tags matching it are shown at first")
    p.add_argument("--smoothing", type=float, default=None, help="initial smoothing, 0 to 0.999")
    p.add_argument("--alert", action="append", default=[], metavar="RULE",
                   help="an alert rule on the logdir's runs, e.g. --alert 'Loss/train > 10' "
                        "(repeatable; see nbboard.kinds.alerts.rules.parse_rule)")
    p.add_argument("--no-nonfinite-alerts", dest="nonfinite", action="store_false", default=None,
                   help="no alert on NaN/inf values (on by default)")
    p.add_argument("-h", "--help", action="store_true")
    for flag in _SERVER_FLAGS:
        if flag in _SWITCHES:
            p.add_argument(f"--{flag}", dest=f"tb_{flag}", action="store_true", help=argparse.SUPPRESS)
        else:
            p.add_argument(f"--{flag}", dest=f"tb_{flag}", default=None, help=argparse.SUPPRESS)
    return p


def nbboard_magic(line: str) -> Any:
    """%nbboard --logdir DIR [--runs REGEX] [--tags REGEX] [--smoothing W] [--alert RULE ...]"""
    try:
        return _magic(line)
    except MagicUsageError as e:  # a typo: the usage line and the nearest option, no traceback
        import sys

        print(e, file=sys.stderr)
        return None


def _magic(line: str) -> Any:
    try:
        args_list = shlex.split(line)
    except ValueError as e:
        raise MagicUsageError(f"%nbboard: {e} in {line!r}") from None
    if args_list and args_list[0] == "export":
        from nbboard.export import cli as export

        return export.magic(args_list[1:])
    p = _parser()
    args, rest = p.parse_known_args(args_list)
    if args.help:
        print(p.format_help())
        return None
    if rest:
        raise MagicUsageError(f"%nbboard: unexpected argument {rest[0]!r}{_nearest(rest[0], p)}\n"
                              f"{p.format_usage()}")
    ignored = [f"--{f}" for f in _SERVER_FLAGS if getattr(args, f"tb_{f}") not in (None, False)]
    if ignored:
        print(f"nbboard: ignoring TensorBoard server option{'s' if len(ignored) > 1 else ''} "
              f"{', '.join(ignored)} (no server: the views live in this cell and keep every point)")
    from nbboard.convert import InputError
    from nbboard.kinds.alerts.rules import parse_rule

    try:  # every rule checked before any is declared or anything is shown
        rules = [parse_rule(a, "--alert") for a in args.alert]
    except InputError as e:
        raise MagicUsageError(f"%nbboard: {e}") from None
    from IPython.display import display

    from nbboard.widgets.board import Board

    board = Board(args.logdir, runs=args.runs, tags=args.tags, smoothing=args.smoothing)
    if args.nonfinite is False:
        board.store.alerts.nonfinite = False
    for rule in rules:
        if rule.name not in [r.name for r in board.store.alerts.rules()]:  # a re-run cell
            board.store.add_alert(None, rule=rule)
    display(board)
    return None


def load_ipython_extension(ipython: Any) -> None:
    """Register `%nbboard` (called by `%load_ext nbboard`)."""
    ipython.register_magic_function(nbboard_magic, magic_kind="line", magic_name="nbboard")


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to undo beyond the magic staying registered (IPython has no unregister)."""
