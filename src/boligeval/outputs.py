"""Output folders, run locks and private scratch: nothing overwritten, mixed or left behind.

Three guarantees, for every command that writes (``run``, ``demo``,
``panel``, ``synth``, ``registers``):

* **Output folders are replaced whole, atomically.** A command writes into a
  temporary sibling of ``--out`` (``.NAME.boligeval-tmp-PID``) and moves it
  into place when everything is written. ``--out`` must be new, empty, or a
  previous boligeval output (recognised by its ``manifest.json``), which is
  replaced only with ``--overwrite``. It may never be a data folder or hold
  one. An interrupted run leaves the previous output as it was.
* **One run per folder.** A lock file beside the folder
  (``.NAME.boligeval-lock``, holding the pid) refuses a second run into it;
  the lock of a run that died is taken over.
* **Scratch cannot outlive the run.** Converted copies of the inputs and
  DuckDB's spill files live in one folder per run
  (``boligeval-scratch-<pid>-<random suffix>`` in the system temp folder, or in
  ``BOLIGEVAL_SCRATCH``), created private (0700) and removed on every exit
  path Python sees; a run killed with SIGKILL leaves it, and the next run
  removes the scratch of every dead run and says so.

The same module checks the environment variables boligeval reads
(``BOLIGEVAL_MEMORY_LIMIT``, ``BOLIGEVAL_SCRATCH``) and opens the DuckDB
connection that spills into a run's scratch folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import duckdb

from boligeval.errors import BoligevalWarning, ConfigError, ReportError

__all__ = [
    "MANIFEST",
    "OutputFolder",
    "ScratchWarning",
    "check_environment",
    "check_out_dir",
    "connect",
    "is_boligeval_output",
    "memory_limit",
    "output_folder",
    "previous_manifest",
    "scratch_folder",
]

MANIFEST = "manifest.json"
_SCRATCH_PREFIX = "boligeval-scratch-"
_TMP_TAG = ".boligeval-tmp-"
_OLD_TAG = ".boligeval-old-"
_LOCK_TAG = ".boligeval-lock"


class ScratchWarning(BoligevalWarning):
    """Scratch of an earlier run that died (killed) was found and removed."""


# --------------------------------------------------------------------------- processes


def _alive(pid: int) -> bool:
    """Whether a process with this pid exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _pid_after(name: str, tag: str) -> int | None:
    """The pid at the start of what follows ``tag`` in ``name`` (None if absent)."""
    _, sep, rest = name.partition(tag)
    digits = rest.split("-", 1)[0]
    return int(digits) if sep and digits.isdigit() else None


# --------------------------------------------------------------------------- output folders


def is_boligeval_output(folder: Path) -> bool:
    """Whether ``folder`` holds a previous boligeval output (its manifest names boligeval)."""
    return previous_manifest(folder) is not None


def previous_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a previous boligeval output in ``folder``, or None."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("boligeval"), dict):
        return None
    if "boligeval" not in data["boligeval"] or "outputs" not in data:
        return None
    return data


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out_dir: Path, *, overwrite: bool, data_dirs: Sequence[Path] = (),
                  option: str = "--out") -> Path:
    """Refuse an output folder that is not safe to write; return it resolved.

    Parameters
    ----------
    out_dir : Path
        The requested output folder.
    overwrite : bool
        Whether a previous boligeval output may be replaced.
    data_dirs : sequence of Path
        Input folders: ``out_dir`` may be none of them and hold none of them.
    option : str
        How the folder is named in messages.

    Raises
    ------
    ConfigError
        When the folder is a file, a data folder or holds one, is not empty
        and not a boligeval output, is an output and ``overwrite`` is off, or
        its parent cannot be written.
    """
    out = Path(os.path.abspath(out_dir))
    with contextlib.suppress(OSError):
        out = out.resolve()
    for data in data_dirs:
        data_abs = Path(os.path.abspath(data))
        with contextlib.suppress(OSError):
            data_abs = data_abs.resolve()
        if _inside(data_abs, out):
            what = "is" if data_abs == out else "holds"
            raise ConfigError(
                f"{option} {out_dir} {what} the data folder {data}: outputs would mix with "
                "the inputs. Choose a new folder for the outputs."
            )
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{option} {out_dir} is a file, not a folder. Choose a folder.")
    if out.is_dir() and any(out.iterdir()):
        if not is_boligeval_output(out):
            raise ConfigError(
                f"{option} {out_dir} is not empty and holds no boligeval output (no "
                f"{MANIFEST} of an earlier run): its files could be overwritten or mixed with "
                "this run's. Choose a new or empty folder."
            )
        if not overwrite:
            raise ConfigError(
                f"{option} {out_dir} holds an earlier boligeval output. Add --overwrite to "
                "replace it whole, or choose a new folder."
            )
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{option} {out_dir}: the folder {parent} cannot be written (permission denied). "
            "Choose a folder you can write to."
        )
    return out


