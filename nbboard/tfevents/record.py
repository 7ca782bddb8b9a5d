"""TFRecord framing: length, masked CRC32C of the length, payload, masked CRC32C of the payload."""

from __future__ import annotations

import struct

from crc32c import crc32c

_MASK_DELTA = 0xA282EAD8
_len = struct.Struct("<Q")
_u32 = struct.Struct("<I")


def masked_crc(data: bytes | memoryview) -> int:
    """TensorFlow's masked CRC32C of `data`."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(payload: bytes) -> bytes:
    """One TFRecord holding `payload`."""
    header = _len.pack(len(payload))
    return header + _u32.pack(masked_crc(header)) + payload + _u32.pack(masked_crc(payload))


def frame_many(payloads: list[bytes]) -> bytes:
    """Concatenated TFRecords for `payloads` (one join, no intermediate copies per record)."""
    parts: list[bytes] = []
    add = parts.append
    lpack, upack = _len.pack, _u32.pack
    header_crcs: dict[int, bytes] = {}
    for p in payloads:
        n = len(p)
        hc = header_crcs.get(n)
        header = lpack(n)
        if hc is None:
            hc = header_crcs[n] = upack(masked_crc(header))
        add(header)
        add(hc)
        add(p)
        add(upack(masked_crc(p)))
    return b"".join(parts)
