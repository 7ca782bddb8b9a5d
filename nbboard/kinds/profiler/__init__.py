"""The PyTorch profiler: torch.profiler traces (read from a logdir, or recorded by
`writer.profiler_handler()`) as records of kind `pytorch_profiler` (TensorBoard's plugin name),
analysed (overview, operators, kernels, memory, modules, recommendations) and shown by `Profiler`."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.profiler import feed, read

NAME = "pytorch_profiler"

KIND = Kind(
    name=NAME,
    accessor="profiles",
    side_files=read.FILE_PATTERNS,
    read_side_file=read.read_side_file,
    feed=feed.encode,
    views={"Profiler": "nbboard.kinds.profiler.view:Profiler"},
)
