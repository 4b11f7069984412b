"""User configuration: ``<user config dir>/config.toml`` (``MINICRM_CONFIG`` overrides the path).

Example::

    currency = "EUR"            # default ISO 4217 currency of deal values
    region = "PT"               # default region for phone numbers typed without +country
    owner = "ana"               # default user (team mode); MINICRM_USER / --as override
    timezone = "Europe/Lisbon"  # default: the system's
    date_format = "%Y-%m-%d"

    [[pipelines]]
    name = "default"
    stages = [
      { name = "lead", probability = 10, idle_days = 14 },
      { name = "qualified", probability = 25, idle_days = 14 },
      { name = "proposal", probability = 50, idle_days = 10 },
      { name = "negotiation", probability = 75, idle_days = 7 },
    ]

    [next]                      # how `minicrm next` weighs what to do now (points per unit)
    weights = { due = 10, overdue_day = 3, deal_value = 1, closing = 2, stale_day = 1,
                cadence_day = 1, lapsed = 15 }
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from minicrm.core.errors import InvalidInput

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Stage:
    name: str
    probability: int
    idle_days: int | None = None


@dataclass(frozen=True)
class Pipeline:
    name: str
    stages: tuple[Stage, ...]

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def index(self, name: str) -> int:
        return next((i for i, s in enumerate(self.stages) if s.name == name), -1)


DEFAULT_PIPELINE = Pipeline(
    "default",
    (
        Stage("lead", 10, 30),
        Stage("qualified", 25, 21),
        Stage("proposal", 50, 14),
        Stage("negotiation", 75, 14),
    ),
)


#: ``minicrm next``: points per unit of each part of the urgency score (``[next] weights``)
DEFAULT_NEXT_WEIGHTS: dict[str, float] = {
    "due": 10.0,  # a follow-up due now (today or overdue)
    "overdue_day": 3.0,  # per day a follow-up is overdue
    "deal_value": 1.0,  # per 1,000 (major units) of a deal's expected value: value × probability
    "closing": 2.0,  # per day a deal's close date is nearer than 14 days (or past)
    "stale_day": 1.0,  # per day a deal has been quiet past its stage's idle_days
    "cadence_day": 1.0,  # per day a contact is past its keep-in-touch window
    "lapsed": 15.0,  # a contact past its maximum keep-in-touch window
}


@dataclass(frozen=True)
class Config:
    currency: str = "EUR"
    region: str | None = None
    owner: str | None = None
    timezone: str | None = None
    date_format: str = "%Y-%m-%d"
    pipelines: tuple[Pipeline, ...] = (DEFAULT_PIPELINE,)
    lost_reasons: tuple[str, ...] = ()
    backups_keep: int = 10
    hook_timeout: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    next_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_NEXT_WEIGHTS))

    def pipeline(self, name: str | None = None) -> Pipeline:
        if name is None:
            return self.pipelines[0]
        for pipeline in self.pipelines:
            if pipeline.name == name:
                return pipeline
        known = ", ".join(p.name for p in self.pipelines)
        raise InvalidInput(f"unknown pipeline {name!r} (known: {known})")


def config_path() -> Path:
    override = os.environ.get("MINICRM_CONFIG")
    if override:
        return Path(override).expanduser()
    from minicrm.core.paths import config_dir

    return config_dir() / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file means the defaults, a broken one is an error."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read config {path}: {exc}") from exc
    import tomllib  # only when there is a file: every command loads the config

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"cannot read config {path}: {exc}") from exc
    return _from_dict(data, path)


def _from_dict(data: dict[str, Any], path: Path) -> Config:
    known = {
        "currency",
        "region",
        "owner",
        "timezone",
        "date_format",
        "pipelines",
        "lost_reasons",
        "backups_keep",
        "hook_timeout",
        "next",
    }
    pipelines = tuple(_pipeline(p, path) for p in data.get("pipelines", [])) or (DEFAULT_PIPELINE,)
    try:
        return Config(
            currency=str(data.get("currency", "EUR")).upper(),
            region=(str(data["region"]).upper() if data.get("region") else None),
            owner=data.get("owner"),
            timezone=data.get("timezone"),
            date_format=str(data.get("date_format", "%Y-%m-%d")),
            pipelines=pipelines,
            lost_reasons=tuple(str(r) for r in data.get("lost_reasons", [])),
            backups_keep=int(data.get("backups_keep", 10)),
            hook_timeout=float(data.get("hook_timeout", 10.0)),
            extra={k: v for k, v in data.items() if k not in known},
            path=path,
            next_weights=_next_weights(data.get("next", {}), path),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"invalid config {path}: {exc}") from exc


def _pipeline(raw: Any, path: Path) -> Pipeline:
    try:
        stages = tuple(
            Stage(str(s["name"]), int(s.get("probability", 0)), s.get("idle_days")) for s in raw["stages"]
        )
        if not stages:
            raise ValueError("a pipeline needs at least one stage")
        return Pipeline(str(raw.get("name", "default")), stages)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"invalid pipeline in config {path}: {exc}") from exc


def _next_weights(raw: Any, path: Path) -> dict[str, float]:
    """``[next] weights = {...}`` over the defaults; unknown names and non-numbers are errors."""
    weights = dict(DEFAULT_NEXT_WEIGHTS)
    given = raw.get("weights", {}) if isinstance(raw, dict) else None
    if not isinstance(given, dict):
        raise InvalidInput(f"invalid config {path}: [next] weights must be a table, e.g. {{ due = 10 }}")
    for name, value in given.items():
        if name not in weights:
            raise InvalidInput(
                f"invalid config {path}: unknown [next] weight {name!r} (known: {', '.join(sorted(weights))})"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise InvalidInput(f"invalid config {path}: [next] weight {name} must be a number ≥ 0")
        weights[name] = float(value)
    return weights
