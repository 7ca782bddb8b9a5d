"""A 2-rank data-parallel job profiled with torch.profiler, for `torchrun --nproc_per_node=2`
(gloo, CPU): an MLP under DistributedDataParallel, rank 1 made slow (it sleeps `--slow` seconds
before each forward pass, so rank 0 waits for it in the gradients' all-reduce). Two profiler
cycles: the first goes to torch's own `tensorboard_trace_handler` (LOGDIR/torch, both ranks' traces
in one folder, as torch-tb-profiler users lay them out), the second to nbboard's
`writer.profiler_handler()` (LOGDIR/nb, a folder per rank).

    torchrun --nproc_per_node=2 tests/profiler_ddp_job.py LOGDIR
"""

from __future__ import annotations

import argparse
import os
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from nbboard import SummaryWriter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("--slow", type=float, default=0.02)
    a = ap.parse_args()
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = DistributedDataParallel(nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                                                  nn.Linear(512, 10)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(64, 256), torch.randint(0, 10, (64,))
    w = SummaryWriter(os.path.join(a.logdir, "nb"))  # -> nb/rank<r>/
    mine = w.profiler_handler(worker_name=f"worker{rank}")
    theirs = torch.profiler.tensorboard_trace_handler(os.path.join(a.logdir, "torch"))

    cycles = [theirs, mine]

    def handler(prof: torch.profiler.profile) -> None:
        cycles.pop(0)(prof)

    sched = torch.profiler.schedule(wait=1, warmup=1, active=3, repeat=2)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], schedule=sched,
                                on_trace_ready=handler) as p:
        for _ in range(11):
            if rank == 1:
                time.sleep(a.slow)
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            p.step()
    w.close()
    dist.barrier()


if __name__ == "__main__":
    main()
