"""Aligning grant allocations to a strategy's elements: a scikit-learn-style estimator.

No Django here. Allocations and strategy elements are plain dicts (see `StrategyAligner`).

Two parts, blended per element:
- a zero-shot prior: BM25 between the allocation's stems and an element "profile" built from the
  strategy itself (keywords > names > descriptions), plus industry-code prefix rules;
- a learned part, once labels exist: one-vs-rest logistic regression on TF-IDF of stems, word
  bigrams, character n-grams of stems, categorical fields and the prior scores themselves.
  Its weight per element grows with the element's number of positive labels, so a handful of
  labels nudge the prior and thousands dominate it.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Sequence
from itertools import chain, pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from snu.classify.text import CACHE_LIMIT, Analyser, chunks, tokenise

KINDS = ("focus_area", "driver", "advantage", "target_area")
TEXT_FIELDS = (("title", 2.0), ("description", 1.0), ("scheme", 1.0), ("funding_source", 1.0))
PROFILE_WEIGHTS = {"keywords": 3.0, "name": 2.0, "description": 1.0}
CHAR_NGRAMS = (3, 4, 5)
BM25_K1, BM25_B = 1.2, 0.5
ROUND = 4


def industry_digits(code) -> str:
    return "".join(ch for ch in str(code or "") if ch.isdigit())


class TermSpace:
    """Vocabularies and the per-chunk caches that turn allocation dicts into sparse counts."""

    def __init__(self, analyser, words: dict, bigrams: dict, chars: dict, categories: dict, max_words=None):
        self.analyser, self.words, self.bigrams, self.max_words = analyser, words, bigrams, max_words
        self.chars, self.categories = chars, categories
        # Bigrams are matched in numpy: stem ids -> key a * n + b, searched in a sorted key array.
        stems = sorted({stem for pair in bigrams for stem in pair})
        self.stem_ids = {stem: i for i, stem in enumerate(stems)}
        keys = np.array([self.pair_key(a, b) for a, b in bigrams], dtype=np.int64)
        order = np.argsort(keys)
        self.bigram_keys = keys[order]
        self.bigram_cols = len(words) + np.array(list(bigrams.values()), dtype=np.int64)[order]
        self._reset_caches()

    def pair_key(self, a: str, b: str) -> int:
        return self.stem_ids[a] * len(self.stem_ids) + self.stem_ids[b]

    def _reset_caches(self):
        # Per whitespace chunk: word ids (stems + compound parts), main stem ids, char n-gram ids.
        self.word_cache: dict[str, tuple[int, ...]] = {}
        self.main_cache: dict[str, tuple[int, ...]] = {}
        self.char_cache: dict[str, tuple[int, ...]] = {}

    def __getstate__(self):
        return {key: value for key, value in self.__dict__.items() if not key.endswith("_cache")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset_caches()

    def learn_chunk(self, chunk: str) -> None:
        if len(self.word_cache) > CACHE_LIMIT:
            self._reset_caches()
        stems, mains = self.analyser.analyse_chunk(chunk)
        self.word_cache[chunk] = tuple(self.words[s] for s in stems if s in self.words)
        self.main_cache[chunk] = tuple(self.stem_ids.get(main, -1) for main in mains)
        grams = (g for main in mains for g in char_grams(main))
        self.char_cache[chunk] = tuple(self.chars[g] for g in grams if g in self.chars)

    def counts(self, X: Sequence[dict], with_chars: bool = True, with_categories: bool = True):
        """(word+bigram counts, char counts, categorical indicators) as CSR matrices."""
        word, char, mains = _Triplets(), _Triplets(), _Triplets()
        for row, x in enumerate(X):
            for field, weight in TEXT_FIELDS:
                text = x.get(field)
                if text:
                    self._add_field(row, str(text), weight, word, char if with_chars else None, mains)
        n = len(X)
        self._add_bigrams(mains, word)
        categories = self.category_matrix(X) if with_categories else None
        return word.matrix(n, len(self.words) + len(self.bigrams)), char.matrix(n, len(self.chars)), categories

    def _add_field(self, row, text: str, weight: float, word: _Triplets, char: _Triplets | None, mains):
        # The hot path of prediction: whole-list lookups with map/chain so the per-word work runs
        # in C. Main stem ids are collected for `_add_bigrams`, -1 closing each field.
        words = chunks(text)[: self.max_words]
        for chunk in set(words).difference(self.word_cache):
            self.learn_chunk(chunk)
        word.add(row, list(chain.from_iterable(map(self.word_cache.__getitem__, words))), weight)
        if len(self.bigram_keys):
            stem_ids = list(chain.from_iterable(map(self.main_cache.__getitem__, words)))
            stem_ids.append(-1)
            mains.add(row, stem_ids, weight)
        if char is not None:
            char.add(row, list(chain.from_iterable(map(self.char_cache.__getitem__, words))), weight)

    def _add_bigrams(self, mains: _Triplets, word: _Triplets) -> None:
        """Adjacent main stems (stop words skipped) that form a known bigram, for a whole batch."""
        if not mains.cols:
            return
        ids = np.asarray(mains.cols, dtype=np.int64)
        first, second = ids[:-1], ids[1:]
        keys = first * len(self.stem_ids) + second
        position = np.minimum(np.searchsorted(self.bigram_keys, keys), len(self.bigram_keys) - 1)
        hit = (first >= 0) & (second >= 0) & (self.bigram_keys[position] == keys)
        word.extend(mains.rows[:-1][hit], self.bigram_cols[position[hit]], mains.vals[:-1][hit])

    def category_matrix(self, X: Sequence[dict]):
        triplets = _Triplets()
        for row, x in enumerate(X):
            ids = [self.categories[c] for c in category_tokens(x) if c in self.categories]
            triplets.add(row, ids, 1.0)
        return triplets.matrix(len(X), len(self.categories)).minimum(1.0)


class _Triplets:
    """Sparse matrix builder: per add, one row, its column ids and one value for them all."""

    def __init__(self):
        self.cols: list[int] = []
        self.row_ids: list[int] = []
        self.lengths: list[int] = []
        self.values: list[float] = []
        self.extra: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, row: int, cols: list[int], value: float):
        if cols:
            self.cols += cols
            self.row_ids.append(row)
            self.lengths.append(len(cols))
            self.values.append(value)

    def extend(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray):
        """Add many (row, col, value) entries at once, kept apart from the per-row lists."""
        self.extra.append((rows, cols, values))

    @property
    def rows(self):
        return np.repeat(np.asarray(self.row_ids, dtype=np.int64), self.lengths)

    @property
    def vals(self):
        return np.repeat(np.asarray(self.values, dtype=np.float64), self.lengths)

    def matrix(self, n_rows: int, n_cols: int):
        rows = np.concatenate([self.rows, *(extra[0] for extra in self.extra)])
        cols = np.concatenate([np.asarray(self.cols, dtype=np.int64), *(extra[1] for extra in self.extra)])
        vals = np.concatenate([self.vals, *(extra[2] for extra in self.extra)])
        matrix = sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
        matrix.sum_duplicates()
        return matrix


def char_grams(stem: str) -> list[str]:
    padded = f"<{stem}>"
    return [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]


def category_tokens(x: dict) -> list[str]:
    digits = industry_digits(x.get("industry_code"))
    tokens = [f"nace:{digits[:n]}" for n in (2, 3, 4, 5) if len(digits) >= n]
    for field in ("scheme", "funding_source", "org_form"):
        if x.get(field):
            tokens.append(f"{field}:{str(x[field]).strip().lower()}")
    return tokens


def element_texts(element: dict, part: str) -> list[str]:
    value = element.get(part) or {}
    values = value.values() if isinstance(value, dict) else [value]
    texts: list[str] = []
    for item in values:
        texts.extend(item if isinstance(item, list | tuple) else [item])
    return [str(text) for text in texts if text]


def bm25(counts, k1: float = BM25_K1, b: float = BM25_B):
    """Saturated term frequencies, length-normalised (rows = documents)."""
    counts = counts.tocsr(copy=True)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
    norm = k1 * (1 - b + b * lengths / average)
    per_entry = np.repeat(norm, np.diff(counts.indptr))
    counts.data = counts.data * (k1 + 1) / (counts.data + per_entry)
    return counts


def l2_rows(matrix):
    matrix = matrix.tocsr(copy=True)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ matrix


class StrategyAligner(BaseEstimator):
    """Scores allocations against strategy elements; zero-shot without labels, learned with them.

    elements: [{"kind", "code", "name": {lang: str}, "description": {lang: str},
                "keywords": {lang: [str]}, "industry_codes": [prefix]}]
    X: [{"title", "description", "scheme", "funding_source", "industry_code", "org_form"}]
    y: [set of element codes] per row; None for an unlabelled row.
    """

    def __init__(
        self,
        elements=(),
        language="nb",
        threshold=0.5,
        min_score=0.15,
        prior_scale=2.0,
        rule_weight=2.0,
        prior_strength=15.0,
        C=4.0,
        char_ngrams=False,
        min_df=2,
        max_words=None,
    ):
        self.elements = elements
        self.language = language
        self.threshold = threshold
        self.min_score = min_score
        self.prior_scale = prior_scale
        self.rule_weight = rule_weight
        self.prior_strength = prior_strength
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        # Words read per text field; None reads all. Cost is linear in words: capping very long
        # descriptions at ~150 words trades ~1.5 macro-F1 points for ~2x speed on the DK set.
        self.max_words = max_words

    # ----------------------------------------------------------------- fitting

    def fit(self, X=(), y=None):
        X = list(X)
        self._fit_elements()
        labelled = [i for i, labels in enumerate(y or []) if labels is not None]
        analyser = Analyser(self.language, self._profile_vocabulary())
        self.terms_ = self._build_terms(analyser, [X[i] for i in labelled])
        self._fit_prior(X)
        self.models_, self.blend_ = {}, np.zeros(len(self.codes_))
        self.train_rows_ = np.asarray(labelled, dtype=np.int64)
        self.train_labels_ = [set(y[i]) for i in labelled] if y else []
        if labelled:
            self._fit_learned([X[i] for i in labelled], self.train_labels_)
        return self

    def _fit_elements(self):
        self.codes_ = [str(e["code"]) for e in self.elements]
        self.kinds_ = np.array([e.get("kind", "focus_area") for e in self.elements])
        self.focus_mask_ = self.kinds_ == "focus_area"
        self.code_index_ = {code: i for i, code in enumerate(self.codes_)}
        self.rules_ = sorted(
            (
                (industry_digits(prefix), i, str(prefix))
                for i, e in enumerate(self.elements)
                for prefix in e.get("industry_codes") or []
            ),
            key=lambda rule: -len(rule[0]),
        )

    def _profile_vocabulary(self) -> list[str]:
        words = []
        for element in self.elements:
            for part in PROFILE_WEIGHTS:
                for text in element_texts(element, part):
                    words.extend(tokenise(text))
        return words

    def _build_terms(self, analyser: Analyser, X_train: list[dict]) -> TermSpace:
        word_df, bigram_df, char_df, category_df = Counter(), Counter(), Counter(), Counter()
        for x in X_train:
            text = " ".join(str(x.get(field) or "") for field, _ in TEXT_FIELDS)
            stems = analyser.analyse(text)
            main = analyser.main_stems(text)
            word_df.update(set(stems))
            bigram_df.update(set(pairwise(main)))
            if self.char_ngrams:
                char_df.update({g for stem in set(main) for g in char_grams(stem)})
            category_df.update(set(category_tokens(x)))
        profile_words, profile_bigrams = self._profile_terms(analyser)
        keep = self.min_df
        words = sorted({t for t, c in word_df.items() if c >= keep} | profile_words)
        bigrams = sorted({t for t, c in bigram_df.items() if c >= keep} | profile_bigrams)
        chars = sorted(t for t, c in char_df.items() if c >= keep)
        categories = sorted(t for t, c in category_df.items() if c >= keep)
        vocabularies = (dict(zip(v, range(len(v)), strict=True)) for v in (words, bigrams, chars, categories))
        return TermSpace(analyser, *vocabularies, max_words=self.max_words)  # type: ignore[misc]

    def _profile_terms(self, analyser: Analyser):
        words, bigrams = set(), set()
        for element in self.elements:
            for part in PROFILE_WEIGHTS:
                for text in element_texts(element, part):
                    words.update(analyser.analyse(text))
                    main = analyser.main_stems(text)
                    bigrams.update(pairwise(main))
        return words, bigrams

    def _fit_prior(self, X: list[dict]):
        """Element profiles (n_elements x terms), idf from the elements and any corpus given."""
        profile = _Triplets()
        terms = self.terms_
        for i, element in enumerate(self.elements):
            for part, weight in PROFILE_WEIGHTS.items():
                for text in element_texts(element, part):
                    counts = terms.counts([{"title": text}], with_chars=False, with_categories=False)[0]
                    profile.add(i, list(counts.indices), weight)
        n_terms = len(terms.words) + len(terms.bigrams)
        self.profile_ = self._weighted_profile(self._max_profile(profile, n_terms), X)

    def _max_profile(self, profile: _Triplets, n_terms: int):
        # A term counts once per element, with its strongest role (keyword beats name beats text).
        best: dict = {}
        for row, col, val in zip(profile.rows.tolist(), profile.cols, profile.vals.tolist(), strict=True):
            best[(row, col)] = max(val, best.get((row, col), 0.0))
        rows, cols = zip(*best, strict=True) if best else ((), ())
        return sp.csr_matrix((list(best.values()), (rows, cols)), shape=(len(self.codes_), n_terms))

    def _weighted_profile(self, profile, X: list[dict]):
        n_elements = max(len(self.codes_), 1)
        element_df = np.asarray((profile > 0).sum(axis=0)).ravel()
        idf = np.log(1 + n_elements / np.maximum(element_df, 1))
        if X:
            corpus_df = np.asarray(
                (self.terms_.counts(X, with_chars=False, with_categories=False)[0] > 0).sum(axis=0)
            ).ravel()
            idf *= np.log(1 + len(X) / (1 + corpus_df)) / np.log(1 + len(X))
        weighted = profile @ sp.diags(idf)
        size = np.sqrt(np.asarray(weighted.sum(axis=1)).ravel())
        size[size == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / size) @ weighted)

    def _fit_learned(self, X_train: list[dict], labels: list[set]):
        word, char, category = self.terms_.counts(X_train, with_chars=self.char_ngrams)
        prior = self._prior_scores(word, X_train)
        self.idf_word_ = self._idf(word)
        self.idf_char_ = self._idf(char)
        features = self._features(word, char, category, prior)
        self.train_vectors_ = l2_rows(self._tfidf(word, self.idf_word_))
        Y = np.array([[code in row for code in self.codes_] for row in labels], dtype=bool)
        for j, code in enumerate(self.codes_):
            positives = int(Y[:, j].sum())
            if 0 < positives < len(labels):
                model = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear")
                self.models_[code] = model.fit(features, Y[:, j])
                self.blend_[j] = positives / (positives + self.prior_strength)

    @staticmethod
    def _idf(counts):
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        return np.log((1 + counts.shape[0]) / (1 + df)) + 1

    @staticmethod
    def _tfidf(counts, idf):
        counts = counts.tocsr(copy=True)
        counts.data = np.log1p(counts.data)
        return counts @ sp.diags(idf)

    def _features(self, word, char, category, prior):
        blocks = [l2_rows(self._tfidf(word, self.idf_word_))]
        if self.char_ngrams:
            blocks.append(0.7 * l2_rows(self._tfidf(char, self.idf_char_)))
        blocks += [0.5 * category, sp.csr_matrix(prior)]
        return sp.hstack(blocks, format="csr")

    # -------------------------------------------------------------- predicting

    def _prior_scores(self, word, X: Sequence[dict]):
        raw = np.asarray((bm25(word) @ self.profile_.T).todense())
        raw += self.rule_weight * self._rule_matrix(X)
        return 1.0 - np.exp(-raw / self.prior_scale)

    def _rule_matrix(self, X: Sequence[dict]):
        fired = np.zeros((len(X), len(self.codes_)))
        if not self.rules_:
            return fired
        by_code: dict = {}
        for row, x in enumerate(X):
            by_code.setdefault(industry_digits(x.get("industry_code")), []).append(row)
        for digits, rows in by_code.items():
            for i in {i for i, _ in self.rules_for(digits)}:
                fired[rows, i] = 1.0
        return fired

    def rules_for(self, digits: str) -> list[tuple[int, str]]:
        """(element index, prefix) for the longest matching prefix within each kind."""
        best: dict = {}
        for prefix, i, label in self.rules_:
            kind = self.kinds_[i]
            if digits and digits.startswith(prefix) and len(prefix) >= best.get(kind, (0, []))[0]:
                best.setdefault(kind, (len(prefix), []))[1].append((i, label))
        return [match for _, matches in best.values() for match in matches]

    def predict_scores(self, X: Sequence[dict]) -> np.ndarray:
        """Scores in [0, 1], shape (n_allocations, n_elements), columns in `codes_` order."""
        X = list(X)
        learned = bool(self.models_)
        word, char, category = self.terms_.counts(X, with_chars=self.char_ngrams and learned, with_categories=learned)
        prior = self._prior_scores(word, X)
        if not self.models_:
            return prior
        features = self._features(word, char, category, prior)
        scores = prior.copy()
        for code, model in self.models_.items():
            j = self.code_index_[code]
            learned = model.predict_proba(features)[:, 1]
            scores[:, j] = self.blend_[j] * learned + (1 - self.blend_[j]) * prior[:, j]
        return scores

    def assign(self, scores: np.ndarray) -> dict:
        """Vectorised decisions: assigned mask, primary focus index (-1 = outside), weights."""
        assigned = scores >= self.threshold
        focus = np.where(self.focus_mask_, scores, -1.0)
        primary = focus.argmax(axis=1) if focus.shape[1] else np.zeros(len(scores), dtype=int)
        best = focus[np.arange(len(scores)), primary] if focus.shape[1] else np.zeros(len(scores))
        primary = np.where(best >= self.min_score, primary, -1)
        has_primary = primary >= 0
        assigned[np.flatnonzero(has_primary), primary[has_primary]] = True
        return {"assigned": assigned, "primary": primary, "weights": self._weights(scores, assigned)}

    def _weights(self, scores, assigned):
        focus = np.where(assigned & self.focus_mask_, scores, 0.0)
        total = focus.sum(axis=1, keepdims=True)
        weights = np.round(np.divide(focus, total, out=np.zeros_like(focus), where=total > 0), ROUND)
        # Put the rounding residue on the largest weight so the sum is exactly 1 in decimals.
        rows = np.flatnonzero(total.ravel() > 0)
        top = weights[rows].argmax(axis=1)
        others = weights[rows].sum(axis=1) - weights[rows, top]
        weights[rows, top] = np.round(1.0 - others, ROUND)
        return weights

    def predict(self, X: Sequence[dict]) -> list[dict]:
        """Per allocation: scores, assigned codes per kind, primary focus area, weights, origin."""
        scores = self.predict_scores(X)
        decided = self.assign(scores)
        return [self._decision(scores[i], decided, i) for i in range(len(scores))]

    def _decision(self, scores, decided, i) -> dict:
        assigned: dict = {kind: [] for kind in KINDS}
        for j in np.flatnonzero(decided["assigned"][i]):
            assigned.setdefault(self.kinds_[j], []).append(self.codes_[j])
        primary = int(decided["primary"][i])
        weights = {self.codes_[j]: float(decided["weights"][i, j]) for j in np.flatnonzero(decided["weights"][i])}
        ordered = np.sort(scores[self.focus_mask_])[::-1] if self.focus_mask_.any() else np.zeros(1)
        margin = ordered[0] - (ordered[1] if len(ordered) > 1 else 0.0)
        return {
            "scores": {code: round(float(s), ROUND) for code, s in zip(self.codes_, scores, strict=True)},
            "assigned": assigned,
            "primary": self.codes_[primary] if primary >= 0 else None,
            "weights": weights,
            "uncertainty": round(float(1.0 - margin), ROUND),
            "origin": "model" if self.models_ else "rule",
        }

    # ------------------------------------------------------------- explaining

    def explain(self, x: dict) -> dict:
        """Decision plus evidence: matched terms per element (with field), rules fired, origin."""
        decision = self.predict([x])[0]
        decision["evidence"] = {code: {"terms": [], "rules": []} for code in self.codes_}
        self._add_term_evidence(x, decision["evidence"])
        for i, prefix in self.rules_for(industry_digits(x.get("industry_code"))):
            rule = f"industry code {x.get('industry_code')} → {self.codes_[i]} (prefix {prefix})"
            decision["evidence"][self.codes_[i]]["rules"].append(rule)
        decision["evidence"] = {code: ev for code, ev in decision["evidence"].items() if ev["terms"] or ev["rules"]}
        return decision

    def _add_term_evidence(self, x: dict, evidence: dict):
        words = self.terms_.words
        profile = self.profile_.tocsc()
        for field in ("title", "description", "scheme", "funding_source"):
            for token in tokenise(x.get(field)):
                for stem in self.terms_.analyser.analyse_token(token):
                    column = words.get(stem)
                    if column is None:
                        continue
                    for j in profile[:, column].indices:
                        entry = {"term": stem, "token": token, "field": field}
                        if entry not in evidence[self.codes_[j]]["terms"]:
                            evidence[self.codes_[j]]["terms"].append(entry)

    def similar(self, x: dict, k: int = 5) -> list[tuple[int, float]]:
        """The k most similar labelled training rows: (index into fit's X, cosine similarity)."""
        if not len(self.train_rows_):
            return []
        word = self.terms_.counts([x], with_chars=False, with_categories=False)[0]
        vector = l2_rows(self._tfidf(word, self.idf_word_))
        similarity = np.asarray((self.train_vectors_ @ vector.T).todense()).ravel()
        top = np.argsort(-similarity, kind="stable")[:k]
        return [(int(self.train_rows_[i]), round(float(similarity[i]), ROUND)) for i in top]

    # ---------------------------------------------------------- serialisation

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> StrategyAligner:
        model = pickle.loads(data)  # noqa: S301 - bytes come from our own model store, never from users
        if not isinstance(model, cls):
            raise TypeError(f"expected {cls.__name__}, got {type(model).__name__}")
        return model
