"""Names a package exports but imports only on first use (cheap ``import``)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


def lazy_attribute(package: str, names: Mapping[str, str], namespace: dict[str, Any],
                   name: str) -> Any:
    """Import ``name`` from its module in ``names`` and keep it in ``namespace``.

    Parameters
    ----------
    package : str
        The exporting package, for the error message.
    names : mapping of str to str
        Exported name -> the module that defines it.
    namespace : dict
        The package's ``globals()``: the value is stored there, so the module
        is imported once.
    name : str
        The attribute asked for.

    Raises
    ------
    AttributeError
        ``name`` is not exported lazily.
    """
    module = names.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value
