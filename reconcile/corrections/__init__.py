"""Corrections pushed back to the source systems: types, lifecycle (maker-checker), signed plans, safe push.

    svc = tieout.open_workspace(path)
    c = svc.corrections.propose(break_id)            # maker
    svc.corrections.approve(c["id"], user="checker") # a different user
    plan = svc.corrections.plan("2026-10", user="checker")
    svc.corrections.push(plan.hash)
"""

from tieout.reconcile.corrections.service import CorrectionService
from tieout.reconcile.corrections.types import CorrectionError, Policy

__all__ = ["CorrectionError", "CorrectionService", "Policy"]
