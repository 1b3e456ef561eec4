"""The evaluation config: one TOML file says what to evaluate.

A minimal config names only the data folder; every other setting defaults to
the seed's evaluation (measurement years 2005/2007/2009, its cohorts,
populations, outcomes and analyses)::

    [data]
    dir = "world"

Unknown keys are errors that name the key and the nearest valid key. The
parsed config is an immutable :class:`EvaluationConfig`; :func:`dump_config`
writes it back as TOML so a user can copy and edit the config a run used.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Literal

from boligeval.contract.dialect import check_csv_options
from boligeval.disclosure import PROFILES, DisclosureRules
from boligeval.errors import ConfigError
from boligeval.vocabulary import POPULATIONS

__all__ = [
    "DEFAULT_SEED",
    "AnalysisSpec",
    "DataSpec",
    "DeprivationSpec",
    "DesignSpec",
    "EvaluationConfig",
    "IncomeSpec",
    "InferenceSpec",
    "PanelSpec",
    "PopulationSpec",
    "ReportSpec",
    "SurveySpec",
    "default_analyses",
    "dump_config",
    "load_config",
    "parse_config",
]

@dataclass(frozen=True)
class DataSpec:
    """Where the input files are.

    Attributes
    ----------
    dir : Path
        Folder with one file per contract table (``plans.parquet``, ...).
    rename : dict
        Per table, a mapping from the file's column names to contract names.
    csv : dict
        How CSV files are written: ``delimiter``, ``decimal`` and
        ``encoding`` (each ``auto`` by default: detected per file).
    """

    dir: Path = Path("world")
    rename: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    csv: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DesignSpec:
    """Who is treated when (methods.md §1)."""

    years: tuple[int, ...] = (2005, 2007, 2009)
    #: Cohort name -> grant years, or ``"auto"``: one cohort per grant year.
    cohorts: Mapping[str, tuple[int, ...]] | Literal["auto"] = field(
        default_factory=lambda: {"g1": (2006, 2007), "g2": (2008, 2009)}
    )
    rent_support_rounds: Mapping[str, tuple[int, ...]] = field(
        default_factory=lambda: {"r2006": (2006, 2007), "r2008": (2008, 2009)}
    )
    implementation_lag: int = 0
    price_base_year: int = 2009
    stop_at_end: bool = False


@dataclass(frozen=True)
class PopulationSpec:
    """Age bands of the derived populations (both ends included).

    ``youth_ages`` are the children and youth of the youth populations;
    ``parent_min_age`` is the age from which a member of the youth's family
    counts as one of its adults (parents) for ``vulnerable_youth``.
    """

    working_age: tuple[int, int] = (16, 64)
    education_ages: tuple[int, int] = (25, 64)
    youth_ages: tuple[int, int] = (12, 17)
    parent_min_age: int = 18


@dataclass(frozen=True)
class IncomeSpec:
    """Equivalence scale: 1 + adult_weight*(persons aged >= cutoff - 1) + child_weight*children."""

    unit: str = "household"
    child_age_cutoff: int = 15
    adult_weight: float = 0.5
    child_weight: float = 0.3


#: Deprivation weights of seed table B1.1 (methods.md §2); categories not named weigh 0.
DEFAULT_DEPRIVATION_WEIGHTS: dict[str, float] = {
    "employed": 0.0,
    "leave": 0.0,
    "unemployed_short": 0.0,
    "unemployed_long": 1.0,
    "social_assistance": 1.5,
    "missing": 1.5,
    "disability_pension_old": 0.5,
    "disability_pension_young": 2.5,
    "student": 0.0,
    "retired": 0.0,
    "other": 0.0,
    "danish": 0.0,
    "western": 1.0,
    "non_western": 1.5,
    "single_parent": 1.0,
    "convicted": 1.0,
}


@dataclass(frozen=True)
class DeprivationSpec:
    """Deprivation score (udsathedsindeks) for persons in ``ages``.

    ``disability_pension_old`` applies from ``disability_split_age`` on,
    ``disability_pension_young`` below it.
    """

    ages: tuple[int, int] = (18, 64)
    disability_split_age: int = 50
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_DEPRIVATION_WEIGHTS))


@dataclass(frozen=True)
class PanelSpec:
    """Minimum number of units with a non-missing outcome in every measurement year.

    ``balanced = false`` keeps departments that are not in the register in
    every measurement year (built or demolished during the period) for the
    years they are, when they have at least two (an unbalanced panel).
    """

    min_count: int = 20
    balanced: bool = True


@dataclass(frozen=True)
class AnalysisSpec:
    """One ``[[analysis]]`` block: a kind of analysis for a population and its outcomes.

    Attributes
    ----------
    kind : str
        A registered analysis id (``boligeval.analyses``).
    population : str
        One of the panel's populations.
    outcomes : tuple of str
        Built-in outcomes or extra numeric residents columns.
    options : mapping
        The kind's own settings (its ``options``), defaults filled in.
    """

    kind: str
    population: str = "working_age"
    outcomes: tuple[str, ...] = ("employed",)
    options: Mapping[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        """One of the kind's settings."""
        return self.options[name]

    @property
    def covariates(self) -> tuple[str, ...]:
        """Extra residents columns the block names as controls (empty if none)."""
        return tuple(self.options.get("covariates", ()))


