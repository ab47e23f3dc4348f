"""Level 4: the service watches itself.

Prometheus metrics of the API, a log of every prediction, a drift check of the logged inputs
against the training data (``make monitor``), and model reload without downtime when the
registry's aliases move.
"""
