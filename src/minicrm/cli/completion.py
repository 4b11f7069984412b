"""Shell completion for bash, zsh and fish: ``minicrm completion SHELL`` prints the script, and
the script asks ``minicrm __complete SHELL WORD…`` on every Tab.

The words (commands, options, which positional is which) come from ``completion_words``,
generated from the Typer declarations; the values (contact and company names, open deal ids,
tags, stage and pipeline names, segments, users) from ``minicrm.services.completion``. This path
imports neither Typer nor Rich (``tests/test_import_hygiene.py``): it answers as fast as a cold
read command, and says nothing at all when anything goes wrong (a Tab must never print an error
into the command line).
"""

from __future__ import annotations

import sys

from minicrm.cli.completion_words import COMMANDS, GROUPS

SHELLS = ("bash", "zsh", "fish")

#: options whose value is a record, and which
_OPTION_KINDS = {
    "--contact": "contact",
    "--company": "company",
    "--filter-company": "company",
    "--deal": "deal",
    "--stage": "stage",
    "--pipeline": "pipeline",
    "--tag": "tag",
    "-t": "tag",
    "--add-tag": "tag",
    "--remove-tag": "tag",
    "--filter-tag": "tag",
    "--owner": "user",
    "--filter-owner": "user",
    "--as": "user",
    "--segment": "segment",
}
_CHOICES = {
    "--format": ("table", "plain", "json", "jsonl", "csv"),
    "-f": ("table", "plain", "json", "jsonl", "csv"),
    "--screen": ("today", "contacts", "pipeline", "followups"),
}
#: positionals whose value is a record (``ref`` is a company's under ``company``)
_POSITIONAL_KINDS = {
    "ref": "contact",
    "refs": "contact",
    "keep": "contact",
    "others": "contact",
    "args": "contact",  # note add / log call REF TEXT: the first one
    "tag": "tag",
    "deal_id": "deal",
    "deal_ids": "deal",
    "stage": "stage",
    "path": "path",
    "shell": "shell",
}
_VARIADIC = ("refs", "others", "deal_ids", "followup_ids")
_SEGMENT_COMMANDS = (("segment", "show"), ("segment", "rm"), ("segment", "export"))


def script(shell: str) -> str:
    """The completion script for ``shell``, to ``eval`` (bash, zsh) or ``source`` (fish)."""
    if shell == "bash":
        return _BASH
    if shell == "zsh":
        return _ZSH
    if shell == "fish":
        return _FISH
    raise ValueError(shell)


def main(args: list[str]) -> int:
    """``__complete SHELL WORD…``: the candidates for the last word, one a line (zsh and fish:
    ``value<TAB>description``). Always exit 0."""
    try:
        if not args or args[0] not in SHELLS:
            return 0
        shell, words = args[0], [_unquote(w) for w in args[1:]] or [""]
        lines = [value if shell == "bash" else f"{value}\t{about}" for value, about in complete(words, shell)]
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        sys.stdout.flush()
    except Exception:  # a Tab prints nothing rather than an error
        return 0
    return 0


def complete(words: list[str], shell: str = "bash") -> list[tuple[str, str]]:
    """What may replace the last of ``words`` (the words after ``minicrm``)."""
    *before, current = words
    path: tuple[str, ...] = ()
    positionals: list[str] = []
    global_values = COMMANDS.get((), ((), (), ()))[0]
    db: str | None = None
    i = 0
    while i < len(before):
        word = before[i]
        valued = COMMANDS.get(path, ((), (), ()))[0] if path in COMMANDS else ()
        if word.startswith("-"):
            if not path and word.startswith("--db="):
                db = word.partition("=")[2]
            if "=" not in word and (word in valued or (not path and word in global_values)):
                if not path and word == "--db" and i + 1 < len(before):
                    db = before[i + 1]
                i += 1  # its value
        elif path in GROUPS and word in GROUPS[path] and not positionals:
            path = (*path, word)
        else:
            positionals.append(word)
        i += 1
    previous = before[-1] if before else ""
    spec = COMMANDS.get(path, ((), (), ()))
    if previous.startswith("-") and "=" not in previous and previous in (spec[0] if path else global_values):
        return _option_value(previous, current, db)
    if current.startswith("-"):
        options = [*spec[0], *spec[1], "--help"]
        return [(o, "") for o in dict.fromkeys(options) if o.startswith(current)]
    if path in GROUPS and not positionals:
        return [(name, "") for name in GROUPS[path] if name.startswith(current)]
    kind = _positional_kind(path, spec[2], len(positionals))
    if kind is None:
        return []
    if kind == "path":
        return _files(current) if shell == "fish" else []
    if kind == "shell":
        return [(name, "") for name in SHELLS if name.startswith(current)]
    return _values(kind, current, db)


