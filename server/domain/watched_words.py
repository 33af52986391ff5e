"""Watched words: the terms a conference's moderators block, hold for approval or flag.

Why it is built this way:

* **Whole words, not substrings.** Substring matching is the Scunthorpe problem: "ass" in
  "assessment", "cock" in "cocktail", "tit" in "titration", "cum" in "cumulative". A pattern
  matches whole words only; ``*`` at the start or end of a pattern word widens it on purpose
  (``idiot*``), and a trailing ``s``/``es`` plural is accepted.
* **Evasions are folded away before matching.** Case, NFKC width/compatibility forms
  (fullwidth, mathematical letters, ligatures), accents, zero-width and other format
  characters, common Cyrillic/Greek look-alikes, digit and symbol substitutions (``sh1t``,
  ``@ss``, ``a$$``), masking (``f*ck``), stretched letters (``fuuuck``) and letters spelt out
  with the same separator between each (``f u c k``, ``f.u.c.k``, ``f-u-c-k``).
* **Medical vocabulary never fires.** Watching a term that is ordinary clinical vocabulary
  ("breast", "rectal", "penile") is refused (:func:`medical_term`). A few everyday watch-list
  words also have clinical meanings ("anal fissure", "sex-specific", "nude mice", "needle
  prick", "47,XXX"): a match on one of those is ignored when clinical context words stand
  within two words of it. ``tests/unit/test_watched_words.py`` runs a corpus of radiology
  phrases against a realistic watch list and must find nothing.
* **Linear and regex-light.** Text is tokenised once; exact pattern words are found by a
  dictionary lookup on the letters with repeats squeezed, so the cost per post does not grow
  with the size of the list (wildcard patterns are the exception and are few).

Offsets in :class:`Match` are Python ``str`` indices into the original text, end exclusive.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby, pairwise, product
from typing import Final, Literal

__all__ = [
    "ACTIONS",
    "Action",
    "Match",
    "Matcher",
    "PatternError",
    "WatchedTerm",
    "medical_term",
    "normalise_pattern",
    "strongest",
]

Action = Literal["block", "hold", "flag"]
#: Strongest first: a post matching several terms gets the strongest action.
ACTIONS: Final[tuple[Action, ...]] = ("block", "hold", "flag")

MAX_PATTERN_CHARS: Final = 100
MAX_PATTERN_WORDS: Final = 5

# Look-alikes that survive NFKC + casefold: Cyrillic and Greek letters drawn like Latin ones.
# (Cyrillic a b e yo k m n o r s t u h i yi je dze shha komi-de qa we, Latin script g and
# dotless i, Greek alpha beta epsilon eta iota kappa nu omicron rho tau upsilon chi lunate
# sigma omega mu.)
_HOMOGLYPHS: Final[dict[str, str]] = dict(
    zip(
        "\u0430\u0432\u0435\u0451\u043a\u043c\u043d\u043e\u0440\u0441\u0442\u0443"
        "\u0445\u0456\u0457\u0458\u0455\u04bb\u0501\u051b\u051d\u0261\u0131\u03b1"
        "\u03b2\u03b5\u03b7\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u03f2"
        "\u03c9\u03bc",
        "abeekmhopctyxiijshdqwgiabenikvoptuxcwu",
        strict=True,
    )
)

# Digits and symbols standing in for letters inside a word; "1" reads as i or l.
_LEET: Final[dict[str, tuple[str, ...]]] = {
    "0": ("o",), "1": ("i", "l"), "3": ("e",), "4": ("a",), "5": ("s",), "7": ("t",),
    "8": ("b",), "9": ("g",), "@": ("a",), "$": ("s",), "!": ("i",),
}  # fmt: skip
_SYMBOLS: Final = frozenset("@$!*")
_MAX_VARIANTS: Final = 8
#: Separators that may stand between spelt-out letters (``f.u.c.k``), at most this long.
_MAX_SPELL_SEPARATOR: Final = 3
_MIN_SPELT_LETTERS: Final = 3
_CONTEXT_WINDOW: Final = 2


class PatternError(ValueError):
    """A watched-word pattern that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class WatchedTerm:
    """One watched pattern (normalised, see :func:`normalise_pattern`) and its action."""

    pattern: str
    action: Action


@dataclass(frozen=True, slots=True)
class Match:
    """``text[start:end]`` matched ``pattern``, whose action is ``action``."""

    pattern: str
    action: Action
    start: int
    end: int


