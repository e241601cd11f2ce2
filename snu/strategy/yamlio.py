"""Strategy and mapping files: YAML in, validated plain data out (with line numbers), and back to YAML.

Validation is whole-file: every problem is collected, each naming its line, before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

# As the Strategy.code (SlugField) and Element.code columns hold them, and as the URLs can carry them.
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")
ELEMENT_CODE_MAX = 30
KINDS = ("advantage", "driver", "focus_area", "target_area")
LANGS = ("nb", "nn", "en", "se", "sv", "da", "fi")
STATUSES = ("draft", "adopted", "archived")


@dataclass
class Problem:
    line: Any
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class StrategyFileError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class ElementData:
    kind: str
    code: str
    name: dict[str, str]
    line: int
    description: dict[str, str] = field(default_factory=dict)
    parent: str | None = None
    related: list[str] = field(default_factory=list)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    industry_codes: list[str] = field(default_factory=list)
    target_share: Decimal | None = None


@dataclass
class StrategyData:
    code: str
    name: dict[str, str]
    period_from: int
    period_to: int
    status: str = "draft"
    description: dict[str, str] = field(default_factory=dict)
    source: str = ""
    elements: list[ElementData] = field(default_factory=list)


@dataclass
class MappingData:
    source: str
    target: str
    links: list[tuple[str, str, Decimal, int]]


class _LineLoader(yaml.SafeLoader):
    """Remember the line of every mapping, as the key `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise yaml.MarkedYAMLError(problem=f"key given twice: {sorted(duplicates)[0]}", problem_mark=node.start_mark)
    mapping = loader.construct_mapping(node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 0
        raise StrategyFileError([Problem(line, f"not valid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise StrategyFileError([Problem(0, f"not valid YAML: {exc}")]) from exc


def is_mapping_file(data: Any) -> bool:
    return isinstance(data, dict) and "mapping" in data


def _texts(value: Any, line: int, what: str, problems: list[Problem], required: bool = False) -> dict[str, str]:
    if value is None:
        if required:
            problems.append(Problem(line, f"{what} is missing"))
        return {}
    if isinstance(value, str):
        value = {"nb": value}
    if not isinstance(value, dict):
        problems.append(Problem(line, f"{what} must be a text or a map of language → text"))
        return {}
    texts = {str(k): str(v).strip() for k, v in value.items() if k != "__line__" and v is not None}
    unknown = [k for k in texts if k not in LANGS]
    if unknown:
        problems.append(Problem(line, f"{what}: unknown language code {unknown[0]!r} (use one of {', '.join(LANGS)})"))
    if required and not any(texts.values()):
        problems.append(Problem(line, f"{what} is missing"))
    return texts


def _keywords(value: Any, line: int, problems: list[Problem]) -> dict[str, list[str]]:
    if value is None:
        return {}
    if isinstance(value, list):
        value = {"nb": value}
    if not isinstance(value, dict):
        problems.append(Problem(line, "keywords must be a map of language → list of words"))
        return {}
    result: dict[str, list[str]] = {}
    for lang, words in value.items():
        if lang == "__line__":
            continue
        if not isinstance(words, list) or not all(isinstance(w, str | int) for w in words):
            problems.append(Problem(line, f"keywords for {lang!r} must be a list of words"))
            continue
        result[str(lang)] = [str(w).strip() for w in words if str(w).strip()]
    return result


def _year(value: Any, line: Any, what: str, problems: list[Problem]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200:
        return value
    problems.append(Problem(line, f"{what} must be a year, not {value!r}"))
    return 0


def validate_strategy(data: Any) -> StrategyData:
    """Check a parsed strategy file; raise StrategyFileError listing every problem."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise StrategyFileError([Problem(1, "a strategy file is a map with code, name, period and elements")])
    line = data.get("__line__", 1)
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.append(Problem(line, "code is missing"))
        code = ""
    elif not _SLUG.fullmatch(code.strip()):
        problems.append(Problem(line, f"code must be at most 60 letters a–z, digits, - and _, not {code!r}"))
    name = _texts(data.get("name"), line, "name", problems, required=True)
    period = data.get("period")
    if not isinstance(period, dict):
        problems.append(Problem(line, "period is missing (period: {from: YYYY, to: YYYY})"))
        period = {}
    p_line = period.get("__line__", line)
    period_from = _year(period.get("from"), p_line, "period.from", problems) if period else 0
    period_to = _year(period.get("to"), p_line, "period.to", problems) if period else 0
    if period_from and period_to and period_to < period_from:
        problems.append(Problem(p_line, f"period ends ({period_to}) before it starts ({period_from})"))
    status = data.get("status", "draft")
    if status not in STATUSES:
        problems.append(Problem(line, f"unknown status {status!r} (use one of {', '.join(STATUSES)})"))
    raw_elements = data.get("elements") or []
    if not isinstance(raw_elements, list):
        problems.append(Problem(line, "elements must be a list"))
        raw_elements = []
    parsed = [_element(raw, line, problems) for raw in raw_elements]
    elements = [e for e in parsed if e is not None]
    _check_references(elements, problems)
    if problems:
        raise StrategyFileError(sorted(problems, key=lambda p: p.line))
    return StrategyData(
        code=code.strip(),
        name=name,
        period_from=period_from,
        period_to=period_to,
        status=status,
        description=_texts(data.get("description"), line, "description", problems),
        source=str(data.get("source", "") or ""),
        elements=elements,
    )


def _element(raw: Any, parent_line: int, problems: list[Problem]) -> ElementData | None:
    if not isinstance(raw, dict):
        problems.append(Problem(parent_line, f"an element must be a map, not {raw!r}"))
        return None
    line = raw.get("__line__", parent_line)
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(line, f"unknown kind {kind!r} (use one of {', '.join(KINDS)})"))
    code = raw.get("code")
    if not isinstance(code, str | int) or not str(code).strip():
        problems.append(Problem(line, "element code is missing"))
        code = ""
    code = str(code).strip()
    if code and (len(code) > ELEMENT_CODE_MAX or "/" in code):
        problems.append(
            Problem(line, f"element code must be at most {ELEMENT_CODE_MAX} characters without /, not {code!r}")
        )
    what = f"element {code}" if code else "element"
    share = raw.get("target_share")
    target_share = None
    if share is not None:
        try:
            target_share = Decimal(str(share))
        except InvalidOperation:
            problems.append(Problem(line, f"{what}: target_share must be a number between 0 and 1, not {share!r}"))
        else:
            if not target_share.is_finite() or not 0 <= target_share <= 1:
                problems.append(Problem(line, f"{what}: target_share must be between 0 and 1, not {share!r}"))
    codes = raw.get("industry_codes") or []
    if not isinstance(codes, list):
        problems.append(Problem(line, f"{what}: industry_codes must be a list"))
        codes = []
    related = raw.get("related") or []
    if isinstance(related, str | int):
        related = [related]
    if not isinstance(related, list):
        problems.append(Problem(line, f"{what}: related must be a list of element codes"))
        related = []
    return ElementData(
        kind=str(kind),
        code=code,
        name=_texts(raw.get("name"), line, f"{what}: name", problems, required=True),
        line=line,
        description=_texts(raw.get("description"), line, f"{what}: description", problems),
        parent=str(raw["parent"]) if raw.get("parent") else None,
        related=[str(r) for r in related],
        keywords=_keywords(raw.get("keywords"), line, problems),
        industry_codes=[str(c).strip() for c in codes],
        target_share=target_share,
    )


def _check_references(elements: list[ElementData], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for element in elements:
        if element.code in seen:
            problems.append(
                Problem(element.line, f"duplicate code {element.code!r} (first on line {seen[element.code]})")
            )
        else:
            seen[element.code] = element.line
    for element in elements:
        if element.parent and element.parent not in seen:
            problems.append(Problem(element.line, f"element {element.code}: unknown parent {element.parent!r}"))
        if element.parent == element.code:
            problems.append(Problem(element.line, f"element {element.code} cannot be its own parent"))
        for other in element.related:
            if other not in seen:
                problems.append(Problem(element.line, f"element {element.code}: unknown related element {other!r}"))
    by_code = {e.code: e for e in elements}
    for element in elements:
        chain: set[str] = set()
        current: ElementData | None = element
        while current and current.parent:
            if current.code in chain:
                problems.append(Problem(element.line, f"element {element.code}: parents form a loop"))
                break
            chain.add(current.code)
            current = by_code.get(current.parent)


def validate_mapping(data: Any) -> MappingData:
    problems: list[Problem] = []
    line = data.get("__line__", 1)
    head = data.get("mapping")
    if not isinstance(head, dict) or not head.get("from") or not head.get("to"):
        raise StrategyFileError([Problem(line, "mapping needs {from: STRATEGY_CODE, to: STRATEGY_CODE}")])
    links = []
    for raw in data.get("links") or []:
        l_line = raw.get("__line__", line) if isinstance(raw, dict) else line
        if not isinstance(raw, dict) or not raw.get("from") or not raw.get("to"):
            problems.append(Problem(l_line, "a link needs from and to element codes"))
            continue
        try:
            weight = Decimal(str(raw.get("weight", 1)))
        except InvalidOperation:
            problems.append(Problem(l_line, f"weight must be a number, not {raw.get('weight')!r}"))
            continue
        if not 0 < weight <= 1:
            problems.append(Problem(l_line, f"weight must be above 0 and at most 1, not {weight}"))
        links.append((str(raw["from"]), str(raw["to"]), weight, l_line))
    if problems:
        raise StrategyFileError(problems)
    return MappingData(source=str(head["from"]), target=str(head["to"]), links=links)


def dump_strategy(strategy: Any) -> str:
    """The strategy as a YAML file that `load` reads back to the same data."""
    elements = []
    for e in strategy.elements.order_by("kind", "order", "code").prefetch_related("related"):
        item: dict[str, Any] = {"kind": e.kind, "code": e.code, "name": e.name}
        if e.description:
            item["description"] = e.description
        if e.parent_id:
            item["parent"] = e.parent.code
        related = sorted(r.code for r in e.related.all())
        if related:
            item["related"] = related
        if e.keywords:
            item["keywords"] = e.keywords
        if e.industry_codes:
            item["industry_codes"] = e.industry_codes
        if e.target_share is not None:
            item["target_share"] = float(e.target_share)
        elements.append(item)
    doc: dict[str, Any] = {
        "code": strategy.code,
        "name": strategy.name,
        "period": {"from": strategy.period_from, "to": strategy.period_to},
        "status": strategy.status,
    }
    if strategy.description:
        doc["description"] = strategy.description
    if strategy.source:
        doc["source"] = strategy.source
    doc["elements"] = elements
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
