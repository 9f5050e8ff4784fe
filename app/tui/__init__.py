"""The review app: a Textual front end over :mod:`reconcile.service`.

Screens and widgets never run SQL; they call the service from workers and
receive typed messages (:mod:`app.tui.messages`).  The polars logic behind the
break queue and the dashboard lives in plain modules (``queue_frame``,
``dashboard_model``) so it is testable without a terminal.
"""
