"""Scandinavian text normalisation for aligning allocations to a strategy.

No Django here: the classifier must be testable and benchmarkable on its own.

The pipeline per token is: fold letters and spelling variants -> drop stop words -> stem ->
split compounds against a vocabulary of known stems. Stemming costs ~35 µs per call, so the
result is cached per surface token; a grant corpus has a small vocabulary, so after warm-up a
document costs one regex pass plus one dict lookup per token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import chain

import snowballstemmer

STEMMER_BY_LANGUAGE = {
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "da": "danish",
    "sv": "swedish",
}

# Letters outside Norwegian folded onto their Norwegian twin so Danish, Swedish and Norwegian
# texts share stems ("företag"/"foretak" still differ, but "miljö"/"miljø" meet).
LETTER_FOLDS = (
    ("ö", "ø"),
    ("ä", "æ"),
    ("é", "e"),
    ("è", "e"),
    ("ê", "e"),
    ("ü", "u"),
    ("á", "a"),
    ("à", "a"),
    ("ó", "o"),
    ("ô", "o"),
    ("\u00ad", ""),
    ("\u200b", ""),
    ("\u2010", "-"),
    ("\u2011", "-"),
)
FOLDABLE_RE = re.compile("[" + "".join(letter for letter, _ in LETTER_FOLDS) + "]")
TOKEN_RE = re.compile(r"[a-zæøå0-9]+(?:-[a-zæøå]+)*")


def fold_letters(text: str) -> str:
    for letter, folded in LETTER_FOLDS:
        if letter in text:
            text = text.replace(letter, folded)
    return text


# Short, hand-written stop word lists: function words that say nothing about a grant's purpose.
STOP_WORDS = {
    "nb": """og i på til for av med som er en et ei det den de at fra om har ikke skal kan vil
        blir ble var være vært også eller men så seg sin sine sitt til ved etter over under mot
        hos mellom denne dette disse der her hvor hva hvordan når enn mer mest mange flere alle andre
        vår våre deres dem oss vi jeg du han hun seg selv bare bl.a mv m.m""",
    "nn": """og i på til for av med som er ein eit det den dei at frå om har ikkje skal kan vil
        blir vart var vere vore òg eller men så seg sin sine sitt ved etter over under mot hjå
        denne dette desse der her kvar kva korleis når enn meir mest mange fleire alle andre
        vår våre deira oss vi eg du han ho sjølv berre""",
    "sv": """och i på till för av med som är en ett det den de att från om har inte ska kan vill
        blir blev var vara varit också eller men så sig sin sina sitt vid efter över under mot
        hos denna detta dessa där här var vad hur när än mer mest många fler alla andra vår våra
        deras dem oss vi jag du han hon själv bara""",
    "da": """og i på til for af med som er en et det den de at fra om har ikke skal kan vil
        bliver blev var være været også eller men så sig sin sine sit ved efter over under mod
        hos denne dette disse der her hvor hvad hvordan når end mere mest mange flere alle andre
        vores deres dem os vi jeg du han hun selv kun samt gennem blandt mellem projektet projekt""",
}
ALL_STOP_WORDS = frozenset(
    fold_letters(unicodedata.normalize("NFC", word)) for words in STOP_WORDS.values() for word in words.split()
)

# Nynorsk -> bokmål, whole words. Kept short: the stemmer and the suffix folds do most of the work.
NYNORSK_WORDS = {
    "ikkje": "ikke",
    "kva": "hva",
    "korleis": "hvordan",
    "mykje": "mye",
    "heile": "hele",
    "saman": "sammen",
    "auke": "øke",
    "auka": "økt",
    "frå": "fra",
    "berre": "bare",
    "meir": "mer",
    "fleire": "flere",
    "kunnskapen": "kunnskap",
    "tilsette": "ansatte",
    "høgare": "høyere",
    "høg": "høy",
    "høgskule": "høyskole",
    "skule": "skole",
    "kommunane": "kommunene",
    "fylket": "fylke",
}
# Word beginnings that differ between the written standards (also inside compounds).
VARIANT_PREFIXES = (
    ("berekraft", "bærekraft"),
    ("verksemd", "virksomhet"),
    ("næringsliv", "næringsliv"),
    ("høgskule", "høyskole"),
    ("skule", "skole"),
    ("arbeidsplass", "arbeidsplass"),
    ("samfunn", "samfunn"),
    ("heilskap", "helhet"),
    ("utdanning", "utdanning"),
)
# Stem endings folded to one form: nn -heit/-leg/-ing vs nb -het/-lig/-ning, da -hed.
STEM_SUFFIX_FOLDS = (("heit", "het"), ("hed", "het"), ("leg", "lig"), ("ning", "ing"))

# Caches are cleared when they grow past this many entries (bounds memory on huge corpora).
CACHE_LIMIT = 500_000
LINKING_LETTERS = ("s", "e")
INFLECTION_ENDINGS = ("ene", "ane", "ers", "ens", "en", "et", "er", "ar", "a", "e")
MIN_PART = 4


def normalise(text: str | None) -> str:
    """Unicode-normalised, lowercased, Scandinavian-letter-folded text."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).lower()
    # str.translate with a dict is slow (~0.2 µs per character); a few str.replace calls are not.
    if FOLDABLE_RE.search(text):
        text = fold_letters(text)
    # Old Danish/Norwegian spelling "aa" is the letter "å" ("Aalborg", "haandværk").
    return text.replace("aa", "å") if "aa" in text else text


def chunks(text: str | None) -> list[str]:
    """Whitespace-separated chunks: splitting on spaces is ~5x faster than the token regex, and
    the regex then runs once per distinct chunk (cached) instead of once per text."""
    return normalise(text).split()


