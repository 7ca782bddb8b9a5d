"""A profile as the Store holds it: one `Profile` per trace (one profiler cycle), its events in
compact numpy columns with names interned, plus the trace's metadata.

Memory: a duration event costs 49 bytes (name 4, category 1, lane 4, start 8, duration 8, external
id 8, correlation 8, input shape 4, input types 4), an instant `[memory]` event 38 bytes (time 8, bytes 8, allocated 8,
reserved 8, device 2, lane 4), a kernel 48 bytes more for its launch figures, a flow arrow 9 bytes
(its two events' rows and its kind); the names and shapes are held once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Event categories (the `cat` column's codes); anything else is OTHER.
CATEGORIES = ("other", "cpu_op", "user_annotation", "python_function", "kernel", "gpu_memcpy",
              "gpu_memset", "cuda_runtime", "cuda_driver", "gpu_user_annotation", "Trace")
CAT = {name: i for i, name in enumerate(CATEGORIES)}
#: Kernel launch figures, in the columns of `Profile.kernel_info` (NaN where the trace lacks one).
#: Flow arrow kinds (the `flow_kind` column's codes): `ac2g` links a host launch (cudaLaunchKernel,
#: cudaMemcpyAsync) to the device work it launched, `fwdbwd` a forward op to its backward op.
FLOW_KINDS = ("ac2g", "fwdbwd", "other")
KERNEL_FIELDS = ("grid_x", "grid_y", "grid_z", "block_x", "block_y", "block_z",
                 "registers", "shared_memory", "blocks_per_sm", "warps_per_sm", "occupancy")


@dataclass
class Profile:
    """One profiler cycle's trace in columns. Times are microseconds as the trace gives them."""

    #: interned event names; `name` indexes it
    names: list[str]
    #: (pid, tid) lane labels as text; `lane` indexes it
    lanes: list[tuple[str, str]]
    #: interned input shapes (the JSON of `Input Dims`) and input types; -1: none recorded
    shapes: list[str]
    # duration events (ph "X"), in trace order
    name: np.ndarray  # int32
    cat: np.ndarray  # uint8, CATEGORIES
    lane: np.ndarray  # int32
    ts: np.ndarray  # float64 µs
    dur: np.ndarray  # float64 µs
    ext: np.ndarray  # int64 External id (-1: none)
    corr: np.ndarray  # int64 correlation (-1: none)
    shape: np.ndarray  # int32 into `shapes` (-1: none)
    dtype: np.ndarray  # int32 into `shapes`: the Input type (-1: none)
    # [memory] instant events, in trace order
    mem_ts: np.ndarray  # float64
    mem_bytes: np.ndarray  # int64 (negative: freed)
    mem_allocated: np.ndarray  # float64 total allocated on its device after it (NaN: unknown)
    mem_reserved: np.ndarray  # float64
    mem_device: np.ndarray  # int16: -1 CPU, else the device index (+ 1000 * device type > 1)
    mem_lane: np.ndarray  # int32
    # kernels: the row of each kernel in the duration columns, and its launch figures
    kernel_row: np.ndarray  # int32
    kernel_info: np.ndarray  # float32 (n, len(KERNEL_FIELDS))
    # flow arrows (ph "s"/"f" pairs), each end bound to a duration event's row
    flow_src: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # the "s" end's row
    flow_dst: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # the "f" end's row
    flow_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))  # FLOW_KINDS
    #: the trace's top-level fields other than its events (schemaVersion, deviceProperties, ...)
    meta: dict[str, Any] = field(default_factory=dict)
    #: the worker (file name prefix) and file name it was read from or written to
    worker: str = ""
    file: str = ""
    #: its analysis, once computed (`analysis.of`), and the call tree's parent rows it used
    _analysis: Any = field(default=None, repr=False, compare=False)
    _parent: Any = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(len(self.name) + len(self.mem_ts))

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns (names and shapes not counted)."""
        return sum(int(getattr(self, f).nbytes) for f in (
            "name", "cat", "lane", "ts", "dur", "ext", "corr", "shape", "dtype", "mem_ts",
            "mem_bytes", "mem_allocated", "mem_reserved", "mem_device", "mem_lane", "kernel_row",
            "kernel_info", "flow_src", "flow_dst", "flow_kind"))

    def __repr__(self) -> str:
        return (f"Profile({self.worker or self.file!r}, {len(self.name)} events, "
                f"{len(self.mem_ts)} memory events, {len(self.kernel_row)} kernels, {len(self.flow_src)} flows)")
