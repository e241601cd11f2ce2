"""One SQL aggregate over allocations and their assigned strategy elements, run on the database or DuckDB.

Money is summed as integer øre, so every total is exact whatever the database does with decimals.
The split rule lives here and nowhere else:
- focus areas: an allocation's money is split by weight (`AlignmentElement.amount`, exact to the øre);
- drivers and advantages: an allocation counts in full in every one it touches;
- an allocation with no assigned element of a kind falls in the `none` bucket (outside the strategy),
  so the parts of a breakdown always add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from snu.analytics.filters import NONE, Filters

ELEMENT_KINDS = ("focus_area", "driver", "advantage")
# Dimensions a caller may group by; `driver_b` is a second view of drivers, for the synergy matrix.
DIMENSIONS = (
    "year",
    "focus_area",
    "driver",
    "advantage",
    "municipality",
    "funding_source",
    "source_type",
    "scheme",
    "status",
    "recipient_type",
    "industry",
    "recipient",
    "driver_b",
    "id",
)
MEASURES = ("amount", "amount_paid", "amount_applied", "count")


@dataclass
class Lookups:
    """Codes ↔ ids for one authority and strategy version, so SQL works on ids and output on codes."""

    authority_id: int
    strategy_id: int | None = None
    element_ids: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> code -> id
    municipality_ids: dict[str, int] = field(default_factory=dict)  # number -> id (all numberings)
    funding_source_ids: dict[str, int] = field(default_factory=dict)
    scheme_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class Query:
    by: tuple[str, ...]
    filters: Filters
    order_by_amount: bool = False
    limit: int | None = None
    offset: int = 0


class Dialect:
    """Where the columns live: the Django tables, or the denormalised DuckDB snapshot."""

    name = "db"
    alloc = "grants_allocation a"

    def money(self, column: str) -> str:
        return f"CAST(ROUND(a.{column} * 100) AS BIGINT)"

    def joins(self, needs: set[str]) -> list[str]:
        out = []
        if "fs" in needs:
            out.append("LEFT JOIN grants_fundingsource fs ON fs.id = a.funding_source_id")
        if "o" in needs:
            out.append("LEFT JOIN grants_organisation o ON o.id = a.recipient_id")
        return out

    is_state = "fs.is_state"
    recipient_type = "COALESCE(o.org_form, '')"

    def total(self, expression: str) -> str:
        return f"SUM({expression})"

    def element_join(self, alias: str, ids: list[int], strategy_id: int | None) -> list[str]:
        """Joins through the allocation's one alignment for the strategy: both use their indexes."""
        return [
            f"LEFT JOIN classify_alignment al ON al.allocation_id = a.id AND al.strategy_id = {int(strategy_id or -1)}",
            f"LEFT JOIN classify_alignmentelement {alias} ON {alias}.alignment_id = al.id "
            f"AND {alias}.assigned = TRUE AND {alias}.element_id IN ({_ints(ids)})",
        ]

    def element_amount(self, alias: str) -> str:
        return f"CAST(ROUND({alias}.amount * 100) AS BIGINT)"

    def has_element(self, ids: list[int]) -> str:
        return (
            "EXISTS (SELECT 1 FROM classify_alignment x JOIN classify_alignmentelement xe ON xe.alignment_id = x.id "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
            f"WHERE x.allocation_id = a.id AND xe.assigned = TRUE AND xe.element_id IN ({_ints(ids)}))"
        )


class DuckDialect(Dialect):
    name = "duckdb"
    alloc = "alloc a"

    def money(self, column: str) -> str:
        return {"amount": "a.amount_ore", "amount_paid": "a.paid_ore", "amount_applied": "a.applied_ore"}[column]

    def joins(self, needs: set[str]) -> list[str]:
        return []

    is_state = "a.is_state"
    recipient_type = "a.recipient_type"

    def total(self, expression: str) -> str:
        # DuckDB sums BIGINT into HUGEINT, and (2.0) fails to sort grouped HUGEINT rows ("can't be cast
        # … INT8") although every value fits: øre totals stay far below 2^63, so say BIGINT.
        return f"CAST(SUM({expression}) AS BIGINT)"

    def element_join(self, alias: str, ids: list[int], strategy_id: int | None) -> list[str]:
        sub = f"SELECT allocation_id, element_id, amount_ore, weight FROM elem WHERE element_id IN ({_ints(ids)})"  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        return [f"LEFT JOIN ({sub}) {alias} ON {alias}.allocation_id = a.id"]

    def element_amount(self, alias: str) -> str:
        return f"{alias}.amount_ore"

    def has_element(self, ids: list[int]) -> str:
        return f"EXISTS (SELECT 1 FROM elem x WHERE x.allocation_id = a.id AND x.element_id IN ({_ints(ids)}))"  # noqa: S608 - only ints and fixed names are inlined; values are parameters


