"""Strategy files: any text, any YAML structure, any mutation of a real file either loads or raises
StrategyFileError naming the line, and a refused file writes nothing."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from snu.core.models import AuditEntry, Authority
from snu.strategy import actions, yamlio
from snu.strategy.models import Element, Strategy

DATA = Path(yamlio.__file__).resolve().parent / "data"
SHIPPED = yaml.safe_load((DATA / "troms-2023.yaml").read_text(encoding="utf-8"))
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", " ", "2023", "adopted", "focus_area", "driver", "nb", "GRONT", ".nan", "a/b", "x" * 200]),
)
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=5)
    ),
    max_leaves=25,
)


def _check(data) -> yamlio.StrategyData | None:
    try:
        return yamlio.validate_strategy(data)
    except yamlio.StrategyFileError as exc:
        assert exc.problems
        assert all(isinstance(p.line, int) for p in exc.problems)
        return None


@FUZZ
@given(st.text(max_size=300))
@example("a: &x [*x]")
@example("{")
@example("? [a, b]\n: c")
@example("!!python/object:os.system 'echo owned'")
@example("a: !!binary zzz")
@example("- " * 200)
def test_it_parses_any_text_or_names_the_line(text):
    try:
        yamlio.parse_yaml(text)
    except yamlio.StrategyFileError as exc:
        assert exc.problems


@FUZZ
@given(structures)
def test_it_validates_any_structure_or_lists_the_problems(data):
    _check(data)


def _mutate(data, path: list, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _paths(data, prefix=()):
    yield list(prefix)
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*prefix, i))


PATHS = [p for p in _paths(SHIPPED) if p]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), structures), min_size=1, max_size=3))
@example([(["elements", 4, "target_share"], float("nan"))])
@example([(["elements", 4, "target_share"], "1e999999")])
@example([(["code"], "x" * 61)])
@example([(["code"], "not a slug/")])
@example([(["elements", 0, "code"], "C" * 31)])
@example([(["elements", 0, "code"], "A/B")])
@example([(["period", "from"], 1000000)])
def test_it_validates_any_mutation_of_a_real_strategy(mutations):
    data = copy.deepcopy(SHIPPED)
    for path, value in mutations:
        try:
            _mutate(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    _check(data)


class StrategyFileLoadTestCase(HypothesisTestCase):
    """What validation accepts, the database stores; what it refuses leaves no trace."""

    @classmethod
    def setUpTestData(cls):
        cls.authority = Authority.objects.create(code="troms", name="Troms", region_name="Troms")

    def _state(self):
        return (Strategy.objects.count(), Element.objects.count(), AuditEntry.objects.count())

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(PATHS), structures), min_size=1, max_size=2))
    @example([(["code"], "x" * 61)])
    @example([(["elements", 0, "code"], "C" * 31)])
    @example([(["elements", 0, "code"], "A/B")])
    @example([(["code"], "æøå")])
    @example([(["elements", 4, "target_share"], 0.123456789)])
    def test_it_stores_what_it_accepts_and_nothing_of_what_it_refuses(self, mutations):
        data = copy.deepcopy(SHIPPED)
        for path, value in mutations:
            try:
                _mutate(data, path, value)
            except (KeyError, IndexError, TypeError):
                continue
        text = yaml.safe_dump(data, allow_unicode=True)
        before = self._state()
        handle, name = tempfile.mkstemp(suffix=".yaml")
        os.close(handle)
        tmp = Path(name)
        tmp.write_text(text, encoding="utf-8")
        try:
            strategy = actions.load_file("fuzz", self.authority, tmp)
        except yamlio.StrategyFileError:
            assert self._state() == before
            return
        finally:
            tmp.unlink(missing_ok=True)
        from django.urls import reverse

        strategy.refresh_from_db()
        reverse("strategy:detail", args=[strategy.code])
        for element in strategy.elements.all():  # type: ignore[attr-defined]
            reverse("strategy:element", args=[strategy.code, element.code])
        Strategy.objects.filter(pk=strategy.pk).delete()
