"""Follow-ups: writes, reads, recurrence, cadence, ``next`` and the run log."""
