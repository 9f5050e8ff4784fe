"""Connectors: pull source systems (Stripe, NetSuite, CSV/XLSX) into canonical records.

Each system has a ``mapping`` module (pure payload -> :class:`storage.ingest.Record`
functions registered in :mod:`connectors.registry`) and a connector class
(``check``, ``pull``, ``push``).  :mod:`connectors.sync` drives a sync;
:mod:`connectors.sandbox` serves local imitations of each vendor API.
"""