@dataclass(frozen=True)
class SurveySpec:
    """Survey settings: the codebook to use (None = the shipped seed codebook)."""

    codebook: Path | None = None


@dataclass(frozen=True)
class CaseSpec:
    """The process evaluation's case material (docs/cases.md).

    ``publish_excerpts`` lets coded segments' excerpts into the report (with
    the source's role and round, never a name); ``select`` > 0 makes the
    tool pick that many case plans with maximal variation (``case_selection``).
    ``export`` reads the coded segments from a MAXQDA or NVivo export
    (``export_tool``) instead of ``case_codes``, with ``export_documents``
    (document -> case source) and ``export_codes`` (code path -> code) CSVs.
    """

    publish_excerpts: bool = False
    select: int = 0
    export: Path | None = None
    export_tool: str = "maxqda"
    export_documents: Path | None = None
    export_codes: Path | None = None


#: Seed of the demo and of every random draw unless the config names one. The
#: synthetic world is random, and at its seed an evaluation can point either way for
#: the income outcomes (the seed could not detect its income effects either): this is
#: the first seed from 20130601 up at which the demo's headline estimates (area-level
#: DiD of employment and income, seed tables 4.2-4.3, and the rent-support combined
#: effect, table 4.10) have the seed's signs, so the demo tells the seed's story. The
#: recovery tests, not the demo, show that the estimators are unbiased.
DEFAULT_SEED = 20130604


@dataclass(frozen=True)
class InferenceSpec:
    """Resampling settings; one seed drives every random draw of a run."""

    seed: int = DEFAULT_SEED
    bootstrap_draws: int = 999
    wild_bootstrap_draws: int = 9999
    permutations: int = 999
    alpha: float = 0.05
    power: float = 0.8


@dataclass(frozen=True)
class ReportSpec:
    """The report: its language (``da`` or ``en``) and, optionally, a Word template.

    ``docx_template`` is a ``.docx`` or ``.dotx`` file whose styles, page set-up,
    headers and footers ``report.docx`` takes (the institute's house style).
    """

    lang: str = "da"
    docx_template: Path | None = None


@dataclass(frozen=True)
class AreasSpec:
    """The official area classification (docs/areas.md).

    ``ruleset`` is a shipped ruleset's name (``current``) or the path of a
    ruleset TOML file; ``reference`` says where the national conviction share
    and the regional mean gross income come from: the ``reference`` table
    (``table``) or the residents themselves when they cover the whole
    country (``data``).
    """

    ruleset: str = "current"
    reference: str = "table"


def default_analyses() -> tuple[AnalysisSpec, ...]:
    """The seed's analyses (tables 4.2-4.12) plus the diagnostics it lacked.

    The set is data: ``boligeval/analyses/defaults.toml``.
    """
    from boligeval.analyses import default_blocks

    return tuple(_parse_analysis(block, i) for i, block in enumerate(default_blocks()))


