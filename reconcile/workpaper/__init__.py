"""Workpaper export: the auditor's Excel workbook and the analyst's CSV/Parquet files.

``export_workbook(svc, "2026-10", path)`` and ``export_files(svc, "2026-10", folder, "csv")``
read the period through the service (see :mod:`reconcile.workpaper.data`),
write atomically (a failed export leaves no partial file) and record an audit
event after writing, so the file shows the audit chain as it stood when
exported.
"""

from __future__ import annotations

import os
from pathlib import Path

from tieout.storage.errors import describe_os_error
from tieout.reconcile.workpaper.data import WorkpaperData, WorkpaperSource, collect
from tieout.reconcile.workpaper.errors import ExportError
from tieout.reconcile.workpaper.files import FileFormat, write_tables
from tieout.reconcile.workpaper.tables import build_tables
from tieout.reconcile.workpaper.workbook import WorkbookInfo, write_workbook
from tieout.storage.errors import PeriodError
from tieout.storage.vocabulary import check_period

__all__ = ["ExportError", "FileFormat", "WorkbookInfo", "WorkpaperData", "collect", "export_files", "export_workbook",
           "write_tables", "write_workbook"]


def _check(svc: WorkpaperSource, period: str, entity: str | None) -> None:
    try:
        check_period(period)
    except PeriodError as exc:
        raise ExportError(str(exc)) from None
    if entity is not None and entity not in svc.entities:
        known = ", ".join(svc.entities) or "none configured"
        raise ExportError(f"entity {entity!r}: not in this workspace (entities: {known})")
    if svc.last_run(period, entity) is None and svc.last_run(period) is None:
        scope = f"{period} ({entity})" if entity else period
        raise ExportError(f"period {scope} has no match run, so there is nothing to tie out; "
                          f"run `tieout match --period {period}` first")


def export_workbook(svc: WorkpaperSource, period: str, path: Path, *, entity: str | None = None,
                    user: str | None = None, **options: int) -> WorkbookInfo:
    """Write the workpaper of ``period`` to ``path`` and record a ``workpaper.export`` audit event."""
    path = Path(path)
    _check(svc, period, entity)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"{path}: the workpaper is an Excel file, give a name ending in .xlsx")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder {path.parent} does not exist")
    data = collect(svc, period, entity)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        info = write_workbook(data, tmp, **options)
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a file size limit, a folder gone read-only
        raise ExportError(f"{path}: cannot write the workpaper: {describe_os_error(exc)}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    _record_export(svc, period, {"period": period, "entity": entity, "format": "xlsx", "file": path.name,
                               "sheets": len(info.sheets), "audit_head": data.audit_head}, user=user)
    return WorkbookInfo(path, info.sheets, info.split)


def export_files(svc: WorkpaperSource, period: str, out_dir: Path, fmt: FileFormat | str, *,
                 entity: str | None = None, user: str | None = None) -> list[Path]:
    """Write one CSV or Parquet file per workpaper table into ``out_dir``."""
    try:
        fmt = FileFormat(fmt)
    except ValueError:
        raise ExportError(f"format {fmt!r}: expected csv or parquet") from None
    _check(svc, period, entity)
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder (csv/parquet export writes one file per table)")
    data = collect(svc, period, entity)
    written = write_tables(build_tables(data).all(), Path(out_dir), fmt)
    _record_export(svc, period, {"period": period, "entity": entity, "format": fmt.value,
                               "files": [p.name for p in written], "audit_head": data.audit_head}, user=user)
    return written


def _record_export(svc: WorkpaperSource, period: str, details: dict[str, object], *, user: str | None) -> None:
    """Record the export, unless the workspace is read-only: reading it is allowed, and the workpaper
    names the audit head it was made from (the caller tells the user it is not in the log)."""
    if not svc.ws.read_only:
        svc.record_export(period, details, user=user)
