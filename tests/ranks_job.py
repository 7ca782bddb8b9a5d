"""A small data-parallel training job for `torchrun --nproc_per_node=N` (gloo, CPU): an MLP on
scikit-learn's digits under DistributedDataParallel, every rank logging its loss, its step time
and a weight histogram through nbboard's SummaryWriter (each rank into its own folder).

    torchrun --nproc_per_node=4 tests/ranks_job.py LOGDIR --steps 60 --slow-rank 2 --slow 0.25 \
        --kill-rank 3 --kill-step 40

`--slow-rank` sleeps `--slow` seconds per step before its forward pass (a straggler: the others
wait for it in the gradients' all-reduce); `--kill-rank` hangs `--kill-hang` seconds at `--kill-step` (the
others log that step meanwhile and wait for it in the all-reduce), then SIGKILLs itself, before
logging the step: what the others log does not depend on when torchrun tears the job down. The loss is logged after the forward pass, before the all-reduce, so a rank's wall
time per step shows when it got there.
"""

from __future__ import annotations

import argparse
import os
import signal
import time

import torch
import torch.distributed as dist
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from nbboard import SummaryWriter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--slow-rank", type=int, default=-1)
    ap.add_argument("--slow", type=float, default=0.25)
    ap.add_argument("--kill-rank", type=int, default=-1)
    ap.add_argument("--kill-step", type=int, default=-1)
    ap.add_argument("--kill-hang", type=float, default=1.0)
    ap.add_argument("--pace", type=float, default=0.0, help="seconds every rank sleeps per step")
    a = ap.parse_args()
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x / 16.0, dtype=torch.float32)[rank::world]
    y = torch.tensor(y)[rank::world]
    model = DistributedDataParallel(nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    w = SummaryWriter(os.path.join(a.logdir, "ddp"), flush_secs=1)  # -> ddp/rank<r>/
    g = torch.Generator().manual_seed(rank)
    last = time.perf_counter()
    for step in range(a.steps):
        if rank == a.kill_rank and step == a.kill_step:  # no flush, no close: what the journal keeps
            time.sleep(a.kill_hang)
            os.kill(os.getpid(), signal.SIGKILL)
        if a.pace:
            time.sleep(a.pace)
        if rank == a.slow_rank:
            time.sleep(a.slow)
        idx = torch.randint(0, len(x), (32,), generator=g)
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        w.add_scalar("train/loss", loss.item(), step)
        w.flush()  # the notebook watches every step as it is made
        opt.zero_grad()
        loss.backward()  # the all-reduce: every rank waits for the slowest here
        opt.step()
        now = time.perf_counter()
        w.add_scalar("train/step_time", now - last, step)
        last = now
        if step % 10 == 0:
            w.add_histogram("weights/fc1", model.module[0].weight.detach(), step)
    w.close()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