@dataclass(frozen=True)
class EvaluationConfig:
    """A whole evaluation: data, design, derivations, analyses and outputs."""

    data: DataSpec = field(default_factory=DataSpec)
    design: DesignSpec = field(default_factory=DesignSpec)
    population: PopulationSpec = field(default_factory=PopulationSpec)
    income: IncomeSpec = field(default_factory=IncomeSpec)
    deprivation: DeprivationSpec = field(default_factory=DeprivationSpec)
    panel: PanelSpec = field(default_factory=PanelSpec)
    analysis: tuple[AnalysisSpec, ...] = field(default_factory=default_analyses)
    survey: SurveySpec = field(default_factory=SurveySpec)
    cases: CaseSpec = field(default_factory=CaseSpec)
    inference: InferenceSpec = field(default_factory=InferenceSpec)
    report: ReportSpec = field(default_factory=ReportSpec)
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)
    source: Path | None = None
    #: The raw ``[registers]`` table, parsed by :mod:`boligeval.registers.config`.
    registers: Mapping[str, Any] | None = None
    areas: AreasSpec = field(default_factory=AreasSpec)

    @property
    def measurement_years(self) -> tuple[int, ...]:
        """The measurement years, sorted; the first is the baseline."""
        return tuple(sorted(self.design.years))

    def requested(self, kind: str) -> tuple[AnalysisSpec, ...]:
        """The analysis blocks of one kind."""
        return tuple(a for a in self.analysis if a.kind == kind)


# ---------------------------------------------------------------------------
# parsing


