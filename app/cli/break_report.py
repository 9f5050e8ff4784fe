"""`tieout break show` for people: one break as lines and tables, every amount formatted.

Everything printed here is data, so it is built from :class:`rich.text.Text`
(never parsed as markup): a status, note or field that holds ``[bold]`` is
shown as written.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tieout.reconcile.domains.payout import proof_line
from tieout.reconcile.service import BreakDetail, RecordView
from tieout.storage.money import format_field


def break_report(detail: BreakDetail, *, raw: bool = False) -> list[RenderableType]:
    """The break's header, its details, one table per record (with its raw payload if ``raw``), its history."""
    b = detail.brk
    cur = b["currency"]
    out: list[RenderableType] = [
        Text.assemble((b["id"], "bold"), "  ", b["kind"], "  status: ", (b["status"], "bold"),
                      f"  at stake {format_field('amount', b['amount'], cur, code=True)}"),
        Text(f"{b['domain']}/{b['object_type']}  period {b['period']}  entity {b['entity'] or '-'}  "
             f"rule {b['rule'] or '-'}  assignee {b['assignee'] or '-'}  reason {b['reason'] or '-'}  "
             f"note {b['note'] or '-'}"),
    ]
    for name, values in (b.get("details") or {}).items():
        if name == "proof":  # a payout: gross − refunds − disputes − fees ± adjustments = net = deposit
            out.append(Text(f"proof: {proof_line(values, cur)}"))
        else:
            out.append(Text(f"{name}: {_sides(name, values, cur)}"))
    for side, views in (("billing", detail.billing), ("ERP", detail.erp)):
        for view in views:
            out.append(_record_table(side, view))
            if raw:
                out.append(Text(f"raw payload of {side} {view.external_id}:"))
                out.append(Text(json.dumps(view.raw_payload, indent=2, sort_keys=True, default=str)))
    if detail.events:
        out.append(Text("history:"))
    for e in detail.events:
        change = f"{e['from_status'] or ''} -> {e['to_status'] or ''}" if e["to_status"] else ""
        parts = [e["at"], e["user"], e["action"], change, e["reason"], e["note"],
                 f"assignee {e['assignee']}" if e["assignee"] else None]
        out.append(Text("  ".join(p for p in parts if p)))
    return out


def _sides(name: str, values: Any, currency: str | None) -> str:
    """A details entry ``[billing value, ERP value]`` (amounts formatted) as ``billing X, ERP Y``."""
    if isinstance(values, list) and len(values) == 2:
        billing, erp = (format_field(name, v, currency, code=True) for v in values)
        return f"billing {billing}, ERP {erp}"
    return json.dumps(values, default=str)


def _record_table(side: str, view: RecordView) -> Table:
    lin = view.lineage
    table = Table(title=Text(f"{side}: {view.table} {view.external_id}  (source {lin['source']}, "
                             f"sync run {lin['sync_run_id']}, payload v{lin['version']})"))
    table.add_column("field")
    table.add_column("value")
    currency = view.fields.get("currency")
    for name, value in view.fields.items():
        table.add_row(Text(name), Text(format_field(name, value, currency, code=True)))
    return table
