"""Reading sources.yaml: file → YAML with lines → models → cross checks → Config.

`load_config` is the only function here that touches the file system (and the time-zone
database, through the models); `parse_config` takes the text and is what tests drive. Values
only: Apprise is never imported here (see `watcher.alerts.channel_config`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from pydantic import ValidationError

from notifiers.redact import redact_text
from watcher.config.explain import describe, explain
from watcher.config.locations import Problem, to_config_error
from watcher.config.references import check_references
from watcher.config.subscriptions import ConfigFileModel, check_subscription_references
from watcher.config.targets import Config, target_url
from watcher.config.textfile import MIB, UnreadableFileError, read_text_file
from watcher.config.yamltree import read_yaml
from watcher.errors import ConfigError

TOP_LEVEL_KEYS = tuple(ConfigFileModel.model_fields)
# A real sources.yaml is a few dozen KiB; this bound keeps a wrong path (a log file, a disk
# image) from being read whole into memory.
MAX_CONFIG_BYTES = MIB


def load_config(path: str | Path) -> Config:
    """Loads and validates a sources.yaml. Raises ConfigError (file, line, path, message).

    Values only: files named by `apprise_config:` and the Apprise URLs themselves are checked
    where they are used, by `watcher.alerts.resolve_subscriptions`.
    """
    file = str(path)
    try:
        text = read_text_file(path, limit=MAX_CONFIG_BYTES, expected="a YAML file")
    except UnreadableFileError as error:
        raise ConfigError(file, error.line, "", error.reason) from None
    return _parse(text, file)


def parse_config(text: str, *, file: str = "<config>") -> Config:
    """Validates the text of a sources.yaml; `file` is only used in error messages.

    Every problem found is reported: the raised error is the first in file order, the others are
    in its `more` attribute.
    """
    return _parse(text, file)


def _parse(text: str, file: str) -> Config:
    document = read_yaml(text)
    locations = document.locations
    problems = list(document.problems)
    data = document.data
    if problems and data is None:
        raise to_config_error(file, problems, locations)
    if not isinstance(data, dict):
        problems.append(
            Problem(
                (),
                f"expected a mapping with the keys {', '.join(TOP_LEVEL_KEYS)} at the top level, "
                f"got {describe(data, locations.spot(()))}",
                line=1 if data is None else None,
            )
        )
        raise to_config_error(file, problems, locations)
    problems += check_references(data, locations)
    problems += check_subscription_references(data, locations)
    try:
        model = ConfigFileModel.model_validate(data)
    except ValidationError as error:
        problems += explain(error, ConfigFileModel, locations)
        raise to_config_error(file, _redact_subscriptions(problems), locations) from None
    if problems:
        raise to_config_error(file, _redact_subscriptions(problems), locations)
    problems = _check_expanded_urls(model)
    if problems:
        raise to_config_error(file, problems, locations)
    return Config(
        file=file,
        regions=MappingProxyType(dict(model.regions)),
        defaults=model.defaults,
        browser=model.browser,
        sources=tuple(model.sources),
        subscriptions=tuple(model.subscriptions),
        politeness=model.politeness,
        locations=locations,
    )


def _redact_subscriptions(problems: list[Problem]) -> list[Problem]:
    """Apprise URLs are secrets: whatever a message about a subscription quotes, any URL in it
    is shown redacted (a token in a URL's host or path, not only a password)."""
    return [
        replace(problem, message=redact_text(problem.message))
        if problem.loc[:1] == ("subscriptions",)
        else problem
        for problem in problems
    ]


def _check_expanded_urls(model: ConfigFileModel) -> list[Problem]:
    """Each URL template was checked with sample values; this checks it with the real ones."""
    problems: list[Problem] = []
    for index, source in enumerate(model.sources):
        for region_id in source.regions:
            try:
                target_url(source, region_id, model.regions[region_id])
            except ValueError as error:
                problems.append(
                    Problem(("sources", index, "url"), f"for region {region_id!r}: {error}")
                )
                break
    return problems
