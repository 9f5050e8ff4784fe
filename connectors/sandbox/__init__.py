"""Local HTTP servers that imitate Stripe and NetSuite over a sample_data folder.

``with serve_stripe(data_dir, secret="sk_test_x") as url: ...`` runs a server
on a free 127.0.0.1 port in a background thread; ``faults`` switches on
429 / 500 / slow / malformed / dropped responses (see :mod:`.faults`).
"""

from tieout.connectors.sandbox.faults import FAULT_KINDS, Faults
from tieout.connectors.sandbox.netsuite import NetSuiteSandbox, serve_netsuite
from tieout.connectors.sandbox.stripe import StripeSandbox, serve_stripe

__all__ = ["FAULT_KINDS", "Faults", "NetSuiteSandbox", "StripeSandbox", "serve_netsuite", "serve_stripe"]
