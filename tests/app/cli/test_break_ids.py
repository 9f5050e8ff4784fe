"""Break ids: the full id everywhere, and any unique prefix of 8+ characters accepted, as git does."""

from __future__ import annotations

import json

from sqlalchemy import text

from tieout.reconcile.service import Service

PERIOD = "2026-10"


def test_prefix_of_16_and_8_characters_works_in_show_and_set(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    full = svc.breaks(PERIOD, kind="amount_mismatch")["id"][0]
    assert len(full) == 20
    shown = tieout("break", "show", full[:16], "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["brk"]["id"] == full
    done = tieout("break", "set", full[:8].upper(), "--status", "investigating")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"{full}: investigating"
    assert svc.breaks(PERIOD, status="investigating")["id"].to_list() == [full]


def test_listing_shows_full_ids(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    ids = set(svc.breaks(PERIOD, status="open")["id"])
    listed = tieout("breaks", "-p", PERIOD, "--status", "open")
    assert listed.exit_code == 0
    assert ids <= {word.strip("│ ") for line in listed.stdout.splitlines() for word in line.split("│")}


def test_short_unknown_and_ambiguous_ids_are_refused(svc: Service, tieout) -> None:  # type: ignore[no-untyped-def]
    full = svc.breaks(PERIOD)["id"][0]
    short = tieout("break", "show", full[:7])
    assert short.exit_code == 1 and "at least 8" in short.output and "Traceback" not in short.output
    unknown = tieout("break", "show", "ffffffffffff0000")
    assert unknown.exit_code == 1 and "no such break" in unknown.output
    with svc.ws.session() as s:  # two breaks sharing their first 12 characters
        for twin in ("abcdef012345aaaaaaaa", "abcdef012345bbbbbbbb"):
            s.execute(text(
                'INSERT INTO "break" (id, domain, object_type, kind, status, period, entity, currency, amount, '
                "billing_ids, erp_ids, details, opened_at, updated_at) VALUES (:id, 'invoice', 'invoice', "
                "'missing_in_erp', 'open', '2026-10', 'US', 'USD', 1, '[]', '[]', '{}', 't', 't')"), {"id": twin})
    ambiguous = tieout("break", "set", "abcdef012345", "--status", "investigating")
    assert ambiguous.exit_code == 1 and "ambiguous" in ambiguous.output
    assert "abcdef012345aaaaaaaa" in ambiguous.output and "abcdef012345bbbbbbbb" in ambiguous.output
    assert tieout("break", "show", "abcdef012345b", "-f", "json").exit_code == 0


def test_the_queue_shows_the_whole_id(svc: Service) -> None:
    """The review app's id column is as wide as an id, so an id copied from it works in the CLI as is."""
    from tieout.app.tui.widgets.break_table import COLUMNS

    width = {column: w for column, _, w in COLUMNS}["id"]
    assert {len(i) for i in svc.breaks(PERIOD)["id"]} == {width}
