"""A vdir (one vCard or iCalendar object per file, as khard, todoman and vdirsyncer use it) kept
in step with an export.

Exporting again must not make a sync tool re-upload every card, nor leave behind the card of a
contact deleted since: a card is rewritten only when its text changed (vdirsyncer's filesystem
storage uses the file's mtime as its etag), and a ``.vcf`` (or ``.ics``) that minicrm wrote before
(its PRODID says so) but that this export no longer holds is removed. Cards written by other software are
never touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from minicrm.core.errors import InvalidInput
from minicrm.exchange.private import create_private, private_dir
from minicrm.exchange.record import PRODID

__all__ = ["VdirSync", "card_file_name", "sync_vdir"]

#: the PRODID line near the top of every vCard (after VERSION) and iCalendar file minicrm writes
_OUR_MARK = f"\r\nPRODID:{PRODID}\r\n".encode("ascii")


@dataclass(frozen=True, slots=True)
class VdirSync:
    """What an export did to the directory."""

    exported: int  # cards in the export
    written: int  # new or changed files
    removed: int  # stale minicrm cards deleted


def sync_vdir(directory: Path, cards: Iterable[tuple[str, str]], *, suffix: str = ".vcf") -> VdirSync:
    """Write ``(file name, text)`` pairs into ``directory`` and remove minicrm's stale files of
    that ``suffix``. Each file is replaced atomically, so a reader never sees half a card."""
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} exists and is not a directory")
    private_dir(directory)
    names: set[str] = set()
    written = 0
    for name, text in cards:
        names.add(name)
        data = text.encode("utf-8")
        target = directory / name
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass  # not there yet (or unreadable): write it
        partial = directory / f".{name}.partial"
        with create_private(partial, binary=True) as fh:  # a card is personal data: 0600
            fh.write(data)
        os.replace(partial, target)
        written += 1
    removed = 0
    for path in directory.iterdir():
        if path.name in names or path.suffix.lower() != suffix or not path.is_file():
            continue
        if _written_by_us(path):
            path.unlink()
            removed += 1
    return VdirSync(len(names), written, removed)


def _written_by_us(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    return _OUR_MARK in head


#: the longest UID kept whole in a file name (file names have at most 255 bytes)
_NAME_MAX = 100


def card_file_name(uid: str, suffix: str = ".vcf") -> str:
    """The ``.vcf`` (or ``suffix``) name of the card with ``uid``: the UID itself when it is a plain name;
    otherwise (characters a file name cannot hold, a leading dot, over 100 characters) what
    is left of it plus a hash of the whole UID, so that two UIDs never share a file
    (``dup/uid`` and ``dup_uid``) and a 300-character UID still has a name."""
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_.@" else "_" for ch in uid)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if safe != uid or len(safe) > _NAME_MAX or not safe:
        import hashlib

        digest = hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        safe = f"{safe[:_NAME_MAX]}-{digest}" if safe else digest
    return f"{safe}{suffix}"
