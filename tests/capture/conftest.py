"""The capture tests' fixtures: a throw-away Dovecot (``dovecot``)."""

from tests.capture.dovecot import dovecot

__all__ = ["dovecot"]
