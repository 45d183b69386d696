"""What the classifier reads of the two whole documents, besides the blocks that changed.

A sentence is new only if the old document had it nowhere: text shown expanded where it was
collapsed, a section that gained or lost its annotations and glossary expansions, a sentence
moved to another block, all say nothing new. A name substituted the same way throughout the
document (Facebook → Meta, a company's new legal name) is a rename, not a new statement. And
a kind of data the old document already named is not a new category because a new heading
names it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

from watcher.classify.lexicon import Lexicon
from watcher.classify.sentences import sentences
from watcher.diff import BlockOp, Change, OpKind, SegmentKind
from watcher.normalize import BlockKind, Document

# A substitution counts as a rename when the same one is made in at least this many blocks,
# and each side is a name, not a reworded clause.
MIN_RENAMED_BLOCKS = 2
MAX_RENAME_WORDS = 5
# A sentence found inside a longer one of the other document counts as said there only from
# this many words: "Hashtags you use" is a list item, not a statement found in passing.
MIN_CONTAINED_WORDS = 5
_WORD = re.compile(r"\w+")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_TRAILING = re.compile(r"[\s.;:,!?…]+$")
# British and American spellings folded the same way (organisation/organization,
# behaviour/behavior, centre/center, licence/license, labelled/labeled, catalogue/catalog):
# only ever applied to both sides of a comparison, so a word folded wrongly folds alike.
_SPELLINGS = (
    (re.compile(r"(?<=\w)is(e|ed|es|ing|ation|ations|er|ers)\b"), r"iz\1"),
    (re.compile(r"(?<=\w)our(s|ed|ing|al|ite|ites)?\b"), r"or\1"),
    (re.compile(r"(?<=\w)tre(s)?\b"), r"ter\1"),
    (re.compile(r"(?<=\w)ence(s)?\b"), r"ense\1"),
    (re.compile(r"(?<=\w)ll(ed|ing)\b"), r"l\1"),
    (re.compile(r"(?<=\w)ogue(s)?\b"), r"og\1"),
)


def sentence_key(sentence: str) -> str:
    """What two sentences must share to be the same sentence: their words, case and
    British or American spelling aside."""
    key = _TRAILING.sub("", " ".join(sentence.casefold().split()))
    for pattern, replacement in _SPELLINGS:
        key = pattern.sub(replacement, key)
    return key


@dataclass(frozen=True)
class OldUses:
    """The purposes the old document states as uses (outside headings, which name topics,
    and outside denials), each (kind of data or other purpose, purpose) it states together in
    one such sentence, and those it states together in a denial ("we don't use…", "we have
    paused…")."""

    purposes: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    denied: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Pages:
    """The sentences and vocabulary of each whole document, and the uniform renames between
    them. `Pages.none()` knows nothing of the documents (a change read on its own)."""

    old_sentences: frozenset[str] = frozenset()
    new_sentences: frozenset[str] = frozenset()
    renames: tuple[tuple[str, str], ...] = ()
    known: bool = False
    # The old document's text and the lexicon, read for `old_data` only when a rule asks.
    old_whole: str = field(default="", repr=False, compare=False)
    new_whole: str = field(default="", repr=False, compare=False)
    # The old document without its headings: what it states, not the topics it names.
    old_statements: str = field(default="", repr=False, compare=False)
    lexicon: Lexicon | None = field(default=None, repr=False, compare=False)

    @cached_property
    def old_data(self) -> frozenset[str]:
        """The kinds of data the old document names anywhere."""
        if self.lexicon is None:
            return frozenset()
        return self.lexicon.data_categories.found_in(self.old_whole)

    @cached_property
    def old_uses(self) -> OldUses:
        """What the old document states of uses: see `OldUses`."""
        if self.lexicon is None:
            return OldUses()
        purposes: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        denied: set[tuple[str, str]] = set()
        for sentence in sentences(self.old_statements):
            stated = self.lexicon.purposes_in(sentence)
            if not stated:
                continue
            named = self.lexicon.data_categories.found_in(sentence) | stated
            found = {(other, purpose) for other in named for purpose in stated}
            if self.lexicon.negations.any_in(sentence):
                denied |= found  # "we have paused using public posts to train" states no use
            else:
                purposes |= stated
                pairs |= found
        return OldUses(frozenset(purposes), frozenset(pairs), frozenset(denied))

    @cached_property
    def effective_dates(self) -> tuple[frozenset[str], frozenset[str]]:
        """The dates each whole document states as its effective or last-updated date."""
        return _effective_dates(self.old_whole, self.lexicon), _effective_dates(
            self.new_whole, self.lexicon
        )

    @classmethod
    def none(cls) -> Pages:
        return cls()

    @classmethod
    def of(cls, change: Change, before: Document, after: Document, lexicon: Lexicon) -> Pages:
        renames = uniform_renames(change.ops, lexicon)
        old_texts = [block.text for block in before.blocks]
        new_texts = [block.text for block in after.blocks]
        old_keys = _keys(old_texts, renames)
        new_keys = _keys(new_texts, ())
        return cls(
            old_sentences=frozenset(old_keys),
            new_sentences=frozenset(new_keys),
            renames=renames,
            known=True,
            old_whole="\n".join(old_texts),
            new_whole="\n".join(new_texts),
            old_statements="\n".join(
                block.text for block in before.blocks if block.kind is not BlockKind.HEADING
            ),
            lexicon=lexicon,
        )

    def renamed(self, text: str) -> str:
        """`text` of the old document with the uniform renames applied."""
        for old, new in self.renames:
            text = _whole_phrase(old).sub(new, text)
        return text

    def old_key(self, sentence: str) -> str:
        return sentence_key(self.renamed(sentence))

    def in_old(self, sentence: str) -> bool:
        """A sentence of the new document that the old one had somewhere (renames aside): as
        a sentence, or word for word inside a longer one (a list once written inline in a
        table cell, lines an archive ran together)."""
        key = sentence_key(sentence)
        return key in self.old_sentences or _contained(key, self._old_flat)

    def in_new(self, sentence: str) -> bool:
        """A sentence of the old document that the new one still has somewhere."""
        key = self.old_key(sentence)
        return key in self.new_sentences or _contained(key, self._new_flat)

    @cached_property
    def _old_flat(self) -> str:
        return _flat(self.renamed(self.old_whole))

    @cached_property
    def _new_flat(self) -> str:
        return _flat(self.new_whole)


def _flat(text: str) -> str:
    """A whole document folded like a sentence key, one line per block."""
    return "\n".join(sentence_key(line) for line in text.split("\n"))


def _contained(key: str, flat: str) -> bool:
    """`key` inside `flat` as whole words, when it is long enough to mean something there."""
    if len(key.split()) < MIN_CONTAINED_WORDS or not flat:
        return False
    start = flat.find(key)
    while start != -1:
        end = start + len(key)
        if (start == 0 or not flat[start - 1].isalnum()) and (
            end == len(flat) or not flat[end].isalnum()
        ):
            return True
        start = flat.find(key, start + 1)
    return False


def states_effective_date(sentence: str, lexicon: Lexicon) -> bool:
    """A dated "Effective …" / "Last updated …" sentence."""
    return bool(ISO_DATE.search(sentence)) and lexicon.effective_date.any_in(sentence)


def _effective_dates(text: str, lexicon: Lexicon | None) -> frozenset[str]:
    if lexicon is None:
        return frozenset()
    return frozenset(
        date
        for sentence in sentences(text)
        if states_effective_date(sentence, lexicon)
        for date in ISO_DATE.findall(sentence)
    )


def _keys(texts: Iterable[str], renames: tuple[tuple[str, str], ...]) -> set[str]:
    keys: set[str] = set()
    for text in texts:
        renamed = text
        for old, new in renames:
            renamed = _whole_phrase(old).sub(new, renamed)
        keys.update(_text_keys(renamed))
    return keys


@lru_cache(maxsize=8192)
def _text_keys(text: str) -> frozenset[str]:
    """The sentence keys of one block's text: most blocks are the same on both sides of a
    change and in the next check's, so each is read once."""
    return frozenset(sentence_key(s) for s in sentences(text))


@cache
def _whole_phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def uniform_renames(ops: Iterable[BlockOp], lexicon: Lexicon) -> tuple[tuple[str, str], ...]:
    """Substitutions of a short phrase by another made the same way in several blocks, that
    change none of the classifier's words (a rename never adds a purpose, a kind of data, a
    negation…). Longest first, so that applying them in order replaces whole names."""
    counted: Counter[tuple[str, str]] = Counter()
    for op in ops:
        if op.op is OpKind.REPLACE:
            counted.update(set(_substitutions(op)))
    renames = [
        pair
        for pair, blocks in counted.items()
        if blocks >= MIN_RENAMED_BLOCKS and _is_name_swap(*pair, lexicon)
    ]
    # One old phrase renamed one way only: two different replacements are rewording.
    sources = Counter(old for old, _ in renames)
    kept = [(old, new) for old, new in renames if sources[old] == 1]
    return tuple(sorted(kept, key=lambda pair: (-len(pair[0]), pair)))


def _substitutions(op: BlockOp) -> list[tuple[str, str]]:
    """(removed, added) for each run of edited words of a replaced block."""
    found: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []
    for segment in (*op.words, None):
        if segment is not None and segment.op is SegmentKind.DELETE:
            removed.append(segment.text)
        elif segment is not None and segment.op is SegmentKind.INSERT:
            added.append(segment.text)
        else:
            if removed or added:
                found.append(("".join(removed).strip(), "".join(added).strip()))
            removed, added = [], []
    return found


def _is_name_swap(old: str, new: str, lexicon: Lexicon) -> bool:
    if not old or not new or old.casefold() == new.casefold():
        return False
    if any(character.isdigit() for character in old + new):
        return False  # dates and numbers are what they say, never a name
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    if not old_words or not new_words:
        return False
    if max(len(old_words), len(new_words)) > MAX_RENAME_WORDS:
        return False
    return all(
        terms.found_in(old) == terms.found_in(new)
        for terms in (
            lexicon.data_categories,
            lexicon.purposes,
            lexicon.negations,
            lexicon.opt_out,
            lexicon.region_clauses,
            lexicon.effective_date,
            lexicon.use_verbs,
            lexicon.collection_context,
            *lexicon.legal_bases.values(),
        )
    )
