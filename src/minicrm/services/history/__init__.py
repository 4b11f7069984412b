"""The change log and what reads or reverts it: history, versions (no silent overwrites), undo,
restorers, the timeline."""
