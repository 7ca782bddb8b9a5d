"""The ranks of a distributed job (torchrun, torch.distributed): which one this process is, and how
its files are told apart from the other ranks'.

A writer in rank r of a job of several processes writes into `<log_dir>/rank<r>/` (and every
sub-run `<log_dir>/<sub>/` into `<log_dir>/rank<r>/<sub>/`), its event files named
`...tfevents...rank<r>`: TensorBoard reads each rank as a run of its own, nothing collides, and
nbboard's readers see the marker and fold the folders back into one run with ranks
(`Store.ranks`). See docs/DESIGN.md, "Ranks of a distributed run".
"""

from __future__ import annotations

import os
import re
import sys

_MARK = re.compile(r"tfevents.*\.rank(\d+)(?:\.|$)")


def process_rank() -> tuple[int, int] | None:
    """(rank, world size) of this process in a job of several processes, None for a lone one.

    An initialised torch.distributed process group says it (torch is not imported for it);
    otherwise the environment torchrun, torch.distributed.launch and SLURM-style launchers set
    (`RANK` and `WORLD_SIZE`)."""
    dist = sys.modules.get("torch.distributed")
    try:
        if dist is not None and dist.is_available() and dist.is_initialized():
            rank, world = int(dist.get_rank()), int(dist.get_world_size())
            return (rank, world) if world > 1 and rank >= 0 else None
    except (RuntimeError, ValueError):
        pass
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    except (KeyError, ValueError):
        return None
    return (rank, world) if world > 1 and 0 <= rank < world else None


def rank_folder(rank: int) -> str:
    """The folder a rank's files go into, inside the run's."""
    return f"rank{rank}"


def file_mark(rank: int) -> str:
    """What a rank's event file names end with (before the user's filename_suffix)."""
    return f".rank{rank}"


def group_of(path: str, rank: int) -> str | None:
    """The run folder a rank's folder `path` belongs to: `path` without its last `rank<r>` part
    ('.' when nothing is left), None when it has none. '/'-separated (URLs, relative names) or
    the local separator."""
    sep = "/" if "/" in path or os.sep == "/" else os.sep
    parts = path.split(sep)
    folder = rank_folder(rank)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == folder:
            rest = parts[:i] + parts[i + 1:]
            return sep.join(rest) if rest else "."
    return None


def rank_of(rel: str, name: str) -> tuple[int, str] | None:
    """(rank, the run's folder) for an event file `name` in run folder `rel` (relative, '/'-separated,
    '.' for the root) that a rank's writer wrote: its name carries `.rank<r>` and one of its folders
    is `rank<r>`; None for any other file."""
    m = _MARK.search(name)
    if m is None:
        return None
    r = int(m.group(1))
    group = group_of(rel, r)
    return None if group is None else (r, group)