def _positional_kind(path: tuple[str, ...], names: tuple[str, ...], index: int) -> str | None:
    if not names:
        return None
    name = names[index] if index < len(names) else (names[-1] if names[-1] in _VARIADIC else None)
    if name is None or (name == "args" and index > 0):
        return None
    if path in _SEGMENT_COMMANDS and name == "name":
        return "segment"
    kind = _POSITIONAL_KINDS.get(name)
    if kind == "contact" and path[:1] == ("company",):
        return "company"
    return kind


def _option_value(option: str, current: str, db: str | None) -> list[tuple[str, str]]:
    if option in _CHOICES:
        return [(c, "") for c in _CHOICES[option] if c.startswith(current)]
    kind = _OPTION_KINDS.get(option)
    return _values(kind, current, db) if kind else []


def _values(kind: str, prefix: str, db: str | None) -> list[tuple[str, str]]:
    """Candidates from the database (an existing one: a Tab never creates a database)."""
    import os

    if kind in ("stage", "pipeline"):  # the config says them: no database to open
        from minicrm.core.config import load_config
        from minicrm.services.completion import configured

        return configured(load_config(), kind, prefix)
    from minicrm.services.kernel.context import open_context, resolve_target

    db = db or os.environ.get("MINICRM_DB") or None
    target = resolve_target(db)
    if target.dialect == "sqlite" and (target.path is None or not target.path.exists()):
        return []
    from minicrm.services.completion import candidates

    with open_context(db, upgrade=False) as ctx:
        return candidates(ctx, kind, prefix)


def _files(prefix: str) -> list[tuple[str, str]]:
    import os

    folder, _, start = prefix.rpartition("/")
    try:
        entries = sorted(os.scandir(folder or "."), key=lambda e: e.name)
    except OSError:
        return []
    base = f"{folder}/" if folder else ""
    return [
        (f"{base}{e.name}{'/' if e.is_dir() else ''}", "")
        for e in entries
        if e.name.startswith(start) and (start.startswith(".") or not e.name.startswith("."))
    ][:200]


def _unquote(word: str) -> str:
    """A word as the shell passed it while it is being typed: ``Ana\\ Li`` or ``'Ana Li``."""
    if word[:1] in ("'", '"'):
        word = word[1:].removesuffix(word[0])
    out, escaped = [], False
    for ch in word:
        if escaped or ch != "\\":
            out.append(ch)
            escaped = False
        else:
            escaped = True
    return "".join(out)


_BASH = r"""# minicrm completion for bash: eval "$(minicrm completion bash)" in ~/.bashrc
_minicrm_complete() {
    local IFS=$'\n' line
    COMPREPLY=()
    for line in $(minicrm __complete bash "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null); do
        COMPREPLY+=("$(printf '%q' "$line")")
    done
    if [ ${#COMPREPLY[@]} -eq 0 ]; then
        compopt -o default 2>/dev/null
    fi
}
complete -o nosort -F _minicrm_complete minicrm
"""

_ZSH = r"""#compdef minicrm
# minicrm completion for zsh: eval "$(minicrm completion zsh)" in ~/.zshrc (after compinit)
_minicrm() {
    local IFS=$'\n' line
    local -a lines described
    lines=($(minicrm __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null))
    if (( ${#lines} == 0 )); then
        _files
        return
    fi
    for line in $lines; do
        described+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    done
    _describe -V minicrm described
}
compdef _minicrm minicrm
"""

_FISH = r"""# minicrm completion for fish: minicrm completion fish | source (or save it as
# ~/.config/fish/completions/minicrm.fish)
function __minicrm_complete
    set -l tokens (commandline -opc) (commandline -ct)
    minicrm __complete fish $tokens[2..-1] 2>/dev/null
end
complete -c minicrm -f -a '(__minicrm_complete)'
"""