def _clean_stale_siblings(out: Path) -> None:
    """Remove staging folders of dead runs beside ``out``; restore an output a dead run moved."""
    parent = out.parent
    if not parent.is_dir():
        return
    for tag in (_TMP_TAG, _OLD_TAG):
        for path in parent.glob(f".{out.name}{tag}*"):
            pid = _pid_after(path.name, tag)
            if pid is None or _alive(pid):
                continue
            if tag == _OLD_TAG and not out.exists():
                path.rename(out)  # killed between the two renames: put the old output back
            else:
                shutil.rmtree(path, ignore_errors=True)


@dataclass
class OutputFolder:
    """A staging folder that becomes ``final`` on :meth:`commit`.

    Attributes
    ----------
    final : Path
        Where the output will be.
    stage : Path
        Where it is written meanwhile (a hidden sibling of ``final``).
    previous : dict or None
        The manifest of the output being replaced, if any.
    """

    final: Path
    stage: Path
    previous: dict[str, Any] | None = None
    committed: bool = False

    def commit(self) -> None:
        """Move the staged output into place, replacing an earlier one whole."""
        old = None
        if self.final.exists():
            old = self.final.with_name(f".{self.final.name}{_OLD_TAG}{os.getpid()}")
            self.final.rename(old)
        self.stage.rename(self.final)
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def relocate(self, text: str) -> str:
        """Replace the staging path by the final one in ``text`` (paths written in files)."""
        return text.replace(str(self.stage), str(self.final))


