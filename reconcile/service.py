"""The one object the CLI, the app, the workpaper and analysts use: ``tieout.open_workspace(path)``.

It is the three services of a workspace in one: :class:`CloseWork` (sync,
then match), :class:`ReviewActions` (status, notes, manual matches) and
:class:`Queries` (breaks, matches, summary ...).  Each can be used alone; the
app and the workpaper are typed against the protocols in
:mod:`tieout.reconcile.protocols`, not against this class.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tieout.reconcile.close import CloseWork, MatchSummary
from tieout.reconcile.domains import RecordView
from tieout.reconcile.queries import BreakDetail, Queries
from tieout.reconcile.review import ReviewActions
from tieout.storage.errors import NotFound, ServiceError
from tieout.storage.workspace import Workspace
from tieout.storage.workspace import open_workspace as _open_storage

if TYPE_CHECKING:  # imported on first use: the corrections stack is not needed to read breaks
    from tieout.reconcile.corrections import CorrectionService

__all__ = ["BreakDetail", "CloseWork", "MatchSummary", "NotFound", "Queries", "RecordView", "ReviewActions",
           "Service", "ServiceError", "open_workspace"]


class Service(CloseWork, ReviewActions, Queries):
    """Close work, review actions and read queries over one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def user(self) -> str:
        """Who acts when a call names no user (TIEOUT_USER, else the OS user)."""
        return self.ws.user

    def record_export(self, period: str, details: dict[str, Any], *, user: str | None = None) -> None:
        """The audit event of a workpaper export (what was written, and the chain head it quotes)."""
        self.ws.audit("workpaper.export", object_type="period", object_id=period, user=user, details=details)

    @cached_property
    def corrections(self) -> CorrectionService:
        """Corrections of this workspace: propose, approve, reject, plan, push (its own service object)."""
        from tieout.reconcile.corrections import CorrectionService

        return CorrectionService(self.ws, self.break_detail)


def open_workspace(path: str | os.PathLike[str] | None = None) -> Service:
    """Open a workspace for reconciliation: ``tieout.open_workspace("close-2026-10").breaks("2026-10")``."""
    return Service(_open_storage(path))
