"""Code lists: register codes to contract values, as versioned data files.

Each list is a CSV file (``code,value,label``) under ``codelists/`` with a
header of ``# key: value`` comment lines naming its source, version, the
register years it is verified for and a ``status``:

* ``verified``: checked against a public source; used as shipped;
* ``unverified``: complete as far as we know but not checked; used only when
  the user confirms it (``[registers.codelists] confirmed = ["name"]``);
* ``incomplete``: known to lack codes (or empty); never used. The user
  supplies a file (``[registers.codelists] name = "file.csv"``).

A user-supplied file needs only the ``code,value`` header; its comment lines
are optional. ``# match: prefix`` makes every code a prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from boligeval.errors import ConfigError

__all__ = ["CODELISTS", "CodeList", "load_codelist", "resolve_codelists"]

#: Every code list, with the values its ``value`` column may take.
CODELISTS: Mapping[str, tuple[str, ...]] = {
    "socio13": (
        "employed", "leave", "unemployed_short", "unemployed_long", "social_assistance",
        "disability_pension", "student", "retired", "other", "missing",
    ),
    "hfaudd": (
        "basic", "upper_secondary", "vocational", "short_tertiary", "medium_tertiary",
        "long_tertiary", "missing",
    ),
    "western_countries": ("western",),
    "kraf_offences": ("convicted", "offence"),
    "kraf_decisions": ("guilty",),
}
_STATUSES = ("verified", "unverified", "incomplete")


@dataclass(frozen=True)
class CodeList:
    """One code list.

    Attributes
    ----------
    name : str
        List name (``socio13``, ``hfaudd``, ...).
    path : Path or None
        The file (None for a shipped list read from the package).
    codes : dict of str to str
        Code -> value.
    meta : dict of str to str
        The ``# key: value`` header lines.
    shipped : bool
        Whether the list is the one shipped with boligeval.
    """

    name: str
    path: Path | None
    codes: Mapping[str, str]
    meta: Mapping[str, str] = field(default_factory=dict)
    shipped: bool = True

    @property
    def status(self) -> str:
        """``verified``, ``unverified`` or ``incomplete`` (user files: ``supplied``)."""
        return self.meta.get("status", "supplied" if not self.shipped else "incomplete")

    @property
    def prefix(self) -> bool:
        """Whether codes match as prefixes (``# match: prefix``)."""
        return self.meta.get("match", "exact").strip() == "prefix"

    @property
    def where(self) -> str:
        """The file, for messages."""
        return str(self.path) if self.path else f"boligeval/registers/codelists/{self.name}.csv"


def _parse(name: str, text: str, where: str, shipped: bool, path: Path | None) -> CodeList:
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    if reader.fieldnames is None or not {"code", "value"} <= set(reader.fieldnames):
        raise ConfigError(
            f"code list {name} ({where}) needs a header line 'code,value' (optionally "
            "',label') after its comment lines."
        )
    allowed = CODELISTS[name]
    codes: dict[str, str] = {}
    for i, row in enumerate(reader, start=1):
        code = (row.get("code") or "").strip()
        value = (row.get("value") or "").strip()
        if not code:
            raise ConfigError(f"code list {name} ({where}): row {i} has an empty code.")
        if value not in allowed:
            raise ConfigError(
                f"code list {name} ({where}): row {i} has value '{value}'; allowed: "
                f"{', '.join(allowed)}."
            )
        if code in codes and codes[code] != value:
            raise ConfigError(f"code list {name} ({where}): code '{code}' is listed twice.")
        codes[code] = value
    if meta.get("status", "verified" if not shipped else "") not in (*_STATUSES, ""):
        raise ConfigError(
            f"code list {name} ({where}): status '{meta['status']}' is not one of "
            f"{', '.join(_STATUSES)}."
        )
    return CodeList(name=name, path=path, codes=codes, meta=meta, shipped=shipped)


def load_codelist(name: str, path: Path | None = None) -> CodeList:
    """Read a code list: the shipped one, or the user's file at ``path``."""
    if name not in CODELISTS:
        raise ConfigError(
            f"Unknown code list '{name}' in [registers.codelists]; known: "
            f"{', '.join(CODELISTS)}."
        )
    if path is None:
        text = resources.files("boligeval.registers").joinpath(
            f"codelists/{name}.csv"
        ).read_text(encoding="utf-8")
        return _parse(name, text, f"boligeval/registers/codelists/{name}.csv", True, None)
    if not path.is_file():
        raise ConfigError(f"code list {name}: file {path} not found ([registers.codelists]).")
    return _parse(name, path.read_text(encoding="utf-8"), str(path), False, path)


def resolve_codelists(
    files: Mapping[str, Path], confirmed: Sequence[str], needed: Sequence[str]
) -> dict[str, CodeList]:
    """Load every needed list and refuse shipped lists that are not usable.

    Parameters
    ----------
    files : mapping of str to Path
        User-supplied files by list name.
    confirmed : sequence of str
        Shipped ``unverified`` lists the user has checked and accepts.
    needed : sequence of str
        The lists this run uses.

    Raises
    ------
    ConfigError
        For a shipped list that is ``incomplete``, or ``unverified`` and not
        confirmed; the message names the file and how to supply or confirm it.
    """
    for name in confirmed:
        if name not in CODELISTS:
            raise ConfigError(
                f"[registers.codelists] confirmed names unknown list '{name}'; known: "
                f"{', '.join(CODELISTS)}."
            )
    out: dict[str, CodeList] = {}
    for name in needed:
        cl = load_codelist(name, files.get(name))
        if cl.shipped and cl.status == "incomplete":
            raise ConfigError(
                f"code list {name} ({cl.where}) is incomplete: {cl.meta.get('note', '')} "
                "The command does not run until you supply this list."
            )
        if cl.shipped and cl.status == "unverified" and name not in confirmed:
            raise ConfigError(
                f"code list {name} ({cl.where}) is not verified for your register years. "
                f"Check it against the variable documentation, then add \"{name}\" to "
                f"[registers.codelists] confirmed = [...], or supply your own file as "
                f"[registers.codelists] {name} = \"file.csv\"."
            )
        out[name] = cl
    return out
