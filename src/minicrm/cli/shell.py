"""``minicrm completion bash|zsh|fish``: print the shell's completion script."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from minicrm.cli import completion
from minicrm.core.errors import InvalidInput


def completion_script(
    shell: Annotated[str, typer.Argument(help="bash, zsh or fish.", show_default=False)],
) -> None:
    """Print the completion script of a shell: commands, options, contact names, deal ids, stages, tags.

    bash: eval "$(minicrm completion bash)" in ~/.bashrc; zsh: the same with zsh in ~/.zshrc
    (after compinit); fish: minicrm completion fish > ~/.config/fish/completions/minicrm.fish"""
    if shell not in completion.SHELLS:
        raise InvalidInput(f"unknown shell {shell!r} (choose {', '.join(completion.SHELLS)})")
    sys.stdout.write(completion.script(shell))