def tokenise(text: str | None) -> list[str]:
    """Word tokens of a normalised text; hyphenated compounds stay one token (hyphen kept)."""
    return TOKEN_RE.findall(normalise(text))


def fold_variant(token: str) -> str:
    """Fold nynorsk and old Danish spellings onto the bokmål form of the word."""
    token = NYNORSK_WORDS.get(token, token)
    for variant, standard in VARIANT_PREFIXES:
        if token.startswith(variant):
            return standard + token[len(variant) :]
    return token


def fold_stem(stem: str) -> str:
    for variant, standard in STEM_SUFFIX_FOLDS:
        if stem.endswith(variant) and len(stem) > len(variant) + 2:
            return stem[: -len(variant)] + standard
    return stem


class Analyser:
    """Token -> tuple of stems (the word's own stem plus its compound parts), cached.

    `vocabulary` holds known stems and surface words (strategy keywords, frequent training
    words); compounds are split greedily against it so "reiselivsbedrift" yields
    ("reiselivsbedrift", "reiseliv", "bedrift").
    """

    def __init__(self, language: str = "nb", vocabulary: Iterable[str] = ()):
        self.language = language
        self.stemmer = snowballstemmer.stemmer(STEMMER_BY_LANGUAGE.get(language, "norwegian"))
        self.vocabulary = set()
        self.cache: dict[str, tuple[str, ...]] = {}
        self.chunk_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.add_vocabulary(vocabulary)

    def __getstate__(self):
        return {"language": self.language, "vocabulary": self.vocabulary}

    def __setstate__(self, state):
        self.__init__(state["language"])
        self.vocabulary = state["vocabulary"]

    def add_vocabulary(self, words: Iterable[str]) -> None:
        for word in words:
            word = fold_variant(normalise(word))
            if len(word) >= MIN_PART - 1:
                self.vocabulary.add(word)
                self.vocabulary.add(self.stem(word))
        self.cache.clear()
        self.chunk_cache.clear()

    def stem(self, token: str) -> str:
        return fold_stem(self.stemmer.stemWord(token))

    def analyse_token(self, token: str) -> tuple[str, ...]:
        stems = self.cache.get(token)
        if stems is None:
            if len(self.cache) > CACHE_LIMIT:
                self.cache.clear()
            stems = self.cache[token] = self._analyse(token)
        return stems

    def _analyse(self, token: str) -> tuple[str, ...]:
        token = fold_variant(token.replace("-", ""))
        if token in ALL_STOP_WORDS or len(token) < 2 or token.isdigit():
            return ()
        own = self.stem(token)
        parts = [part for part in self.split_compound(token, own) if part != own]
        return (own, *dict.fromkeys(parts))

    def split_compound(self, token: str, own: str = "") -> list[str]:
        """Stems of the parts of a compound, [] when no known part is found."""
        # A split point must leave a real word after it, not an inflection: the word's own stem
        # has to reach at least MIN_PART - 1 letters past the head ("produk|ter" is no compound).
        limit = len(own or self.stem(token)) - MIN_PART + 1
        parts = self._split_from_left(token, limit)
        if parts:
            return parts
        head, tail = self._known_suffix(token)
        return [self.stem(head), tail] if tail else []

    def _split_from_left(self, token: str, limit: int | None = None) -> list[str]:
        last = len(token) - MIN_PART if limit is None else min(limit, len(token) - MIN_PART)
        for end in range(last, MIN_PART - 1, -1):
            head = token[:end]
            if head in self.vocabulary:
                return [self.stem(head), *self._split_rest(token[end:])]
        return []

    def _split_rest(self, rest: str) -> list[str]:
        candidates = [rest] + [rest[1:] for link in LINKING_LETTERS if rest.startswith(link)]
        for candidate in candidates:
            parts = self._split_from_left(candidate)
            if parts:
                return parts
        for candidate in reversed(candidates):
            if len(candidate) >= MIN_PART - 1 and candidate not in ALL_STOP_WORDS:
                return [self.stem(candidate)]
        return []

    def _known_suffix(self, token: str) -> tuple[str, str]:
        for start in range(MIN_PART, len(token) - MIN_PART):
            tail = token[start:]
            if tail in self.vocabulary or self._bare(tail) in self.vocabulary:
                head = token[:start]
                head = head[:-1] if head[-1] in LINKING_LETTERS and len(head) > MIN_PART else head
                return head, self.stem(tail)
        return "", ""

    @staticmethod
    def _bare(word: str) -> str:
        """The word without a common inflection ending: cheaper than stemming every tail."""
        for ending in INFLECTION_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_PART:
                return word[: -len(ending)]
        return word

    def analyse_chunk(self, chunk: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(all stems, main stems) of a whitespace-separated chunk such as "forskning/udvikling,"."""
        entry = self.chunk_cache.get(chunk)
        if entry is None:
            if len(self.chunk_cache) > CACHE_LIMIT:
                self.chunk_cache.clear()
            per_token = [self.analyse_token(token) for token in TOKEN_RE.findall(chunk)]
            entry = (tuple(chain.from_iterable(per_token)), tuple(stems[0] for stems in per_token if stems))
            self.chunk_cache[chunk] = entry
        return entry

    def analyse(self, text: str | None) -> list[str]:
        """Stems of a text, compound parts included, in order."""
        return [stem for chunk in chunks(text) for stem in self.analyse_chunk(chunk)[0]]

    def main_stems(self, text: str | None) -> list[str]:
        """One stem per word (no compound parts, no stop words): used for word bigrams."""
        return [stem for chunk in chunks(text) for stem in self.analyse_chunk(chunk)[1]]
