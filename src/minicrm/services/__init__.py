"""The service layer: typed use cases over the store.

Each use case takes a ``Context`` (database, clock, config, acting user) and DTOs, runs every
write in one transaction recorded in the change log, returns DTOs (never rows), and raises only
the ``minicrm.core.errors`` family. It imports no interface library (typer, rich, textual).
"""