class _Lock:
    def __init__(self, path: Path, out_dir: Path) -> None:
        self.path, self.out_dir = path, out_dir
        self.held = False

    def acquire(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                try:
                    pid = int(self.path.read_text(encoding="ascii").strip() or "0")
                except (OSError, ValueError):
                    pid = 0
                if _alive(pid) and pid != os.getpid():
                    raise ConfigError(
                        f"Another boligeval run (pid {pid}) is writing to {self.out_dir}. Wait "
                        "for it to finish or choose another --out."
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()  # the lock of a run that died
                continue
            except OSError as exc:
                raise ConfigError(
                    f"--out {self.out_dir}: cannot write beside it ({exc.strerror})."
                ) from None
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
            self.held = True
            return
        raise ConfigError(f"Cannot lock {self.out_dir}; try again.")

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.held = False


@contextlib.contextmanager
def output_folder(out_dir: Path, *, overwrite: bool = False,
                  data_dirs: Sequence[Path] = ()) -> Iterator[OutputFolder]:
    """Check, lock and stage an output folder; commit it when the block ends without error.

    The block writes into ``folder.stage``; on success the stage replaces
    ``out_dir`` (call :meth:`OutputFolder.commit` earlier to do it inside the
    block). On any error or interruption the stage is removed and
    ``out_dir`` is left as it was.

    Parameters
    ----------
    out_dir : Path
        The output folder asked for.
    overwrite : bool
        Whether a previous boligeval output may be replaced.
    data_dirs : sequence of Path
        Input folders the output may not be or hold.
    """
    final = check_out_dir(out_dir, overwrite=overwrite, data_dirs=data_dirs)
    final.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(final.with_name(f".{final.name}{_LOCK_TAG}"), out_dir)
    lock.acquire()
    try:
        _clean_stale_siblings(final)
        # A second check under the lock: the folder may have changed meanwhile.
        final = check_out_dir(out_dir, overwrite=overwrite, data_dirs=data_dirs)
        previous = previous_manifest(final) if final.is_dir() else None
        stage = final.with_name(f".{final.name}{_TMP_TAG}{os.getpid()}")
        shutil.rmtree(stage, ignore_errors=True)
        try:
            stage.mkdir()
        except OSError as exc:
            raise ReportError(f"Cannot create the output folder beside {out_dir}: "
                              f"{exc.strerror}.") from None
        folder = OutputFolder(final=final, stage=stage, previous=previous)
        with _terminate_as_exit():
            try:
                yield folder
                if not folder.committed:
                    folder.commit()
            finally:
                if not folder.committed:
                    shutil.rmtree(stage, ignore_errors=True)
    finally:
        lock.release()


# --------------------------------------------------------------------------- scratch


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM (and SIGHUP) into SystemExit, so cleanup runs (main thread only)."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    installed: list[tuple[signal.Signals, Any]] = []
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                installed.append((sig, signal.signal(sig, handler)))
            except (ValueError, OSError):  # not the main thread
                break
        yield
    finally:
        for signum, previous in installed:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, previous)


def _scratch_base() -> Path:
    base = os.environ.get("BOLIGEVAL_SCRATCH")
    if base:
        path = Path(base)
        if not path.is_dir():
            raise ConfigError(f"BOLIGEVAL_SCRATCH={base} is not an existing folder.")
        return path
    return Path(tempfile.gettempdir())


def remove_stale_scratch(base: Path) -> int:
    """Remove the scratch folders of runs that are no longer alive; return how many."""
    removed = 0
    uid = os.getuid() if hasattr(os, "getuid") else None
    for path in base.glob(f"{_SCRATCH_PREFIX}*"):
        pid = _pid_after(path.name, _SCRATCH_PREFIX)
        if pid is None or _alive(pid):
            continue
        try:
            if uid is not None and path.stat().st_uid != uid:
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A private (0700) scratch folder for one run, removed when the block ends.

    Before creating it, the scratch folders of dead runs are removed (with a
    :class:`ScratchWarning` saying how many), so microdata a killed run left
    do not outlive the next run's start.
    """
    base = _scratch_base()
    removed = remove_stale_scratch(base)
    if removed:
        warnings.warn(
            f"removed the scratch folder(s) of {removed} earlier run(s) that ended without "
            f"cleaning up (killed) from {base}",
            ScratchWarning, stacklevel=3,
        )
    try:
        path = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=base))
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ConfigError(
                f"Cannot create a scratch folder in {base} (permission denied); set "
                "BOLIGEVAL_SCRATCH to a private folder you can write to."
            ) from None
        raise
    os.chmod(path, 0o700)
    try:
        with _terminate_as_exit():
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- environment, database


_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\s*", re.IGNORECASE)
_UNIT_BYTES = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
               "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def memory_limit() -> tuple[str, float] | None:
    """``BOLIGEVAL_MEMORY_LIMIT`` checked: (DuckDB setting, bytes), or None when unset.

    Only a number with an optional unit (B, KB, MB, GB, TB, KiB, MiB, GiB,
    TiB) is accepted; nothing else from the variable reaches DuckDB.

    Raises
    ------
    ConfigError
        When the value is not such a size or is 0.
    """
    text = os.environ.get("BOLIGEVAL_MEMORY_LIMIT")
    if text is None or not text.strip():
        return None
    match = _MEMORY.fullmatch(text)
    if match is None:
        raise ConfigError(
            "BOLIGEVAL_MEMORY_LIMIT must be a size such as 4GB or 500MB (a number and one of "
            "the units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB); the value set is not."
        )
    unit = (match.group(2) or "B").upper()
    size = float(match.group(1)) * _UNIT_BYTES[unit]
    if size <= 0:
        raise ConfigError("BOLIGEVAL_MEMORY_LIMIT must be more than 0; set for example 4GB.")
    return f"{match.group(1)}{unit.replace('IB', 'iB')}", size


def check_environment() -> None:
    """Check the environment variables boligeval reads, before any long work."""
    memory_limit()
    scratch = os.environ.get("BOLIGEVAL_SCRATCH")
    if scratch and not Path(scratch).is_dir():
        raise ConfigError("BOLIGEVAL_SCRATCH must name an existing folder.")


def connect(scratch: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose spill files live in the run's scratch folder."""
    # An in-memory database that spills to the scratch folder when a table, join or
    # aggregation does not fit in the memory limit: out of core without paying for
    # writing every intermediate table to a database file.
    con = duckdb.connect()
    spill = scratch / "spill"
    spill.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    memory = memory_limit()
    if memory is not None:
        con.execute(f"SET memory_limit = '{memory[0]}'")  # checked: a number and a unit
    else:
        # Keep up to 1 GB of freed buffer blocks for reuse rather than handing them back
        # to the OS and faulting them in again (it is released with the connection).
        with contextlib.suppress(duckdb.CatalogException):  # a DuckDB without the setting
            con.execute("SET block_allocator_memory = '1GB'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    return con
