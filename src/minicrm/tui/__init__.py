"""The full-screen Textual app (``minicrm tui``)."""
