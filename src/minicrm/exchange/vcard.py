"""vCard 2.1 / 3.0 / 4.0 reading and writing.

Real-world vCards break vobject in many ways (per-property CHARSET, quoted-printable
with soft line breaks, UTF-16 without BOM, folds that split a UTF-8 character, CR CR LF,
lowercase names, missing VERSION, 2.1 escaping rules). Reading therefore runs in two steps:

1. a tolerant byte-level pass splits the file into cards and logical properties,
   decodes each value (QP, charset) and rewrites it with vCard 3.0 escaping;
2. the clean 3.0 text of each card is parsed by vobject. If vobject still refuses a
   card, a small hand parser over the same clean properties takes over.

Writing is done by hand (vobject only writes 3.0) with RFC 6350 escaping and folding.
"""

from __future__ import annotations

import binascii
import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vobject

from minicrm.core.errors import InvalidInput
from minicrm.exchange.record import LABEL_WORDS, PRODID, ContactRecord

__all__ = ["VcardFiles", "parse_vcards", "read_vcard_files", "read_vcards", "write_vcard"]

# Properties with a field of their own; every other property of a card (X-*, IMPP, GEO, ROLE,
# KEY, ...) is kept as it came (``ContactRecord.extra``) and written back; VERSION and PRODID
# are the writer's own. PHOTO is kept apart (``ContactRecord.photo``), never parsed as text.
_WANTED = {
    "FN", "N", "EMAIL", "TEL", "ORG", "TITLE", "NOTE", "ADR", "CATEGORIES",
    "UID", "URL", "BDAY", "X-MINICRM-FIELD", "NICKNAME", "ANNIVERSARY", "X-ANNIVERSARY", "X-ABLABEL",
}  # fmt: skip
_REGENERATED = {"VERSION", "PRODID"}
#: the properties that carry a label (a TYPE, or Apple's ``itemN.X-ABLabel`` of the same group)
_LABELLED = ("EMAIL", "TEL", "ADR", "URL")
_STRUCTURED = {"N": 5, "ADR": 7, "ORG": 0}
_PROP_START = re.compile(rb"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)?[;:]")
_NAME_RE = re.compile(r"^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)$")
_FIELD_PROP = "X-MINICRM-FIELD"
_N_ATTRS = ("family", "given", "additional", "prefix", "suffix")
_ADR_ATTRS = ("box", "extended", "street", "city", "region", "code", "country")


@dataclass
class _Prop:
    name: str
    params: dict[str, list[str]]
    value: str  # decoded text, vCard 3.0 escaping
    order: int = 0
    group: str | None = None


@dataclass
class _Card:
    props: list[_Prop] = field(default_factory=list)
    index: int = 0
    #: the properties without a field of their own, as vCard 3.0/4.0 lines
    extra: list[str] = field(default_factory=list)
    photo: str | None = None


# ---------------------------------------------------------------- byte level


def _to_utf8_if_utf16(data: bytes) -> tuple[bytes, bool]:
    """Return (bytes, forced): UTF-16 input (BOM or sniffed) is re-encoded as UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:], False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8"), True
        except UnicodeDecodeError as exc:
            raise InvalidInput("undecodable vCard file: broken UTF-16") from exc
    if b"\x00" in data:
        head = data[:200]
        even_nul = head[0::2].count(0)
        odd_nul = head[1::2].count(0)
        codec = None
        if even_nul > len(head) // 4 and odd_nul == 0:
            codec = "utf-16-be"
        elif odd_nul > len(head) // 4 and even_nul == 0:
            codec = "utf-16-le"
        if codec is None:
            raise InvalidInput("not a vCard file: binary data (NUL bytes)")
        try:
            return data.decode(codec).encode("utf-8"), True
        except UnicodeDecodeError as exc:
            raise InvalidInput("undecodable vCard file: broken UTF-16") from exc
    return data, False


def _split_lines(data: bytes) -> list[bytes]:
    """Split on LF, CRLF and CR CR LF; a file using bare CR only is split on CR."""
    if b"\n" not in data and b"\r" in data:
        return data.split(b"\r")
    return [line.rstrip(b"\r") for line in data.split(b"\n")]


def _is_qp(params: bytes) -> bool:
    up = params.upper()
    return b"QUOTED-PRINTABLE" in up


def _head_of(line: bytes) -> bytes:
    """The name+params part of a property line (up to the first colon outside quotes)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x3A and not quoted:
            return line[:i]
    return line


