"""The purpose families name phrases of the language files' `purposes` lists: a family phrase
no language lists would group nothing, and would hide that the two files drifted apart."""

from __future__ import annotations

from importlib import resources

import yaml

from watcher.classify.lexicon import LANGUAGES, default_lexicon


def _lexicon_file(name: str) -> object:
    folder = resources.files("watcher.classify").joinpath("lexicons")
    return yaml.safe_load(folder.joinpath(name).read_text("utf-8"))


def test_every_family_phrase_is_a_purpose_phrase_of_some_language() -> None:
    listed: set[str] = set()
    for language in LANGUAGES:
        document = _lexicon_file(f"{language}.yaml")
        assert isinstance(document, dict)
        listed |= {str(p).casefold().strip().rstrip("*") for p in document["purposes"]}
    families = _lexicon_file("purpose_families.yaml")
    assert isinstance(families, dict)
    strays = sorted(
        phrase
        for phrases in families.values()
        for phrase in (str(p).casefold().strip().rstrip("*") for p in phrases)
        if phrase not in listed
    )
    assert strays == []


def test_phrases_of_one_family_read_as_one_purpose() -> None:
    lexicon = default_lexicon()
    assert lexicon.purposes_in("We use training data to train our models.") == {"ai_training"}
    assert lexicon.purposes_in("Nous utilisons vos données pour la publicité.") == {"ads"}
