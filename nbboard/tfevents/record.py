"""TFRecord framing: length, masked CRC32C of the length, payload, masked CRC32C of the payload.

The one home of TensorFlow's CRC mask (scalar and numpy forms) and of the length-header CRC
cache that the writer's batch encoder and the reader share.
"""

from __future__ import annotations

import struct

import numpy as np
from crc32c import crc32c

_MASK_DELTA = 0xA282EAD8
_len = struct.Struct("<Q")
_u32 = struct.Struct("<I")


def masked_crc(data: bytes | memoryview) -> int:
    """TensorFlow's masked CRC32C of `data`."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def mask_crcs(crc: np.ndarray) -> np.ndarray:
    """`masked_crc`'s mask applied to an array of plain CRC32C values (uint32 result)."""
    crc = crc.astype(np.uint64)
    return ((((crc >> np.uint64(15)) | (crc << np.uint64(17))) + np.uint64(_MASK_DELTA))
            & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def unmask_crcs(masked: np.ndarray) -> np.ndarray:
    """The plain CRC32C values behind an array of masked ones (uint32)."""
    r = masked.astype(np.uint32)  # a copy, worked on in place
    r -= np.uint32(_MASK_DELTA)  # wraps modulo 2^32
    t = r >> np.uint32(17)
    r <<= np.uint32(15)
    r |= t
    return r


# length → masked CRC of its 8-byte header; bounded, since a damaged file offers any length
HEADER_CRCS: dict[int, int] = {}


def header_crc(n: int) -> int:
    """The masked CRC of the 8-byte little-endian length header of an `n`-byte record (cached)."""
    c = HEADER_CRCS.get(n)
    if c is None:
        c = masked_crc(_len.pack(n))
        if len(HEADER_CRCS) < 65536:
            HEADER_CRCS[n] = c
    return c


def frame(payload: bytes) -> bytes:
    """One TFRecord holding `payload`."""
    n = len(payload)
    return _len.pack(n) + _u32.pack(header_crc(n)) + payload + _u32.pack(masked_crc(payload))
