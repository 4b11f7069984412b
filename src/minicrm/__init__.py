"""minicrm: a terminal-first CRM for small businesses."""

__version__ = "0.1.0"