def _logical_lines(lines: list[bytes], starts: list[int] | None = None) -> list[bytes]:
    """Unfold at byte level so that folds splitting a multi-byte character are repaired.

    Handles RFC folding (leading space/tab), quoted-printable soft breaks (``=`` at the end
    of a QP value joins the next physical line verbatim) and the Microsoft 2.1 habit of
    ending a line with a backslash to continue an address on the next line. ``starts``, when
    given, receives the physical (1-based) line each logical line begins on.
    """
    out: list[bytes] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if line[:1] in (b" ", b"\t") and out:
            out[-1] += line[1:]
            continue
        if starts is not None:
            starts.append(i)
        cur = line
        qp = _is_qp(_head_of(cur)) and b":" in cur
        while i < n:
            nxt = lines[i]
            if qp and cur.endswith(b"="):
                cur = cur[:-1] + nxt
                i += 1
                continue
            if nxt[:1] in (b" ", b"\t"):
                cur += nxt[1:]
                i += 1
                continue
            trailing = len(cur) - len(cur.rstrip(b"\\"))
            if trailing % 2 == 1 and nxt.strip() and not _PROP_START.match(nxt):
                cur = cur[:-1] + b"\n" + nxt  # raw newline, escaped later
                i += 1
                continue
            break
        out.append(cur)
    return out


def _split_value(line: bytes, name: str) -> tuple[bytes, bytes] | None:
    """Split a logical line into (head, value) at the right colon.

    Normally the first colon outside double quotes. Some producers put unquoted colons
    inside parameter values (e.g. an RFC 6868 ``LABEL=`` on ADR), so for N and ADR the
    rightmost colon that still leaves a full set of components is used.
    """
    colons: list[int] = []
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x3A and not quoted:
            colons.append(i)
    if not colons:
        return None
    pos = colons[0]
    need = _STRUCTURED.get(name, 0) - 1
    if need > 0 and len(colons) > 1:
        for c in reversed(colons):
            if len(re.findall(rb"(?<!\\);", line[c + 1 :])) >= need:
                pos = c
                break
    return line[:pos], line[pos + 1 :]


def _rfc6868(value: str) -> str:
    return re.sub(r"\^(['n^])", lambda m: {"'": '"', "n": "\n", "^": "^"}[m.group(1)], value)


def _parse_params(raw: str, *, as_written: bool = False) -> dict[str, list[str]]:
    """A property's parameters; TYPE and ENCODING values upper-cased unless ``as_written``."""
    params: dict[str, list[str]] = {}
    parts: list[str] = []
    buf = ""
    quoted = False
    for ch in raw:
        if ch == '"':
            quoted = not quoted
            buf += ch
        elif ch == ";" and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            key, val = part.split("=", 1)
            key = key.strip().upper()
            vals: list[str] = []
            for v in re.findall(r'"[^"]*"|[^,]+', val):
                vals.append(_rfc6868(v.strip('"')).strip())
        else:  # vCard 2.1 bare token: HOME, PREF, QUOTED-PRINTABLE, BASE64, utf-8 ...
            key, vals = "TYPE", [part]
            up = part.upper()
            if up in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"):
                key = "ENCODING"
        if key in ("TYPE", "ENCODING") and not as_written:
            vals = [v.upper() for v in vals]
        params.setdefault(key, []).extend(v for v in vals if v)
    return params


_MOJIBAKE_1250 = re.compile(r"[³¹¿œŸ¥êæñ][bcdfghjklmnpqrstvwxzś]|[a-z][³¹¿œŸ][a-z]", re.IGNORECASE)