def _suggest(key: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else f" Valid keys: {', '.join(valid)}."


def _check_keys(table: Mapping[str, Any], valid: Sequence[str], where: str) -> None:
    for key in table:
        if key not in valid:
            raise ConfigError(f"Unknown key '{key}' in [{where}].{_suggest(key, valid)}")


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be a whole number, got {value!r}.")
    return value


def _float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number, got {value!r}.")
    return float(value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}.")
    return value


def _str(value: Any, where: str, choices: Sequence[str] | None = None) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {value!r}.")
    if choices is not None and value not in choices:
        raise ConfigError(
            f"{where} = '{value}' is not allowed.{_suggest(value, choices)}".replace(
                "Valid keys", "Allowed values"
            )
        )
    return value


def _int_list(value: Any, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where} must be a non-empty list of years, got {value!r}.")
    return tuple(_int(v, where) for v in value)


def _band(value: Any, where: str) -> tuple[int, int]:
    band = _int_list(value, where)
    if len(band) != 2 or band[0] > band[1]:
        raise ConfigError(f"{where} must be [lowest, highest] age, got {value!r}.")
    return (band[0], band[1])


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of names, got {value!r}.")
    return tuple(value)


def _spec_keys(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def _parse_data(raw: Mapping[str, Any], base: Path) -> DataSpec:
    _check_keys(raw, ["dir", "rename", "csv"], "data")
    if "dir" not in raw:
        raise ConfigError("[data] needs dir = \"<folder with the input files>\".")
    directory = Path(_str(raw["dir"], "data.dir"))
    if not directory.is_absolute():
        directory = (base / directory).resolve()
    rename_raw = raw.get("rename", {})
    if not isinstance(rename_raw, dict):
        raise ConfigError("[data.rename] must be a table of tables, e.g. [data.rename.residents].")
    tables = (
        "plans", "departments", "department_plans", "residents", "prices",
        "respondents", "answers", "codebook", "dispatch",
    )
    rename: dict[str, dict[str, str]] = {}
    for table, mapping in rename_raw.items():
        if table not in tables:
            raise ConfigError(f"Unknown table '{table}' in [data.rename].{_suggest(table, tables)}")
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise ConfigError(
                f"[data.rename.{table}] must map file column names to contract names, "
                'e.g. PNR = "person_id".'
            )
        rename[table] = dict(mapping)
    csv_raw = raw.get("csv", {})
    if not isinstance(csv_raw, dict):
        raise ConfigError('[data.csv] must be a table, e.g. delimiter = ";".')
    csv = check_csv_options({str(k): v for k, v in csv_raw.items()})
    return DataSpec(dir=directory, rename=rename,
                    csv={k: v for k, v in csv.items() if k in csv_raw})


def _parse_design(raw: Mapping[str, Any]) -> DesignSpec:
    _check_keys(raw, _spec_keys(DesignSpec), "design")
    d = DesignSpec()
    years = _int_list(raw["years"], "design.years") if "years" in raw else d.years
    if len(set(years)) != len(years) or len(years) < 2:
        raise ConfigError("design.years needs at least two distinct measurement years.")
    cohorts: Mapping[str, tuple[int, ...]] | Literal["auto"] = d.cohorts
    if raw.get("cohorts") == "auto":
        cohorts = "auto"
    elif "cohorts" in raw:
        if not isinstance(raw["cohorts"], dict) or not raw["cohorts"]:
            raise ConfigError('design.cohorts must be a table like {g1 = [2006, 2007]} '
                              'or "auto" (one cohort per grant year).')
        cohorts = {
            str(k): _int_list(v, f"design.cohorts.{k}") for k, v in raw["cohorts"].items()
        }
        if "control" in cohorts:
            raise ConfigError("design.cohorts may not be called 'control' (the name is taken).")
        seen: dict[int, str] = {}
        for name, grant_years in cohorts.items():
            for y in grant_years:
                if y in seen:
                    raise ConfigError(
                        f"Grant year {y} is in two cohorts ('{seen[y]}' and '{name}')."
                    )
                seen[y] = name
    rounds: Mapping[str, tuple[int, ...]] = d.rent_support_rounds
    if "rent_support_rounds" in raw:
        if not isinstance(raw["rent_support_rounds"], dict):
            raise ConfigError("design.rent_support_rounds must be a table like {r2006 = [2006]}.")
        rounds = {
            str(k): _int_list(v, f"design.rent_support_rounds.{k}")
            for k, v in raw["rent_support_rounds"].items()
        }
    return DesignSpec(
        years=tuple(sorted(years)),
        cohorts=cohorts,
        rent_support_rounds=rounds,
        implementation_lag=_int(raw.get("implementation_lag", d.implementation_lag),
                                "design.implementation_lag"),
        price_base_year=_int(raw.get("price_base_year", d.price_base_year),
                             "design.price_base_year"),
        stop_at_end=_bool(raw.get("stop_at_end", d.stop_at_end), "design.stop_at_end"),
    )


def _parse_simple(cls: type, raw: Mapping[str, Any], where: str) -> Any:
    """Parse a flat table of ints, floats, bools, strings and age bands."""
    _check_keys(raw, _spec_keys(cls), where)
    default = cls()
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        current = getattr(default, f.name)
        key = f"{where}.{f.name}"
        value = raw[f.name]
        if isinstance(current, bool):
            values[f.name] = _bool(value, key)
        elif isinstance(current, int):
            values[f.name] = _int(value, key)
        elif isinstance(current, float):
            values[f.name] = _float(value, key)
        elif isinstance(current, tuple):
            values[f.name] = _band(value, key)
        elif isinstance(current, Path) or current is None:
            values[f.name] = Path(_str(value, key))
        else:
            values[f.name] = _str(value, key)
    return replace(default, **values)


def _parse_deprivation(raw: Mapping[str, Any]) -> DeprivationSpec:
    _check_keys(raw, _spec_keys(DeprivationSpec), "deprivation")
    d = DeprivationSpec()
    weights = dict(d.weights)
    raw_weights = raw.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise ConfigError("[deprivation.weights] must be a table of category = weight.")
    for key, value in raw_weights.items():
        if key not in weights:
            raise ConfigError(
                f"Unknown deprivation category '{key}'.{_suggest(key, list(weights))}"
            )
        weights[key] = _float(value, f"deprivation.weights.{key}")
    return DeprivationSpec(
        ages=_band(raw["ages"], "deprivation.ages") if "ages" in raw else d.ages,
        disability_split_age=_int(raw.get("disability_split_age", d.disability_split_age),
                                  "deprivation.disability_split_age"),
        weights=weights,
    )


def _parse_analysis(raw: Any, i: int) -> AnalysisSpec:
    from boligeval.analyses import configurable

    where = f"analysis #{i + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"[[analysis]] {where} must be a table.")
    kinds = configurable()
    if "kind" not in raw:
        raise ConfigError(f"{where} needs kind = one of {', '.join(kinds)}.")
    kind = _str(raw["kind"], f"{where}.kind", list(kinds))
    analysis = kinds[kind]
    where = f"{where} ({kind})"
    _check_keys(raw, ["kind", "population", "outcomes", *analysis.options], f"[analysis] {kind}")
    default = AnalysisSpec(kind=kind)
    population = _str(raw.get("population", default.population), f"{where}.population",
                      list(POPULATIONS))
    outcomes = _str_list(raw.get("outcomes", list(default.outcomes)), f"{where}.outcomes")
    if not outcomes:
        raise ConfigError(f"{where}.outcomes is empty.")
    options = {
        name: option.parse(raw[name], f"{where}.{name}") if name in raw else option.default
        for name, option in analysis.options.items()
    }
    spec = AnalysisSpec(kind=kind, population=population, outcomes=outcomes, options=options)
    analysis.check(spec, where)
    return spec


_SECTIONS = [
    "data", "design", "population", "income", "deprivation", "panel",
    "analysis", "survey", "inference", "report", "disclosure", "registers", "cases",
    "areas",
]


def parse_config(raw: Mapping[str, Any], *, base: Path | None = None,
                 source: Path | None = None) -> EvaluationConfig:
    """Validate a config given as a (TOML-shaped) mapping.

    Parameters
    ----------
    raw : mapping
        The parsed TOML document.
    base : Path, optional
        Folder that relative paths are relative to (the config file's folder).
    source : Path, optional
        The config file, kept for the run manifest.
    """
    base = base or Path.cwd()
    _check_keys(raw, _SECTIONS, "top level")
    for name in _SECTIONS:
        if name in raw and name != "analysis" and not isinstance(raw[name], dict):
            raise ConfigError(f"[{name}] must be a table.")
    if "data" not in raw:
        raise ConfigError('The config needs a [data] table with dir = "<folder>".')
    cfg = EvaluationConfig(
        data=_parse_data(raw["data"], base),
        design=_parse_design(raw.get("design", {})),
        population=_parse_simple(PopulationSpec, raw.get("population", {}), "population"),
        income=_parse_simple(IncomeSpec, raw.get("income", {}), "income"),
        deprivation=_parse_deprivation(raw.get("deprivation", {})),
        panel=_parse_simple(PanelSpec, raw.get("panel", {}), "panel"),
        survey=_parse_simple(SurveySpec, raw.get("survey", {}), "survey"),
        cases=_parse_simple(CaseSpec, raw.get("cases", {}), "cases"),
        inference=_parse_simple(InferenceSpec, raw.get("inference", {}), "inference"),
        report=_parse_simple(ReportSpec, raw.get("report", {}), "report"),
        disclosure=_parse_disclosure(raw.get("disclosure", {})),
        source=source,
        registers=raw.get("registers"),
        areas=_parse_areas(raw.get("areas", {}), base),
    )
    if "analysis" in raw:
        blocks = raw["analysis"]
        if not isinstance(blocks, list):
            raise ConfigError("Write analyses as [[analysis]] blocks.")
        cfg = replace(cfg, analysis=tuple(_parse_analysis(b, i) for i, b in enumerate(blocks)))
    template = cfg.report.docx_template
    if template is not None:
        template = template if template.is_absolute() else (base / template).resolve()
        if not template.is_file():
            raise ConfigError(f"report.docx_template {template} is not a file.")
        cfg = replace(cfg, report=replace(cfg.report, docx_template=template))
    cfg = replace(cfg, cases=_resolve_case_paths(cfg.cases, base))
    if cfg.survey.codebook is not None and not cfg.survey.codebook.is_absolute():
        cfg = replace(cfg, survey=SurveySpec(codebook=(base / cfg.survey.codebook).resolve()))
    _check_semantics(cfg)
    return cfg


def _parse_areas(raw: Mapping[str, Any], base: Path) -> AreasSpec:
    """``[areas]``: the ruleset (name or file, relative to the config) and the reference."""
    spec: AreasSpec = _parse_simple(AreasSpec, raw, "areas")
    if spec.reference not in ("table", "data"):
        raise ConfigError(f"areas.reference = '{spec.reference}' is not allowed; use 'table' "
                          "(the reference table) or 'data' (residents cover the whole country).")
    if spec.ruleset.endswith(".toml") and not Path(spec.ruleset).is_absolute():
        spec = replace(spec, ruleset=str((base / spec.ruleset).resolve()))
    return spec


def _resolve_case_paths(spec: CaseSpec, base: Path) -> CaseSpec:
    """``[cases]`` paths relative to the config's folder; an export needs both mappings."""
    paths = {name: getattr(spec, name) for name in ("export", "export_documents", "export_codes")}
    paths = {k: v if v is None or v.is_absolute() else (base / v).resolve()
             for k, v in paths.items()}
    if paths["export"] is not None and None in paths.values():
        raise ConfigError("cases.export needs cases.export_documents and cases.export_codes "
                          "(CSV files mapping documents to sources and code paths to codes).")
    if spec.export_tool not in ("maxqda", "nvivo"):
        raise ConfigError(f"cases.export_tool = '{spec.export_tool}' is not allowed; use one "
                          "of maxqda, nvivo.")
    if spec.select < 0:
        raise ConfigError(f"cases.select must be 0 or more, got {spec.select}.")
    return replace(spec, **paths)


def _parse_disclosure(raw: Mapping[str, Any]) -> DisclosureRules:
    """``[disclosure]``: a profile's thresholds, with the individual settings on top."""
    _check_keys(raw, _spec_keys(DisclosureRules), "disclosure")
    profile = _str(raw.get("profile", "strict"), "disclosure.profile", list(PROFILES))
    parsed = _parse_simple(DisclosureRules, {k: v for k, v in raw.items() if k != "profile"},
                           "disclosure")
    settings = {k: getattr(parsed, k) for k in raw if k != "profile"}
    return DisclosureRules.from_profile(profile, **settings)


#: Largest number of resampling draws: beyond it the draws cost memory and time and add
#: nothing to a p-value or a band.
MAX_DRAWS = 1_000_000


def _check_inference(inf: InferenceSpec) -> None:
    if not 0 < inf.alpha < 0.5:
        raise ConfigError(
            f"inference.alpha = {inf.alpha:g} is outside (0, 0.5); the significance level is "
            "a small probability such as 0.05."
        )
    if not inf.alpha < inf.power < 1:
        raise ConfigError(
            f"inference.power = {inf.power:g} must be a probability between alpha "
            f"({inf.alpha:g}) and 1, such as 0.8."
        )
    for name, low in (("bootstrap_draws", 2), ("wild_bootstrap_draws", 1), ("permutations", 1)):
        value = getattr(inf, name)
        if value < low:
            raise ConfigError(f"inference.{name} = {value} must be at least {low}; the default "
                              f"is {getattr(InferenceSpec(), name)}.")
        if value > MAX_DRAWS:
            raise ConfigError(
                f"inference.{name} = {value:,} is more than {MAX_DRAWS:,} draws: the draws alone "
                f"would need about {draws_memory(value) / 2**30:,.1f} GiB per estimated "
                f"quantity. Use {getattr(InferenceSpec(), name):,} (the default) or fewer than "
                f"{MAX_DRAWS:,}."
            )


def draws_memory(draws: int, columns: int = 1) -> float:
    """Bytes a draws x columns matrix of doubles takes (the resampling's largest array)."""
    return 8.0 * draws * max(columns, 1)


def _check_semantics(cfg: EvaluationConfig) -> None:
    if cfg.income.unit not in ("household", "family"):
        raise ConfigError("income.unit must be 'household' or 'family'.")
    if cfg.report.lang not in ("da", "en"):
        raise ConfigError(f"report.lang = '{cfg.report.lang}' is not allowed; use 'da' or 'en'.")
    if cfg.panel.min_count < 1:
        raise ConfigError("panel.min_count must be at least 1.")
    young, old = cfg.population.youth_ages
    if not 0 <= young <= old < cfg.population.parent_min_age:
        raise ConfigError(
            f"population.youth_ages = [{young}, {old}] must be two ages from 0 with the first "
            f"not above the second, both below population.parent_min_age "
            f"({cfg.population.parent_min_age}): a youth's parents are older than the youth."
        )
    _check_inference(cfg.inference)


def load_config(path: Path | str) -> EvaluationConfig:
    """Read and validate an evaluation config file (TOML)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Config file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start + 1} cannot be read; a file saved as "
            "Latin-1 or Windows-1252, as some editors do for æ, ø, å, looks like this). Save "
            "it as UTF-8 and run again."
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}.") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse_config(raw, base=path.parent.resolve(), source=path.resolve())


# ---------------------------------------------------------------------------
# writing


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return _toml_value(value.as_posix())
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else _toml_value(key)


def dump_config(cfg: EvaluationConfig, *, data_dir: Path | None = None) -> str:
    """Write a config as TOML that :func:`load_config` reads back to the same config."""
    lines: list[str] = ["# boligeval evaluation config", ""]
    lines += ["[data]", f"dir = {_toml_value(data_dir or cfg.data.dir)}", ""]
    if cfg.data.csv:
        lines.append("[data.csv]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in cfg.data.csv.items()]
        lines.append("")
    for table, mapping in cfg.data.rename.items():
        lines.append(f"[data.rename.{table}]")
        lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in mapping.items()]
        lines.append("")
    for name in ["design", "population", "income", "deprivation", "panel", "survey",
                 "cases", "inference", "report", "disclosure", "areas"]:
        spec = getattr(cfg, name)
        lines.append(f"[{name}]")
        nested: list[str] = []
        for f in fields(spec):
            value = getattr(spec, f.name)
            if value is None:
                continue
            if name == "deprivation" and f.name == "weights":
                nested += ["[deprivation.weights]"]
                nested += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
                continue
            lines.append(f"{f.name} = {_toml_value(value)}")
        lines += [""] + ([*nested, ""] if nested else [])
    for a in cfg.analysis:
        lines.append("[[analysis]]")
        lines.append(f"kind = {_toml_value(a.kind)}")
        lines.append(f"population = {_toml_value(a.population)}")
        lines.append(f"outcomes = {_toml_value(a.outcomes)}")
        lines += [f"{k} = {_toml_value(v)}" for k, v in a.options.items()]
        lines.append("")
    if cfg.registers is not None:
        lines += _dump_table("registers", cfg.registers)
    return "\n".join(lines)


def _dump_table(name: str, table: Mapping[str, Any]) -> list[str]:
    """A raw TOML table with its sub-tables, as written (used for [registers])."""
    plain = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    lines = [f"[{name}]", *(f"{_key(k)} = {_toml_value(v)}" for k, v in plain.items()), ""]
    for key, value in table.items():
        if isinstance(value, Mapping):
            lines += _dump_table(f"{name}.{_key(key)}", value)
    return lines


def as_dict(cfg: EvaluationConfig) -> dict[str, Any]:
    """The config as plain JSON-able data (for the run manifest)."""

    def convert(obj: Any) -> Any:
        if is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: convert(getattr(obj, f.name)) for f in fields(obj)}
        if isinstance(obj, Path):
            return obj.as_posix()
        if isinstance(obj, Mapping):
            return {str(k): convert(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [convert(v) for v in obj]
        return obj

    result = convert(cfg)
    assert isinstance(result, dict)
    return result
