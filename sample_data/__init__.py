"""Deterministic sample data for tieout: Stripe billing + NetSuite ERP, Sep/Oct 2026.

Run ``python -m tieout.sample_data.generate --seed S --invoices N --out DIR``.
See ``sample_data/README.md`` for the file layout, conventions and break definitions.
"""