# ------------------------------------------------------------------------------------------
# Folding and tokenising
# ------------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character as matching sees it: '' for format/zero-width and combining marks."""
    if unicodedata.category(ch) == "Cf":
        return ""
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", stripped).casefold()
    return "".join(_HOMOGLYPHS.get(c, c) for c in folded)


def _fold(text: str) -> Iterator[tuple[str, int]]:
    """The folded characters of ``text`` with the index of the character each came from."""
    for index, ch in enumerate(text):
        for out in _fold_char(ch):
            yield out, index


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _SYMBOLS


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    #: What the token may stand for: itself, its de-leeted readings, without a leading ``@``.
    forms: frozenset[str] = field(default_factory=frozenset)
    #: The separator text up to the next token.
    sep: str = ""

    @property
    def has_letters(self) -> bool:
        return any(c.isalpha() for form in self.forms for c in form)


def _readings(token: str) -> frozenset[str]:
    """The words ``token`` may be standing for (``sh1t`` -> ``shit``, ``shlt``)."""
    forms = {token}
    if (any(c.isalpha() for c in token) or "@" in token or "$" in token) and any(
        c in _LEET for c in token
    ):
        choices = [_LEET.get(c, (c,)) for c in token]
        for count, letters in enumerate(product(*choices)):
            if count >= _MAX_VARIANTS:
                break
            forms.add("".join(letters))
        if token.startswith("@") and len(token) > 1:  # a mention, not an "a"
            forms |= _readings(token[1:])
    return frozenset(forms)


def _raw_tokens(text: str) -> list[tuple[_Token, str]]:
    """Tokens with the separator text that follows each one."""
    chars = list(_fold(text))
    tokens: list[tuple[_Token, str]] = []
    i, n = 0, len(chars)
    while i < n:
        if not _is_word_char(chars[i][0]):
            if tokens:
                prev, sep = tokens[-1]
                tokens[-1] = (prev, sep + chars[i][0])
            i += 1
            continue
        j = i
        while j < n and _is_word_char(chars[j][0]):
            j += 1
        word = "".join(c for c, _ in chars[i:j])
        # Trailing/leading punctuation-like symbols ("wow!!", "*note*") are not letters.
        lead = len(word) - len(word.lstrip("!*"))
        word = word.strip("!*")
        if word:
            start = chars[i + lead][1]
            end = chars[i + lead + len(word) - 1][1] + 1
            tokens.append((_Token(word, start, end), ""))
        i = j
    return tokens


def _is_spelt_letter(token: _Token) -> bool:
    return len(token.text) == 1 and (token.text.isalpha() or token.text in _LEET)


def _tokens(text: str) -> list[_Token]:
    """Tokenise, joining letters spelt out with one repeated separator (``f . u . c . k``)."""
    raw = _raw_tokens(text)
    out: list[_Token] = []
    i = 0
    while i < len(raw):
        token, sep = raw[i]
        run_end = i
        if _is_spelt_letter(token) and 0 < len(sep) <= _MAX_SPELL_SEPARATOR and "\n" not in sep:
            while (
                run_end + 1 < len(raw)
                and _is_spelt_letter(raw[run_end + 1][0])
                and raw[run_end][1] == sep
            ):
                run_end += 1
        if run_end - i + 1 >= _MIN_SPELT_LETTERS:
            letters = "".join(t.text for t, _ in raw[i : run_end + 1])
            out.append(_Token(letters, token.start, raw[run_end][0].end, sep=raw[run_end][1]))
            i = run_end + 1
        else:
            token.sep = sep
            out.append(token)
            i += 1
    for token in out:
        token.forms = _readings(token.text)
    return out


def _squeeze(word: str) -> tuple[str, tuple[int, ...]]:
    """Letters with repeats collapsed, and each run's length: ``fuuck`` -> ``fuck, (1,2,1,1)``."""
    runs = [(ch, len(list(group))) for ch, group in groupby(word)]
    return "".join(ch for ch, _ in runs), tuple(count for _, count in runs)


def _singulars(form: str) -> Iterator[str]:
    yield form
    if len(form) > 3 and form.endswith("s"):
        yield form[:-1]
        if form.endswith("es"):
            yield form[:-2]


# ------------------------------------------------------------------------------------------
# Patterns
# ------------------------------------------------------------------------------------------
_PATTERN_CHARS = re.compile(r"[\w*' \-]+")


