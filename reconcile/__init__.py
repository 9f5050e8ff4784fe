"""Reconciliation: rules, the polars matching engine, breaks and the service the CLI and app use.

    from tieout import reconcile
    svc = reconcile.open_workspace("close-2026-10")
    svc.match("2026-10")
    svc.breaks("2026-10")   # a polars DataFrame
"""

from tieout.reconcile.rules import Ruleset, RulesetError, load_ruleset
from tieout.reconcile.service import BreakDetail, MatchSummary, NotFound, RecordView, Service, open_workspace

__all__ = ["BreakDetail", "MatchSummary", "NotFound", "RecordView", "Ruleset", "RulesetError", "Service",
           "load_ruleset", "open_workspace"]
