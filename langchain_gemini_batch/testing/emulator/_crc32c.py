"""CRC32C (Castagnoli), as Cloud Storage reports it: base64 of the big-endian 32-bit value.

Pure standard library (a table-driven loop), with `google_crc32c`'s C implementation used instead
when it happens to be importable (it comes with google-cloud-storage), since the pure loop handles
only a few MB per second.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable

__all__ = ["crc32c", "crc32c_base64"]

_POLYNOMIAL = 0x82F63B78  # reversed Castagnoli polynomial


def _table() -> list[int]:
    table = []
    for byte in range(256):
        value = byte
        for _ in range(8):
            value = (value >> 1) ^ _POLYNOMIAL if value & 1 else value >> 1
        table.append(value)
    return table


_TABLE = _table()


def _pure(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _accelerated() -> Callable[[bytes], int] | None:
    try:
        module = importlib.import_module("google_crc32c")
    except ImportError:
        return None
    value: Callable[[bytes], int] = module.value
    return value


_FAST = _accelerated()


def crc32c(data: bytes) -> int:
    """Returns the CRC32C checksum of `data` as an unsigned 32-bit integer.

    Args:
        data: Any bytes.
    """
    return _FAST(data) if _FAST is not None else _pure(data)


def crc32c_base64(data: bytes) -> str:
    """Returns the checksum as Cloud Storage writes it (`crc32c` field, `X-Goog-Hash`).

    Args:
        data: Any bytes.
    """
    return base64.b64encode(crc32c(data).to_bytes(4, "big")).decode("ascii")
