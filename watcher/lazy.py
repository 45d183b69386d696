"""Package attributes imported on first use (PEP 562), for packages whose modules are costly.

A command line that only validates a file must not import a browser driver, an ORM and an HTTP
notification library just because it touched one package that re-exports them.

    __getattr__, __dir__ = lazy_exports(__name__, {"classify": "classifier", ...})

Type checkers see the names through an `if TYPE_CHECKING:` import block in the package.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`: name → the submodule that defines it."""

    def get_attribute(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # later lookups are plain attributes
        return value

    def list_attributes() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return get_attribute, list_attributes
