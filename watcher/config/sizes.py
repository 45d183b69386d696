"""Sizes as people write them in sources.yaml: `10MB`, `500KB`, `1GB`, or a number of bytes.

Units count in powers of 1024, as PostgreSQL and most server configuration do: `1KB` is 1,024
bytes and `10MB` is 10,485,760. `KiB`/`MiB`/`GiB` are accepted as the same units.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$", re.IGNORECASE)
_UNIT_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}

SIZE_EXAMPLES = "'500KB', '10MB', '1GB' or a number of bytes"


def parse_size(value: object) -> int:
    """`10MB` → 10485760; an integer is a number of bytes. Raises ValueError naming the forms."""
    if isinstance(value, bool):
        shown = str(value).lower()
        raise ValueError(f"expected a size like {SIZE_EXAMPLES}, got the boolean {shown}")
    if not isinstance(value, int | str):
        raise ValueError(f"expected a size like {SIZE_EXAMPLES}, got {value!r}")
    if isinstance(value, int):
        return value
    found = _SIZE.match(value.strip())
    if found is None:
        raise ValueError(f"expected a size like {SIZE_EXAMPLES}, got {value!r}")
    amount, unit = found.groups()
    multiplier = _UNIT_BYTES[(unit or "B").upper().replace("I", "")]
    if unit is None and "." in amount:
        raise ValueError(f"a number of bytes must be whole, got {value!r}")
    return int(float(amount) * multiplier)
