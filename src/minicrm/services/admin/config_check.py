"""The values of a config file that reads but would not work: ``minicrm doctor`` checks each.

Reading the config is lenient where a command would still run (an unknown time zone falls back
to the system's, an unknown currency only fails when a deal is added); doctor says so now.
"""

from __future__ import annotations

import re
from datetime import date

from minicrm.core.config import Config
from minicrm.core.errors import InvalidInput

#: a user name as ``minicrm user add`` takes it
_OWNER_RE = r"^[^\s]{1,64}$"


def config_problems(config: Config) -> list[tuple[str, str]]:
    """``(problem, fix)`` for each setting of ``config`` that cannot work."""
    found: list[tuple[str, str]] = []
    where = f" in {config.path}" if config.path else ""
    found.extend(_currency(config, where))
    found.extend(_timezone(config, where))
    found.extend(_region(config, where))
    if config.owner is not None and not re.match(_OWNER_RE, str(config.owner)):
        found.append(
            (
                f"owner = {config.owner!r}{where} is no user name",
                "set owner to one word, as `minicrm user add` takes",
            )
        )
    found.extend(_date_format(config, where))
    found.extend(_pipelines(config, where))
    if config.backups_keep < 1:
        found.append(
            (f"backups_keep = {config.backups_keep}{where} keeps no backups", "set backups_keep to 1 or more")
        )
    if not config.hook_timeout > 0:
        found.append(
            (
                f"hook_timeout = {config.hook_timeout}{where} is not positive",
                "set hook_timeout in seconds, e.g. 10",
            )
        )
    if any(not reason.strip() for reason in config.lost_reasons):
        found.append(
            (f"lost_reasons{where} has an empty reason", "remove the empty string from lost_reasons")
        )
    return found


def _currency(config: Config, where: str) -> list[tuple[str, str]]:
    from minicrm.core.money import currency_code

    try:
        currency_code(config.currency)
    except InvalidInput:
        return [
            (
                f"currency = {config.currency!r}{where} is no ISO 4217 currency",
                "set currency to a code such as EUR, USD, GBP or JPY",
            )
        ]
    return []


def _timezone(config: Config, where: str) -> list[tuple[str, str]]:
    if config.timezone is None:
        return []
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(config.timezone))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return [
            (
                f"timezone = {config.timezone!r}{where} is no time zone (the system's is used instead)",
                "set timezone to an IANA name such as Europe/Lisbon or America/New_York",
            )
        ]
    return []


def _region(config: Config, where: str) -> list[tuple[str, str]]:
    if config.region is None:
        return []
    import phonenumbers

    if config.region not in phonenumbers.SUPPORTED_REGIONS:
        return [
            (
                f"region = {config.region!r}{where} is no country code",
                "set region to a two-letter ISO 3166 code such as PT, DE, GB or US",
            )
        ]
    return []


def _date_format(config: Config, where: str) -> list[tuple[str, str]]:
    sample = date(2026, 12, 31)
    try:
        shown = sample.strftime(config.date_format)
    except (ValueError, TypeError):
        shown = config.date_format
    if shown == config.date_format or ("2026" not in shown and "26" not in shown):
        return [
            (
                f"date_format = {config.date_format!r}{where} shows no date",
                "set date_format to strftime codes, e.g. %Y-%m-%d or %d/%m/%Y",
            )
        ]
    return []


def _pipelines(config: Config, where: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    names = [p.name for p in config.pipelines]
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append((f"pipeline {name!r}{where} is defined twice", "give each [[pipelines]] its own name"))
    for pipeline in config.pipelines:
        stages = [s.name for s in pipeline.stages]
        for name in sorted({n for n in stages if stages.count(n) > 1}):
            found.append(
                (f"stage {name!r} of pipeline {pipeline.name!r}{where} is listed twice", "remove one of them")
            )
        for stage in pipeline.stages:
            label = f"stage {stage.name!r} of pipeline {pipeline.name!r}{where}"
            if not stage.name.strip():
                found.append(
                    (f"a stage of pipeline {pipeline.name!r}{where} has no name", "give every stage a name")
                )
            if not 0 <= stage.probability <= 100:
                found.append(
                    (f"{label} has probability {stage.probability}", "set a probability from 0 to 100")
                )
            idle = stage.idle_days
            if idle is not None and (isinstance(idle, bool) or not isinstance(idle, int) or idle < 1):
                found.append(
                    (
                        f"{label} has idle_days = {idle!r}",
                        "set idle_days to a whole number of days, 1 or more",
                    )
                )
    return found