def normalise_pattern(raw: str) -> str:
    """The canonical form of a pattern (the uniqueness key); :class:`PatternError` if unusable.

    Words are letters and digits; hyphens and apostrophes separate words like spaces; ``*``
    may open or close a word.
    """
    if not isinstance(raw, str):
        raise PatternError("A pattern is a word or a short phrase.")
    folded = "".join(c for c, _ in _fold(raw)).strip()
    if not folded:
        raise PatternError("Write a word or a short phrase.")
    if len(folded) > MAX_PATTERN_CHARS:
        raise PatternError(f"Patterns are at most {MAX_PATTERN_CHARS} characters.")
    if not _PATTERN_CHARS.fullmatch(folded) or "_" in folded:
        raise PatternError("Use letters, digits and spaces, with * at the start or end of a word.")
    words = folded.replace("-", " ").replace("'", " ").split()
    if not words or len(words) > MAX_PATTERN_WORDS:
        raise PatternError(f"A pattern is one to {MAX_PATTERN_WORDS} words.")
    for word in words:
        core = word.strip("*")
        if "*" in core or word.count("*") > 2:
            raise PatternError("* may only open or close a word (idiot*, *phobe).")
        if not any(c.isalpha() for c in core):
            raise PatternError("Every word of a pattern needs a letter.")
    if max(sum(c.isalpha() for c in w) for w in words) < 2:
        raise PatternError("A pattern needs a word of at least two letters.")
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # without the wildcards
    prefix: bool  # "*phobe": anything may come before
    suffix: bool  # "idiot*": anything may come after
    squeezed: str
    runs: tuple[int, ...]

    @classmethod
    def of(cls, word: str) -> _Word:
        core = word.strip("*")
        squeezed, runs = _squeeze(core)
        return cls(core, word.startswith("*"), word.endswith("*"), squeezed, runs)

    @property
    def exact(self) -> bool:
        return not (self.prefix or self.suffix)

    def _exact_form(self, form: str) -> bool:
        squeezed, runs = _squeeze(form)
        return squeezed == self.squeezed and all(
            got >= want for got, want in zip(runs, self.runs, strict=True)
        )

    def _masked_form(self, form: str) -> bool:
        """``f*ck``, ``sh**`` is not enough: the first letter and half the letters show."""
        if len(form) != len(self.text) or not form[0].isalpha():
            return False
        if sum(c.isalpha() for c in form) * 2 < len(form):
            return False
        return all(got in ("*", want) for got, want in zip(form, self.text, strict=True))

    def matches(self, token: _Token) -> bool:
        for form in token.forms:
            if "*" in form:
                if self.exact and self._masked_form(form):
                    return True
                continue
            if self.exact:
                if any(self._exact_form(s) for s in _singulars(form)):
                    return True
            elif (
                (self.prefix or form.startswith(self.text))
                and (self.suffix or form.endswith(self.text))
                and self.text in form
            ):
                return True
        return False


@dataclass(frozen=True, slots=True)
class _Pattern:
    term: WatchedTerm
    words: tuple[_Word, ...]


# ------------------------------------------------------------------------------------------
# Medical vocabulary
# ------------------------------------------------------------------------------------------
#: Clinical words that are never watched: patterns equal to one are refused, and a wildcard
#: pattern that reaches one of them ("cock*" -> "cocktail") does not fire on it.
MEDICAL_VOCABULARY: Final = frozenset(
    """
    abdomen abdominal adnexa adnexal analysis analyses analgesia analgesic analog analogue
    analyte analytic analytical anatomy anus areola areolar assay assays assessment
    assessments assist assisted bladder breast breasts buttock buttocks cervical cervix
    clitoral clitoris cockcroft cocktail cocktails colon colorectal cumulative cumulatively
    ejaculatory epididymal epididymis erectile erection fecal feces fetal fetus foreskin
    gluteal groin hymen intercourse labia labial mamma mammary mammogram mammography
    mastectomy menses menstrual nipple nipples ovarian ovaries ovary pelvic pelvis penile
    penis perianal perineal perineum prostate prostatic pubic pubis rectal rectum scrotal
    scrotum semen seminal sexes sexual sexually sperm sphincter testes testicle testicles
    testicular testis titrate titrated titration titanium transrectal transvaginal urethra
    urethral urinary urine uterine uterus vagina vaginal vulva vulvar
    """.split()
)

#: Everyday watch-list words that are also clinical: ignored next to clinical context.
AMBIGUOUS_MEDICAL: Final = frozenset("anal ass cum nude prick sex xxx".split())

