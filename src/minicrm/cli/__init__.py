"""The command line: a thin Typer layer over the services (and a fast path for hot reads)."""
