"""The ``[registers]`` config block: which raw register files, which rules.

::

    [registers]
    dir = "registers"                 # table paths are relative to it (itself to the config)
    address_key = "ADRESSE_ID"        # BEF's address variable, also in the address key file
    # years = [2005, 2007, 2009]      # default: [design] years

    [registers.tables]                # a year-partitioned folder, a file per year with
    bef = "bef"                       # {year} in its name, or one file with a year column
    akm = "akm{year}.sas7bdat"
    ind = "ind"
    udda = "udda"
    kraf = "kraf.parquet"
    address_departments = "adresse_afdeling.parquet"   # ADRESSE_ID, year, department_id

    [registers.rename]                # local variable name -> DST name, every table
    AAR = "year"
    [registers.rename.bef]            # or per table
    ADR_ID = "ADRESSE_ID"

    [registers.rules]                 # the register pitfalls; defaults are the seed's choices
    [registers.codelists]             # user files, and shipped lists confirmed as checked
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from boligeval.contract.schemas import INCOME_SOURCES
from boligeval.errors import ConfigError
from boligeval.registers.codelists import CODELISTS

__all__ = ["REGISTER_TABLES", "RegisterRules", "RegistersSpec", "parse_registers"]

#: Raw tables and the DST variables read from each (``address_key`` stands for the
#: configured address variable).
REGISTER_TABLES: Mapping[str, tuple[str, ...]] = {
    "bef": ("PNR", "FOED_DAG", "KOEN", "IE_TYPE", "OPR_LAND", "FAMILIE_ID", "PLADS",
            "BOP_VFRA", "address_key"),
    "akm": ("PNR", "SOCIO13"),
    "ind": ("PNR", "DISPON_13", "PERINDKIALT_13"),
    "udda": ("PNR", "HFAUDD"),
    "kraf": ("PNR", "AFG_DATO", "AFG_AFGTYP", "AFG_GER7"),
    "address_departments": ("address_key", "department_id"),
}
#: Tables that must have every measurement year.
YEARLY_TABLES = ("bef", "akm", "ind", "udda", "address_departments")


@dataclass(frozen=True)
class RegisterRules:
    """The register pitfalls, one choice each (defaults: the seed's choices).

    Attributes
    ----------
    lone_parent_children : {"any_age", "under_18"}
        Which home-living children make a single person a lone parent: any
        child of the E-family (PLADS 3; the contract: children over 17 count
        too) or only children under 18 at the measurement date.
    lone_parent_adult_children : bool
        Whether the lone parent's home-living children aged 18+ are flagged
        ``single_parent`` themselves (seed B1.1 counts the family type for
        every adult in it; the deprivation index covers ages 18-64).
    socio13_children : str
        ``income_source`` of a person without SOCIO13 aged under 15 at year end.
    socio13_arrivals : str
        ``income_source`` of a person aged 15+ without SOCIO13 who moved to
        the address during the year (AKM covers only persons resident all year:
        mostly arrivals from abroad).
    within_department_moves : {"not_in_mover", "in_mover"}
        A person in the same department at the previous BEF year keeps the
        move-in year of the start of their stay (``not_in_mover``), or the
        move-in date of the current address is taken as it is.
    newborns : {"not_in_mover", "in_mover"}
        BOP_VFRA equal to the birth date gives a null move-in year
        (``not_in_mover``, the contract) or the birth year.
    household : {"family", "dwelling"}
        ``household_id`` from the E-family (FAMILIE_ID) or the address key.
    """

    lone_parent_children: str = "any_age"
    lone_parent_adult_children: bool = True
    socio13_children: str = "missing"
    socio13_arrivals: str = "missing"
    within_department_moves: str = "not_in_mover"
    newborns: str = "not_in_mover"
    household: str = "family"


_CHOICES: Mapping[str, tuple[str, ...]] = {
    "lone_parent_children": ("any_age", "under_18"),
    "socio13_children": INCOME_SOURCES,
    "socio13_arrivals": INCOME_SOURCES,
    "within_department_moves": ("not_in_mover", "in_mover"),
    "newborns": ("not_in_mover", "in_mover"),
    "household": ("family", "dwelling"),
}


@dataclass(frozen=True)
class RegistersSpec:
    """The parsed ``[registers]`` block.

    Attributes
    ----------
    dir : Path
        Folder the table paths are relative to.
    tables : dict of str to Path
        Table name -> folder, file or ``{year}`` pattern.
    years : tuple of int
        Measurement years to build.
    address_key : str
        Name of the address variable (BEF and the address key file).
    rename : dict
        Per table, local variable name -> DST name (``"*"``: every table).
    rules : RegisterRules
    codelists : dict of str to Path
        User-supplied code-list files.
    confirmed : tuple of str
        Shipped unverified lists the user has checked.
    """

    dir: Path
    tables: Mapping[str, Path]
    years: tuple[int, ...]
    address_key: str = "ADRESSE_ID"
    rename: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rules: RegisterRules = field(default_factory=RegisterRules)
    codelists: Mapping[str, Path] = field(default_factory=dict)
    confirmed: tuple[str, ...] = ()

    def renames(self, table: str) -> dict[str, str]:
        """Local -> DST names for one table (global map, then the table's own)."""
        out = {k.upper(): v for k, v in self.rename.get("*", {}).items()}
        out.update({k.upper(): v for k, v in self.rename.get(table, {}).items()})
        return out


def _keys(raw: Mapping[str, Any], valid: Sequence[str], where: str) -> None:
    for key in raw:
        if key not in valid:
            close = difflib.get_close_matches(str(key), list(valid), n=1, cutoff=0.5)
            hint = f" Did you mean '{close[0]}'?" if close else f" Valid keys: {', '.join(valid)}."
            raise ConfigError(f"Unknown key '{key}' in [{where}].{hint}")


def _path(value: Any, base: Path, where: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a path (text).")
    p = Path(value)
    return p if p.is_absolute() else base / p


def _rules(raw: Any) -> RegisterRules:
    if not isinstance(raw, Mapping):
        raise ConfigError("[registers.rules] must be a table.")
    valid = [f.name for f in fields(RegisterRules)]
    _keys(raw, valid, "registers.rules")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "lone_parent_adult_children":
            if not isinstance(value, bool):
                raise ConfigError(
                    "registers.rules.lone_parent_adult_children must be true or false."
                )
        elif not isinstance(value, str) or value not in _CHOICES[key]:
            raise ConfigError(
                f"registers.rules.{key} = {value!r} is not allowed; use one of "
                f"{', '.join(_CHOICES[key])}."
            )
        values[key] = value
    return RegisterRules(**values)


def parse_registers(
    raw: Mapping[str, Any], *, base: Path, design_years: Sequence[int]
) -> RegistersSpec:
    """Validate the ``[registers]`` table.

    Parameters
    ----------
    raw : mapping
        The TOML table.
    base : Path
        The config file's folder.
    design_years : sequence of int
        ``[design] years``, the default measurement years.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError("[registers] must be a table.")
    _keys(raw, ["dir", "address_key", "years", "tables", "rename", "rules", "codelists"],
          "registers")
    root = _path(raw.get("dir", "."), base, "registers.dir")
    tables_raw = raw.get("tables")
    if not isinstance(tables_raw, Mapping):
        raise ConfigError(
            "[registers.tables] must name the raw tables, e.g. bef = \"bef\" (a year-partitioned "
            f"folder); needed: {', '.join(REGISTER_TABLES)}."
        )
    _keys(tables_raw, list(REGISTER_TABLES), "registers.tables")
    for name in REGISTER_TABLES:
        if name not in tables_raw:
            raise ConfigError(f"[registers.tables] needs {name} = \"<folder or file>\".")
    tables = {k: _path(v, root, f"registers.tables.{k}") for k, v in tables_raw.items()}
    years_raw = raw.get("years", list(design_years))
    if not isinstance(years_raw, list) or not all(isinstance(y, int) for y in years_raw):
        raise ConfigError("registers.years must be a list of years, e.g. [2005, 2007, 2009].")
    address_key = raw.get("address_key", "ADRESSE_ID")
    if not isinstance(address_key, str) or not address_key:
        raise ConfigError("registers.address_key must name BEF's address variable.")
    rename: dict[str, dict[str, str]] = {}
    for key, value in dict(raw.get("rename", {})).items():
        if isinstance(value, str):
            rename.setdefault("*", {})[key] = value
        elif isinstance(value, Mapping) and key in REGISTER_TABLES:
            if not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"[registers.rename.{key}] must map names to names.")
            rename.setdefault(key, {}).update(value)
        else:
            raise ConfigError(
                f"[registers.rename] entry '{key}' must be LOCAL = \"DST_NAME\" or a table "
                f"[registers.rename.<table>] for one of {', '.join(REGISTER_TABLES)}."
            )
    cl_raw = dict(raw.get("codelists", {}))
    confirmed = cl_raw.pop("confirmed", [])
    if not isinstance(confirmed, list) or not all(isinstance(c, str) for c in confirmed):
        raise ConfigError("registers.codelists.confirmed must be a list of code-list names.")
    _keys(cl_raw, list(CODELISTS), "registers.codelists")
    codelists = {k: _path(v, base, f"registers.codelists.{k}") for k, v in cl_raw.items()}
    return RegistersSpec(
        dir=root,
        tables=tables,
        years=tuple(sorted(set(years_raw))),
        address_key=address_key,
        rename=rename,
        rules=_rules(raw.get("rules", {})),
        codelists=codelists,
        confirmed=tuple(confirmed),
    )