#: Words that make an ambiguous neighbour clinical ("anal fissure", "sex-specific").
MEDICAL_CONTEXT: Final = MEDICAL_VOCABULARY | frozenset(
    """
    abscess abscesses adjusted age aged ages allergy allergen athymic atresia based biopsy
    cancer cancers canal carcinoma carcinomas chromosome chromosomes crypt crypts cushion
    deficiency determination differences difference disparities distribution dysfunction
    dysplasia endosonography eus examination female females finger fissure fissures
    fistula fistulae fistulas fistulogram function gland glands health hormone hormones
    imaging karyotype laude linked lesion lesions magna male males margin marrow matched
    melanoma mg mice mosaic mouse mri needle needlestick neoplasm neoplasms patients pin
    prof professor rat rats ratio receptor region related reassignment sarcoma skin
    specific squamous steroid steroids stratified summa syndrome test testing therapy
    transmitted trisomy triple tumor tumors tumour tumours ultrasound verge
    """.split()
)


def _medical_forms(token: _Token) -> set[str]:
    return {s for form in token.forms for s in _singulars(form)}


def medical_term(pattern: str) -> bool:
    """Whether a normalised pattern is clinical vocabulary (watching it would misfire)."""
    return pattern in MEDICAL_VOCABULARY


def _suppressed(tokens: list[_Token], first: int, last: int) -> bool:
    if first == last:
        forms = _medical_forms(tokens[first])
        if forms & MEDICAL_VOCABULARY:
            return True
        if forms & AMBIGUOUS_MEDICAL:
            lo, hi = max(0, first - _CONTEXT_WINDOW), min(len(tokens), last + _CONTEXT_WINDOW + 1)
            neighbours = tokens[lo:first] + tokens[last + 1 : hi]
            return any(_medical_forms(t) & MEDICAL_CONTEXT for t in neighbours)
    return False


# ------------------------------------------------------------------------------------------
# Matching
# ------------------------------------------------------------------------------------------
class Matcher:
    """A conference's watch list, ready to scan posts; build once per list, reuse."""

    def __init__(self, terms: Iterable[WatchedTerm]) -> None:
        self._by_squeezed: dict[str, list[_Pattern]] = {}
        self._by_length: dict[int, list[_Pattern]] = {}
        self._wild: list[_Pattern] = []
        for term in terms:
            pattern = _Pattern(term, tuple(_Word.of(w) for w in term.pattern.split()))
            head = pattern.words[0]
            if head.exact:
                self._by_squeezed.setdefault(head.squeezed, []).append(pattern)
                self._by_length.setdefault(len(head.text), []).append(pattern)
            else:
                self._wild.append(pattern)

    def _candidates(self, token: _Token) -> Iterator[_Pattern]:
        seen: set[int] = set()
        for form in token.forms:
            if "*" in form:
                found: list[_Pattern] = self._by_length.get(len(form), [])
            else:
                found = [
                    p for s in _singulars(form) for p in self._by_squeezed.get(_squeeze(s)[0], [])
                ]
            for pattern in found:
                if id(pattern) not in seen:
                    seen.add(id(pattern))
                    yield pattern
        yield from self._wild

    def find(self, text: str) -> list[Match]:
        """Every watched term in ``text``, in text order."""
        if not self._by_squeezed and not self._wild:
            return []  # an empty list (most conferences): no need to tokenise
        tokens = [t for t in _tokens(text) if t.has_letters]
        matches: list[Match] = []
        for i, token in enumerate(tokens):
            for pattern in self._candidates(token):
                last = i + len(pattern.words) - 1
                if last >= len(tokens):
                    continue
                if not all(
                    w.matches(tokens[i + k]) for k, w in enumerate(pattern.words)
                ) or _suppressed(tokens, i, last):
                    continue
                matches.append(
                    Match(pattern.term.pattern, pattern.term.action, token.start, tokens[last].end)
                )
        for joined in _hyphen_joined(tokens):
            for pattern in self._candidates(joined):
                if (
                    len(pattern.words) == 1
                    and pattern.words[0].matches(joined)
                    and not _suppressed([joined], 0, 0)
                ):
                    matches.append(
                        Match(pattern.term.pattern, pattern.term.action, joined.start, joined.end)
                    )
        matches.sort(key=lambda m: (m.start, m.end))
        return matches


def _hyphen_joined(tokens: list[_Token]) -> Iterator[_Token]:
    """``ass-hole``, ``0nly-fans``: two words split by one hyphen, read as one word."""
    for first, second in pairwise(tokens):
        if first.sep == "-":
            joined = _Token(first.text + second.text, first.start, second.end)
            joined.forms = _readings(joined.text)
            yield joined


def strongest(matches: Iterable[Match]) -> Action | None:
    """The action a post gets: block beats hold beats flag."""
    actions = {m.action for m in matches}
    return next((a for a in ACTIONS if a in actions), None)