def _decode_text(raw: bytes, charset: str | None) -> str:
    """Decode a value: declared charset first, then UTF-8, then a Windows code page.

    Undeclared 8-bit text is usually Windows-1252; Central European producers (The Bat!,
    Polish Outlook) write Windows-1250, which reads in 1252 as ``ñ``/``³``/``¿`` next to
    consonants; that pattern switches the guess to 1250.
    """
    if charset:
        try:
            return raw.decode(codecs.lookup(charset).name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("cp1252", errors="replace")
    if _MOJIBAKE_1250.search(text):
        return raw.decode("cp1250", errors="replace")
    return text


# ------------------------------------------------------------ escaping rules


def _esc(text: str, *, comma: bool = True) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;")
    if comma:
        text = text.replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _split_21(value: str) -> list[str]:
    """Split a vCard 2.1 compound value; ``\\;``, ``\\\\``, ``\\:`` and ``\\,`` are escapes."""
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in ";\\:,":
            buf.append(value[i + 1])
            i += 2
            continue
        if ch == ";":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def _to_v3(name: str, value: str, legacy: bool) -> str:
    """Rewrite a decoded value with vCard 3.0 escaping.

    ``legacy`` is true for vCard 2.1 and for any quoted-printable value: there only
    ``\\;`` (and friends) in compound values are escapes and plain text is literal.
    """
    if not legacy:
        # 3.0/4.0 values are already escaped; only raw line breaks (from bare CRs or
        # Microsoft backslash continuations) need turning into \n. Many producers leave
        # commas unescaped in plain text (FN:Doe, John), which vobject would cut at the
        # comma, so they are escaped except where a comma really separates values.
        value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        if name not in ("N", "ADR", "CATEGORIES"):
            value = re.sub(r"(?<!\\)((?:\\\\)*),", r"\1\\,", value)
        return value
    if name in _STRUCTURED:
        return ";".join(_esc(p) for p in _split_21(value))
    if name == "CATEGORIES":
        return ",".join(_esc(p) for p in re.split(r"[,;]", value))
    return _esc(value)


# ------------------------------------------------------------ card assembly


def _cards_from_bytes(data: bytes, problems: list[str] | None = None) -> list[_Card]:
    """The complete cards of ``data``. A card cut off (no END:VCARD before the next BEGIN:VCARD
    or the end of the file) is an error, or with ``problems`` it is described there and skipped,
    and reading resumes at the next BEGIN:VCARD; a file without one complete card is an error."""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise InvalidInput("empty vCard file")
    data, forced_utf8 = _to_utf8_if_utf16(data)
    starts: list[int] = []
    logical = _logical_lines(_split_lines(data), starts)
    cards: list[_Card] = []
    raw_card: list[bytes] | None = None
    begun = 0  # the line of the open card's BEGIN:VCARD
    seen = 0  # the cards begun, complete or not: a card's number in the file

    def cut_off() -> None:
        problem = f"line {begun}: truncated vCard: card {seen} has no END:VCARD"
        if problems is None:
            raise InvalidInput(problem)
        problems.append(problem)

    for line, at in zip(logical, starts, strict=True):
        up = line.strip().upper()
        if up == b"BEGIN:VCARD":
            if raw_card is not None:
                cut_off()
            raw_card = []
            begun = at
            seen += 1
            continue
        if up == b"END:VCARD":
            if raw_card is not None:
                cards.append(_build_card(raw_card, seen, forced_utf8))
            raw_card = None
            continue
        if raw_card is not None:
            raw_card.append(line)
    if raw_card is not None:
        cut_off()
    if not cards:
        if problems:
            raise InvalidInput(problems.pop(0))  # nothing to read: the file is broken
        raise InvalidInput("not a vCard file: no BEGIN:VCARD ... END:VCARD found")
    return cards


def _build_card(lines: list[bytes], index: int, forced_utf8: bool) -> _Card:
    version = "3.0"
    for line in lines:  # VERSION may come anywhere (ownCloud, Netscape)
        if line[:8].upper() == b"VERSION:":
            version = line[8:].decode("ascii", "replace").strip()
    card = _Card(index=index)
    heads: list[tuple[str | None, str] | None] = []
    for line in lines:
        m = _PROP_START.match(line)
        name_m = _NAME_RE.match(line[: len(m.group(0)) - 1].decode("ascii")) if m else None
        heads.append((name_m.group(1), name_m.group(2).upper()) if name_m else None)
    # the groups whose X-ABLabel labels an email, phone, address or URL of this card
    labelled = {h[0].upper() for h in heads if h and h[0] and h[1] in _LABELLED}
    for order, (line, head) in enumerate(zip(lines, heads, strict=True)):
        if head is None:
            continue  # base64 residue, "FN" without a colon, ...
        group, name = head
        if name in _REGENERATED:
            continue
        name_end = len(_PROP_START.match(line).group(0)) - 1  # type: ignore[union-attr]
        split = _split_value(line, name)
        if split is None:
            continue
        head_bytes, raw_value = split
        raw_params = head_bytes[name_end:].decode("utf-8", "replace")
        params = _parse_params(raw_params)
        encoding = params.get("ENCODING", [])
        qp = "QUOTED-PRINTABLE" in encoding
        binary = any(e in ("BASE64", "B") for e in encoding)
        if qp:
            raw_value = binascii.a2b_qp(raw_value)
        charsets = [] if forced_utf8 else params.get("CHARSET", [])
        charset = charsets[0] if charsets else None
        text = _decode_text(raw_value, charset)
        legacy = version.startswith("2") or qp
        if name == "PHOTO":
            if card.photo is None:
                card.photo = _photo(params, text, binary)
            continue
        if name not in _WANTED or (name == "X-ABLABEL" and (group or "").upper() not in labelled):
            written = _parse_params(raw_params, as_written=True)
            card.extra.append(_extra_line(group, name, written, text, legacy, binary))
            continue
        for key in ("ENCODING", "CHARSET", "LANGUAGE", "VALUE", "SORT-AS", "LABEL"):
            params.pop(key, None)
        card.props.append(_Prop(name, params, _to_v3(name, text, legacy), order, group))
    return card


def _extra_line(
    group: str | None, name: str, params: dict[str, list[str]], text: str, legacy: bool, binary: bool
) -> str:
    """A property without a field of its own as a vCard 3.0/4.0 line: decoded (charset,
    quoted-printable), its parameters kept, its value as it came (2.1 values escaped)."""
    params = {k: v for k, v in params.items() if k != "CHARSET" and not (k == "ENCODING" and legacy)}
    if binary:
        params["ENCODING"] = ["b"]
        value = "".join(text.split())
    else:
        params.pop("ENCODING", None)
        if legacy:
            value = ";".join(_esc(p, comma=False) for p in _split_21(text))
        else:
            value = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f"{group + '.' if group else ''}{name}{_param_line(params)}:{value}"


_MEDIA = {
    "JPEG": "image/jpeg",
    "JPG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}


def _photo(params: dict[str, list[str]], text: str, binary: bool) -> str | None:
    """A PHOTO as a ``data:`` URI (inline data of any version) or the link it gives."""
    value = "".join(text.split()) if binary else text.strip().replace("\\:", ":").replace("\\,", ",")
    if not value:
        return None
    if binary:
        kind = next((t for t in params.get("TYPE", []) if t.upper() not in ("PREF",)), "JPEG").upper()
        media = _MEDIA.get(kind, kind.lower() if "/" in kind else f"image/{kind.lower()}")
        return f"data:{media};base64,{value}"
    return value


# ------------------------------------------------------------ value extraction


def _param_line(params: dict[str, list[str]]) -> str:
    out = ""
    for key, vals in params.items():
        if not re.fullmatch(r"[A-Z0-9-]+", key):
            continue
        clean = [v.replace('"', "'").replace("\n", " ") for v in vals]
        out += f";{key}=" + ",".join(f'"{v}"' if re.search(r"[;:,]", v) else v for v in clean)
    return out


def _card_text(card: _Card) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    lines += [
        f"{p.group + '.' if p.group else ''}{p.name}{_param_line(p.params)}:{p.value}" for p in card.props
    ]
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split_escaped(value: str, sep: str) -> list[str]:
    parts = re.split(r"(?<!\\)((?:\\\\)*)" + re.escape(sep), value)
    # re.split with a group returns the captured backslash pairs; glue them back
    out: list[str] = []
    buf = parts[0]
    for k in range(1, len(parts), 2):
        out.append(buf + parts[k])
        buf = parts[k + 1]
    out.append(buf)
    return out


@dataclass
class _Val:
    """One property after value parsing, independent of the parser used."""

    name: str
    params: dict[str, list[str]]
    text: str
    parts: list[str]
    group: str | None = None


def _fix(text: str) -> str:
    # vobject leaves "\:" alone (Apple and Google write "http\://")
    return text.replace("\\:", ":")


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_flat(v) for v in value)
    return _fix(str(value)) if value is not None else ""


def _vals_with_vobject(card: _Card) -> list[_Val]:
    comp = vobject.readOne(_card_text(card), ignoreUnreadable=True)
    vals: list[_Val] = []
    for child in comp.getChildren():
        name = child.name.upper()
        if name not in _WANTED:
            continue
        params = {k.upper(): [str(x) for x in v] for k, v in child.params.items()}
        value = child.value
        group = child.group or None
        if name == "N":
            parts = [_flat(getattr(value, a)) for a in _N_ATTRS]
            vals.append(_Val(name, params, " ".join(p for p in parts if p), parts, group))
        elif name == "ADR":
            parts = [_flat(getattr(value, a)) for a in _ADR_ATTRS]
            vals.append(_Val(name, params, "", parts, group))
        elif name in ("ORG", "CATEGORIES"):
            parts = [_flat(v) for v in value] if isinstance(value, list) else [_flat(value)]
            vals.append(_Val(name, params, ";".join(parts), parts, group))
        else:
            text = _flat(value)
            vals.append(_Val(name, params, text, [text], group))
    return vals


def _vals_by_hand(card: _Card) -> list[_Val]:
    vals: list[_Val] = []
    for p in card.props:
        if p.name in _STRUCTURED:
            parts = [_unescape(x) for x in _split_escaped(p.value, ";")]
            vals.append(_Val(p.name, p.params, ";".join(parts), parts, p.group))
        elif p.name == "CATEGORIES":
            parts = [_unescape(x) for x in _split_escaped(p.value, ",")]
            vals.append(_Val(p.name, p.params, ",".join(parts), parts, p.group))
        else:
            text = _unescape(p.value)
            vals.append(_Val(p.name, p.params, text, [text], p.group))
    return vals


def _pref_rank(params: dict[str, list[str]]) -> int:
    """Lower is more preferred: PREF=n (4.0), TYPE=pref (3.0) or a bare PREF (2.1)."""
    for v in params.get("PREF", []):
        if v.isdigit():
            return int(v)
    if "PREF" in (t.upper() for t in params.get("TYPE", [])):
        return 1
    return 1000


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _date_text(text: str) -> str | None:
    """A BDAY or ANNIVERSARY: ``YYYY-MM-DD`` or ``--MM-DD`` when it is one, else the text as it
    came (``circa 1800``, a year alone): kept, never guessed."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", text)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", text)
    if m:
        return f"--{m.group(1)}-{m.group(2)}"
    return text or None


#: TYPE values that say nothing about which address or number it is
_NOT_LABELS = {"PREF", "INTERNET", "VOICE", "X400"}
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")


def _label(v: _Val, ablabels: dict[str, str]) -> str | None:
    """The label of an email, phone, address or URL: Apple's X-ABLabel of its group, else its
    TYPE values (lower-case, ``work,fax``) without the ones that label nothing."""
    if v.group and v.group.upper() in ablabels:
        text = ablabels[v.group.upper()].strip()
        apple = _APPLE_LABEL.fullmatch(text)
        return (apple.group(1).lower() if apple else text) or None
    types = [t.strip().lower() for value in v.params.get("TYPE", []) for t in value.split(",")]
    kept = [t for t in dict.fromkeys(types) if t and t.upper() not in _NOT_LABELS]
    return ",".join(kept) or None


def _record(vals: list[_Val], index: int, card: _Card | None = None) -> ContactRecord:
    by: dict[str, list[_Val]] = {}
    for v in vals:
        by.setdefault(v.name, []).append(v)
    ablabels = {v.group.upper(): v.text for v in by.get("X-ABLABEL", []) if v.group}

    def first(name: str) -> str | None:
        for v in by.get(name, []):
            got = _clean(v.text)
            if got:
                return got
        return None

    def ranked(name: str) -> list[tuple[str, str | None]]:
        items = sorted(
            ((_pref_rank(v.params), i, _clean(v.text), v) for i, v in enumerate(by.get(name, []))),
            key=lambda x: (x[0], x[1]),
        )
        return [(t, _label(v, ablabels)) for _, _, t, v in items if t]

    rec = ContactRecord(name="", line=index)
    n_parts = [p.strip() for p in by["N"][0].parts] if by.get("N") else []
    if n_parts[1:2] and not any(n_parts[:1] + n_parts[2:]) and n_parts[1] == first("FN"):
        n_parts = []  # the N a writer fills from the name alone (as minicrm does): no parts
    if n_parts:
        parts = n_parts + [""] * 5
        rec.family_name = _clean(parts[0])
        rec.given_name = _clean(parts[1])
        rec.middle_name = _clean(parts[2])
        rec.name_prefix = _clean(parts[3])
        rec.name_suffix = _clean(parts[4])
    for v in by.get("ORG", []):
        units = [u.strip() for u in v.parts]
        unit = next((u for u in units if u), None)
        if unit:
            rec.company = unit
            rest = [u for u in units[units.index(unit) + 1 :] if u]
            rec.department = ", ".join(rest) or None
            break
    seen: set[str] = set()
    for email, label in ranked("EMAIL"):
        email = email.removeprefix("mailto:")
        if email.lower() not in seen:
            seen.add(email.lower())
            rec.emails.append(email)
            if label:
                rec.email_labels[email] = label
    for phone, label in ranked("TEL"):
        phone = phone.removeprefix("tel:")
        if phone not in rec.phones:
            rec.phones.append(phone)
            if label:
                rec.phone_labels[phone] = label
    rec.title = first("TITLE")
    rec.nickname = first("NICKNAME")
    notes = [t for t in (_clean(v.text) for v in by.get("NOTE", [])) if t]
    if notes:
        rec.notes, rec.more_notes = notes[0], notes[1:]
    adrs = sorted(by.get("ADR", []), key=lambda v: _pref_rank(v.params))
    for v in adrs:
        parts = [p.strip() for p in v.parts] + [""] * 7
        if not any(parts[:7]):
            continue
        street = "\n".join(p for p in (parts[2], parts[1], parts[0]) if p) or None
        address = {
            "label": _label(v, ablabels),
            "street": street,
            "city": _clean(parts[3]),
            "region": _clean(parts[4]),
            "postcode": _clean(parts[5]),
            "country": _clean(parts[6]),
        }
        if rec.street or rec.city or rec.region or rec.postcode or rec.country:
            if address not in rec.addresses:
                rec.addresses.append(address)
            continue
        rec.address_label = address["label"]
        rec.street, rec.city, rec.region = address["street"], address["city"], address["region"]
        rec.postcode, rec.country = address["postcode"], address["country"]
    for v in by.get("CATEGORIES", []):
        for part in v.parts:
            for tag in part.split(","):  # "a\, b" is written by producers meaning two tags
                tag = tag.strip()
                if tag and tag not in rec.tags:
                    rec.tags.append(tag)
    rec.uid = first("UID")
    urls = list(dict.fromkeys(u for u, _ in ranked("URL")))
    if urls:
        rec.website, rec.urls = urls[0], urls[1:]
    bday = first("BDAY")
    rec.birthday = _date_text(bday) if bday else None
    anniversary = first("ANNIVERSARY") or first("X-ANNIVERSARY")
    rec.anniversary = _date_text(anniversary) if anniversary else None
    for v in by.get(_FIELD_PROP, []):
        key = (v.params.get("X-KEY") or [""])[0]
        if key:
            rec.fields[key] = v.text
    if card is not None:
        rec.extra = list(card.extra)
        rec.photo = card.photo
    fn = first("FN")
    built = " ".join(p for p in (rec.given_name, rec.family_name) if p)
    rec.name = fn or built or rec.company or (rec.emails[0] if rec.emails else "")
    if not rec.name and rec.phones:
        rec.name = rec.phones[0]
    return rec


def parse_vcards(data: bytes, problems: list[str] | None = None) -> list[ContactRecord]:
    """Parse every card in ``data``; ``line`` on each record is its 1-based card number.

    Raises InvalidInput for an empty, binary, truncated or card-less file. With ``problems``, a
    card that is cut off is skipped and described there (``line 6: truncated vCard: card 2 has
    no END:VCARD``), and every complete card is read; only a file without one is an error.
    """
    records: list[ContactRecord] = []
    for card in _cards_from_bytes(data, problems):
        try:
            vals = _vals_with_vobject(card)
        except Exception:  # vobject raises assorted exception types on odd input
            vals = _vals_by_hand(card)
        records.append(_record(vals, card.index, card))
    return records


@dataclass
class VcardFiles:
    """The cards of a file or a directory: ``files[i]`` is the name of the file that held
    ``records[i]``; ``broken`` says why each unreadable file, and each card cut off in a file
    otherwise read, was skipped (``b.vcf: line 3: truncated vCard: …``); ``skipped_cards`` is
    how many of ``broken`` are cards."""

    records: list[ContactRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    skipped_cards: int = 0


def read_vcard_files(path: Path) -> VcardFiles:
    """Read a .vcf file, or every .vcf/.vcard file (sorted by name) in a directory; a file that
    cannot be read or parsed, and a card cut off in a file, goes to ``broken`` with its name
    (and line) and the rest is read."""
    from minicrm.core.text import inert

    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".vcf", ".vcard"))
        if not files:
            raise InvalidInput(f"no .vcf files in {path}")
    else:
        files = [path]
    out = VcardFiles()
    for f in files:
        name = inert(f.name)
        try:
            data = f.read_bytes()
        except OSError as exc:
            out.broken.append(f"cannot read {f if f is path else name}: {exc.strerror or exc}")
            continue
        cut_off: list[str] = []
        try:
            cards = parse_vcards(data, cut_off)
        except InvalidInput as exc:
            out.broken.append(f"{name}: {exc}")
            continue
        out.broken.extend(f"{name}: {problem}" for problem in cut_off)
        out.skipped_cards += len(cut_off)
        out.records.extend(cards)
        out.files.extend([name] * len(cards))
    return out


def read_vcards(path: Path) -> list[ContactRecord]:
    """Read a .vcf file, or every .vcf/.vcard file (sorted by name) in a directory; the first
    file that cannot be read is an error."""
    found = read_vcard_files(path)
    if found.broken:
        raise InvalidInput(found.broken[0])
    return found.records


# ------------------------------------------------------------------ writing


def _fold(line: str) -> str:
    """Fold at 75 octets (RFC 6350 3.2) without splitting a UTF-8 character."""
    out: list[str] = []
    cur = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(cur)
            cur, size, limit = " ", 1, 75
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def _w_text(text: str) -> str:
    return _esc(unicodedata.normalize("NFC", text))


def _w_struct(parts: Iterable[str | None]) -> str:
    return ";".join(_esc(p or "") for p in parts)


#: TYPE values a label may be written as (anything else is written as Apple's X-ABLabel)
_TYPE_WORDS = LABEL_WORDS
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}")
_DIALABLE = re.compile(r"\+?[0-9]+")


class _Lines:
    """The lines of one card being written, with the groups that carry custom labels."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.groups = 0

    def add(self, name: str, value: str, label: str | None = None, params: str = "") -> None:
        if not label:
            self.lines.append(f"{name}{params}:{value}")
            return
        words = [w.strip() for w in label.split(",")]
        if all(w.lower() in _TYPE_WORDS for w in words):
            self.lines.append(f"{name}{params};TYPE={','.join(w.lower() for w in words)}:{value}")
            return
        self.groups += 1
        group = f"minicrm{self.groups}"
        self.lines.append(f"{group}.{name}{params}:{value}")
        self.lines.append(f"{group}.X-ABLabel:{_w_text(label)}")


def _w_date(name: str, value: str, v4: bool) -> str:
    """BDAY/ANNIVERSARY: a date (4.0 basic format), else the text as kept (``VALUE=text``)."""
    if not _ISO_DATE.fullmatch(value):
        return f"{name};VALUE=text:{_w_text(value)}"
    if not v4:
        return f"{name}:{value}"
    if value.startswith("--"):
        return f"{name}:--{value[2:].replace('-', '')}"
    return f"{name}:{value.replace('-', '')}"


def _w_phone(phone: str, ext: str | None, v4: bool) -> tuple[str, str]:
    """(params, value) of a TEL: an extension goes into a ``tel:`` URI (4.0) or after the number."""
    if not ext:
        return "", _w_text(phone)
    if v4 and _DIALABLE.fullmatch(phone):
        return ";VALUE=uri", f"tel:{phone};ext={ext}"
    return "", _w_text(f"{phone} ext. {ext}")


def _w_photo(photo: str, v4: bool) -> str:
    m = re.fullmatch(r"data:([^;,]+);base64,(.*)", photo, re.DOTALL)
    if v4 or m is None:
        return f"PHOTO:{photo}" if v4 or m is not None else f"PHOTO;VALUE=uri:{photo}"
    kind = m.group(1).split("/")[-1].upper()
    return f"PHOTO;ENCODING=b;TYPE={kind}:{m.group(2)}"


def write_vcard(rec: ContactRecord, version: str = "4.0") -> str:
    """Serialise one contact as a vCard 4.0 (default) or 3.0, CRLF line endings, folded."""
    if version not in ("3.0", "4.0"):
        raise InvalidInput(f"unsupported vCard version {version!r} (use 3.0 or 4.0)")
    v4 = version == "4.0"
    out = _Lines()
    add = out.add
    out.lines += ["BEGIN:VCARD", f"VERSION:{version}", f"PRODID:{PRODID}"]
    if rec.uid:
        add("UID", _w_text(rec.uid))
    add("FN", _w_text(rec.name))
    n_parts = [rec.family_name, rec.given_name, rec.middle_name, rec.name_prefix, rec.name_suffix]
    if not any(n_parts):
        n_parts = [None, rec.name, None, None, None]  # a name without parts still fills N (3.0 needs one)
    add("N", _w_struct(n_parts))
    if rec.nickname:
        add("NICKNAME", _w_text(rec.nickname))
    for i, email in enumerate(rec.emails):
        label = rec.email_labels.get(email)
        if v4:
            add("EMAIL", _w_text(email), label, ";PREF=1" if i == 0 else "")
        else:
            add("EMAIL", _w_text(email), label, ";TYPE=INTERNET,PREF" if i == 0 else ";TYPE=INTERNET")
    for i, phone in enumerate(rec.phones):
        pref = (";PREF=1" if v4 else ";TYPE=PREF") if i == 0 and len(rec.phones) > 1 else ""
        params, value = _w_phone(phone, rec.phone_exts.get(phone), v4)
        add("TEL", value, rec.phone_labels.get(phone), pref + params)
    if rec.company or rec.department:
        add("ORG", _w_struct([rec.company, rec.department] if rec.department else [rec.company]))
    if rec.title:
        add("TITLE", _w_text(rec.title))
    for note in [rec.notes, *rec.more_notes]:
        if note:
            add("NOTE", _w_text(note))
    addresses = [
        {"label": rec.address_label, "street": rec.street, "city": rec.city, "region": rec.region,
         "postcode": rec.postcode, "country": rec.country},
        *rec.addresses,
    ]  # fmt: skip
    for a in addresses:
        parts = [a.get(k) for k in ("street", "city", "region", "postcode", "country")]
        if any(parts):
            add("ADR", _w_struct([None, None, *parts]), a.get("label"))
    if rec.tags:
        add("CATEGORIES", ",".join(_w_text(t) for t in rec.tags))
    for url in [rec.website, *rec.urls]:
        if url:
            add("URL", _w_text(url))
    if rec.birthday:
        out.lines.append(_w_date("BDAY", rec.birthday, v4))
    if rec.anniversary:
        out.lines.append(_w_date("ANNIVERSARY" if v4 else "X-ANNIVERSARY", rec.anniversary, v4))
    if rec.photo:
        out.lines.append(_w_photo(rec.photo, v4))
    for key, value in rec.fields.items():
        safe_key = key.replace('"', "'").replace("\n", " ")
        add(f'{_FIELD_PROP};X-KEY="{safe_key}"', _w_text(value))
    out.lines += [line for line in rec.extra if line]
    out.lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in out.lines)