def _ints(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids) or "-1"


RECIPIENT_KEY = "COALESCE(NULLIF(a.org_number, ''), a.recipient_name)"
ALIAS = {"focus_area": "f", "driver": "d", "advantage": "v", "driver_b": "d2"}


def build(q: Query, lk: Lookups, dialect: Dialect) -> tuple[str, list]:
    """SQL and parameters for one aggregate. Output columns: the dimensions in order, then
    amount_ore, paid_ore, applied_ore, n (number of allocations)."""
    f = q.filters
    params: list = []
    needs: set[str] = set()
    where = [f"a.authority_id = {int(lk.authority_id)}"]
    select: list[str] = []
    element_joins: list[str] = []

    if f.year_from is not None:
        where.append(f"a.year >= {int(f.year_from)}")
    if f.year_to is not None:
        where.append(f"a.year <= {int(f.year_to)}")
    if f.status:
        where.append(f"a.status IN ({', '.join(['%s'] * len(f.status))})")
        params.extend(f.status)
    for name, ids_by_code, column in (
        ("municipality", lk.municipality_ids, "a.current_municipality_id"),
        ("funding_source", lk.funding_source_ids, "a.funding_source_id"),
        ("scheme", lk.scheme_ids, "a.scheme_id"),
    ):
        codes = getattr(f, name)
        if codes:
            where.append(_in_or_null(column, codes, ids_by_code))
    if f.source_type:
        needs.add("fs")
        where.append(f"{dialect.is_state} = TRUE" if f.source_type == "state" else f"{dialect.is_state} = FALSE")
    if f.recipient_type:
        needs.add("o")
        where.append(f"{dialect.recipient_type} IN ({', '.join(['%s'] * len(f.recipient_type))})")
        params.extend(f.recipient_type)
    if f.industry:
        where.append("(" + " OR ".join(["a.industry_code LIKE %s"] * len(f.industry)) + ")")
        params.extend(code + "%" for code in f.industry)
    if f.recipient:
        where.append(f"{RECIPIENT_KEY} = %s")
        params.append(f.recipient)

    for code in f.all_drivers:
        one = [lk.element_ids.get("driver", {}).get(code, -1)]
        where.append(dialect.has_element(one))

    # Element kinds: joined when grouped by (or, for focus areas, when filtered: the money is then
    # the selected areas' share); otherwise a filter is an EXISTS test.
    focus_joined = "focus_area" in q.by or bool(f.focus_area)
    distinct = False
    for kind in (*ELEMENT_KINDS, "driver_b"):
        base_kind = "driver" if kind == "driver_b" else kind
        all_ids = list(lk.element_ids.get(base_kind, {}).values())
        chosen = getattr(f, base_kind)
        alias = ALIAS[kind]
        if kind in q.by or (kind == "focus_area" and focus_joined):
            for clause in dialect.element_join(alias, all_ids, lk.strategy_id):
                if clause not in element_joins:
                    element_joins.append(clause)
            if chosen:
                where.append(_element_condition(f"{alias}.element_id", chosen, lk.element_ids.get(base_kind, {})))
            if kind == "focus_area" and kind not in q.by:
                distinct = True
        elif chosen and kind != "driver_b":
            ids = [lk.element_ids.get(base_kind, {}).get(c, -1) for c in chosen if c != NONE]
            tests = [dialect.has_element(ids)] if ids else []
            if NONE in chosen:
                tests.append(f"NOT {dialect.has_element(all_ids)}")
            where.append("(" + " OR ".join(tests) + ")")

    for dim in q.by:
        select.append(_dimension(dim, dialect, needs))

    amount = dialect.money("amount")
    paid = dialect.money("amount_paid")
    # Amount applied for: the granted amount stands in where the application amount is unknown.
    applied = f"COALESCE({dialect.money('amount_applied')}, {amount})"
    if focus_joined:
        share = "CAST(ROUND({col} * f.weight) AS BIGINT)"
        amount = f"COALESCE({dialect.element_amount('f')}, {amount})"
        paid = f"CASE WHEN f.element_id IS NULL THEN {paid} ELSE {share.format(col=paid)} END"
        applied = f"CASE WHEN f.element_id IS NULL THEN {applied} ELSE {share.format(col=applied)} END"
    count = "COUNT(DISTINCT a.id)" if distinct else "COUNT(*)"
    select += [
        f"{dialect.total(amount)} AS amount_ore",
        f"{dialect.total(paid)} AS paid_ore",
        f"{dialect.total(applied)} AS applied_ore",
        f"{count} AS n",
    ]
    if "recipient" in q.by:
        select.append("MAX(a.recipient_name) AS recipient_name")

    sql = f"SELECT {', '.join(select)} FROM {dialect.alloc} "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    sql += " ".join(dialect.joins(needs) + element_joins)
    sql += " WHERE " + " AND ".join(where)
    if q.by:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(q.by)))
    if q.order_by_amount:  # ties broken by the first dimension, so pages of a long list never overlap
        sql += " ORDER BY amount_ore DESC" + (", 1" if q.by else "")
    elif q.by:
        sql += " ORDER BY " + ", ".join(f"{i + 1} NULLS LAST" for i in range(len(q.by)))
    if q.limit:
        sql += f" LIMIT {int(q.limit)}"
        if q.offset:
            sql += f" OFFSET {int(q.offset)}"
    return sql, params


