"""Companies (accounts)."""
