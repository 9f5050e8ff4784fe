"""Reading a written workbook back the way a reviewer would: rows by header, the Summary recomputed."""

from __future__ import annotations


def rows(ws) -> list[dict]:
    """A sheet's data rows as dicts keyed by its header row."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def evaluate_summary(book) -> dict[tuple[str, ...], float]:
    """Recompute the Summary's SUMIFS and cell arithmetic in Python (openpyxl does not compute).

    Keys: (domain, currency, line) for every domain, and (currency, line) for the invoice domain.
    """
    details: dict[str, list[dict]] = {}
    values: dict[str, float] = {}
    summary = book["Summary"]
    for row in summary.iter_rows(min_row=5):
        currency, label, cell = row[1].value, row[2].value, row[4]
        value = cell.value
        if isinstance(value, str) and value.startswith("=SUMIFS"):
            kind = label.split(": ")[1]
            sheet = value.split("'")[1]
            detail = details.setdefault(sheet, rows(book[sheet]))
            value = sum(r["difference"] or 0 for r in detail if r["kind"] == kind and r["currency"] == currency)
        elif isinstance(value, str) and value.startswith("=SUM("):
            first, last = (int(x[1:]) for x in value[5:-1].split(":"))
            value = sum(values[f"E{i}"] for i in range(first, last + 1))
        elif isinstance(value, str):
            left, right = value[1:].split("-")
            value = values[left] - values[right]
        values[cell.coordinate] = value
    result: dict[tuple[str, ...], float] = {}
    for row in summary.iter_rows(min_row=5):
        domain, currency, label = row[0].value, row[1].value, row[2].value
        result[(domain, currency, label)] = values[row[4].coordinate]
        if domain == "invoice":
            result[(currency, label)] = values[row[4].coordinate]
    return result
