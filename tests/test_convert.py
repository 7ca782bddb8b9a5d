"""Input conversion shared by every kind (nbboard.convert): lists, tensors and arrays to numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nbboard import InputError
from nbboard.convert import to_numpy


def test_list_conversion_fast_path_and_fallbacks():
    x = np.random.default_rng(0).random((50, 3))
    np.testing.assert_array_equal(to_numpy(x.tolist(), "m", "a"), x)
    ts = [torch.rand(3) for _ in range(4)]
    np.testing.assert_array_equal(to_numpy(ts, "m", "a"), torch.stack(ts).numpy())
    g = [torch.rand(2, requires_grad=True) for _ in range(2)]  # numpy() refuses these: fallback
    np.testing.assert_array_equal(to_numpy(g, "m", "a"), torch.stack(g).detach().numpy())
    bf = [torch.ones(2, dtype=torch.bfloat16)] * 2
    assert to_numpy(bf, "m", "a").dtype == np.float32
    with pytest.raises(InputError, match="not a regular"):
        to_numpy([[1, 2], [3]], "m", "a")
    with pytest.raises(InputError, match="ragged or mixed"):
        to_numpy([2**70], "m", "a")
