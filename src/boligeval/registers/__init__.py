"""From the raw registers (BEF, AKM, IND, UDDA, KRAF) to the contract's ``residents``.

``build_residents(cfg, out_dir)`` reads the tables named in the config's
``[registers]`` block (year-partitioned Parquet, a file per year, or one file
with a year column; Parquet, CSV, SAS and Stata), applies the code lists in
``codelists/`` and the pitfall rules of :class:`RegisterRules`, and writes
``residents.parquet`` with an accounting of every register row.
"""

from __future__ import annotations

from boligeval.registers.build import RegistersResult, build_residents, registers_spec
from boligeval.registers.codelists import CODELISTS, CodeList, load_codelist
from boligeval.registers.config import RegisterRules, RegistersSpec, parse_registers

__all__ = [
    "CODELISTS",
    "CodeList",
    "RegisterRules",
    "RegistersResult",
    "RegistersSpec",
    "build_residents",
    "load_codelist",
    "parse_registers",
    "registers_spec",
]