def _dimension(dim: str, dialect: Dialect, needs: set[str]) -> str:
    if dim in ALIAS:
        return f"{ALIAS[dim]}.element_id"
    if dim == "source_type":
        needs.add("fs")
        return f"CASE WHEN {dialect.is_state} = TRUE THEN 'state' WHEN {dialect.is_state} = FALSE THEN 'county' END"
    if dim == "recipient_type":
        needs.add("o")
        return dialect.recipient_type
    return {
        "year": "a.year",
        "municipality": "a.current_municipality_id",
        "funding_source": "a.funding_source_id",
        "scheme": "a.scheme_id",
        "status": "a.status",
        "industry": "SUBSTR(a.industry_code, 1, 2)",
        "recipient": RECIPIENT_KEY,
        "id": "a.id",
    }[dim]


def _in_or_null(column: str, codes: tuple[str, ...], ids_by_code: dict[str, int]) -> str:
    ids = [ids_by_code.get(c, -1) for c in codes if c != NONE]
    tests = [f"{column} IN ({_ints(ids)})"] if ids else []
    if NONE in codes:
        tests.append(f"{column} IS NULL")
    return "(" + " OR ".join(tests) + ")"


def _element_condition(column: str, codes: tuple[str, ...], ids_by_code: dict[str, int]) -> str:
    return _in_or_null(column, codes, ids_by_code)


def duck_sql(q: Query, lk: Lookups, meta: dict | None) -> tuple[str, list]:
    """The aggregate for the DuckDB snapshot: over its query layout (`facts.build`) where it can answer,
    else the join over the two dumps."""
    from snu.analytics import facts, snapshot

    if meta and meta.get("layout") == snapshot.LAYOUT:
        built = facts.build(q, lk, meta)
        if built is not None:
            return built
    sql, params = build(q, lk, DuckDialect())
    return sql.replace("%s", "?"), params


def run(q: Query, lk: Lookups, backend: str = "db") -> list[tuple]:
    """Rows of (dimension values…, amount_ore, paid_ore, applied_ore, n[, recipient_name]).

    Results are kept (snu.core.dataversion.cached): from the database under the data version, from
    the snapshot under the snapshot's name, so a repeated panel costs one cache read."""
    from snu.core import dataversion

    if backend == "duckdb":
        from snu.analytics import snapshot

        meta = snapshot.info()
        sql, params = duck_sql(q, lk, meta)
        folder = meta["folder"] if meta else None
        return dataversion.cached(
            "duckdb", (folder, sql, params), lambda: snapshot.execute(sql, params, meta), versioned=False
        )
    from django.db import connection

    sql, params = build(q, lk, Dialect())

    def fetch() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Aggregates read allocations and assigned element rows, never an alignment's origin or reviewer: kept under the
    # totals version, which a person accepting a suggestion leaves alone.
    return dataversion.cached("aggregate", (sql, params), fetch, scope=dataversion.TOTALS)
