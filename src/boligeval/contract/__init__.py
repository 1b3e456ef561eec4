"""Input contract: read the user's files into DuckDB and refuse bad input.

``load_inputs`` finds one file per table in a data directory (CSV, Parquet,
Stata, SAS, SPSS or Excel; the extension decides), applies the
``[data.rename]`` mapping, creates one DuckDB view per table with the
contract's column names and canonical types (ids VARCHAR, years INTEGER,
booleans BOOLEAN, amounts DOUBLE; extra columns kept) and checks every rule
of docs/input-contract.md with aggregate SQL, so residents never enter pandas.

Error behaviour: the first broken rule raises
:class:`boligeval.errors.ContractError` (tables are checked parents first:
plans, plan_costs, departments, residents, prices, codebook, respondents, answers,
dispatch; within a table in the order of the table below). The message
names the file, the column, the rule, the number of rows breaking it, up to
ten example row numbers (1-based data rows in file order, header not
counted; never id values) and how to fix it; the same parts are attributes
``file``, ``column``, ``rule``, ``n_rows`` and ``rows``.

Rule identifiers
----------------

==================  ==========================================================
rule                meaning
==================  ==========================================================
missing_file        a required table has no file (or the data dir is missing)
file_access         the file cannot be opened (permission denied, I/O error)
duplicate_file      a table comes in more than one file/format
unknown_table       a table name (in ``tables`` or ``rename``) is not in the contract
file_format         the file cannot be read in the format its extension names
duplicate_column    two columns have the same name (in the file, regardless of
                    case, or after renaming)
empty_table         the file has no data rows (a header alone)
required_column     a contract column is missing from the file
type                a value does not parse as the column's type (int, float, bool)
not_null            a required value is missing
allowed_values      a code is not in the column's list (sex, origin, actor, ...)
range               a value is out of range (birth_year, dwellings, shares, index;
                    amounts must be finite and below 1e10 DKK, plan amounts also
                    0 or more, numbers in extra columns finite and below 1e20)
unique              a key occurs more than once (plan_id, (person_id, year), ...)
foreign_key         a reference has no match (departments.plan_id in plans, ...)
scale_value         an answer is not a code of its item's scale
dispatch_sent       fewer questionnaires sent than respondents for wave/actor/plan
price_coverage      a residents year has no price index (only with ``need_prices``)
==================  ==========================================================

No message quotes a record: example rows are row numbers (for rule
``file_format`` of a CSV file, line numbers, the header being line 1), and
values are quoted only from code columns and only when they look like codes
(never an id, an amount or a whole line). Errors of DuckDB and the format
libraries are reported by kind, never by their own text. Running out of
memory or disk space raises :class:`boligeval.errors.ResourceError`.

Uniqueness keys: plans.plan_id, plan_costs.(plan_id, year), departments.department_id,
residents.(person_id, year), prices.year, respondents.respondent_id,
codebook.item_id, answers.(respondent_id, item_id) and
dispatch.(wave, actor, plan_id); the last two are the natural keys of "one
row per respondent and item" and of the ``dispatch_sent`` comparison.
"""

from boligeval.contract.labels import LABEL_CODES, label_to_code
from boligeval.contract.load import InputTables, TableInfo, find_files, load_inputs, read_table
from boligeval.contract.schemas import (
    ID_COLUMNS,
    SCALES,
    TABLE_SCHEMAS,
    Check,
    ColumnSpec,
    ForeignKey,
    TableSchema,
)

RULES: tuple[str, ...] = (
    "missing_file",
    "file_access",
    "duplicate_file",
    "unknown_table",
    "file_format",
    "duplicate_column",
    "empty_table",
    "required_column",
    "type",
    "not_null",
    "allowed_values",
    "range",
    "unique",
    "foreign_key",
    "scale_value",
    "dispatch_sent",
    "price_coverage",
    "spell_order",
    "spell_overlap",
    "first_plan",
)

__all__ = [
    "ID_COLUMNS",
    "LABEL_CODES",
    "RULES",
    "SCALES",
    "TABLE_SCHEMAS",
    "Check",
    "ColumnSpec",
    "ForeignKey",
    "InputTables",
    "TableInfo",
    "TableSchema",
    "find_files",
    "label_to_code",
    "load_inputs",
    "read_table",
]
