"""Stripe: mapping of API objects to canonical rows, and the HTTP connector."""
