"""The aggregate of `engine.build`, written for the snapshot's query layout (`snapshot._derive`): no joins.

The layout keeps, per allocation, each element kind's assigned elements as a bit mask (`fa`, `dr`, `ad`;
bits numbered per authority, `snapshot.MASK_BITS` at most) and copies the allocation's dimensions onto
each assigned focus area (`focus`). So:
- an element filter is a mask test, not an EXISTS over the element rows;
- a focus-area breakdown (money split by weight) scans `focus`, and the allocations outside the strategy
  (`fa` has none of the strategy's bits) come from `facts`;
- a driver or advantage breakdown (counted in each) groups by the mask first — a few hundred groups —
  and only then spreads each group over the bits set in its mask, so the counted-in-each rule costs
  nothing per allocation. The synergy matrix spreads the same mask twice.
All sums stay integer øre; the result rows are exactly those of `engine.build` on the database.
"""

from __future__ import annotations

import re

from snu.analytics.engine import ELEMENT_KINDS, Lookups, Query, _in_or_null, _ints
from snu.analytics.filters import NONE

MASK = {"focus_area": "fa", "driver": "dr", "advantage": "ad", "driver_b": "dr"}
PLAIN = {
    "year": "year",
    "municipality": "municipality",
    "funding_source": "source",
    "scheme": "scheme",
    "status": "status",
    "recipient_type": "recipient_type",
    "industry": "industry2",
    "recipient": "rkey",
    "id": "id",
    "source_type": "CASE WHEN is_state = TRUE THEN 'state' WHEN is_state = FALSE THEN 'county' END",
}


MEASURES = (("amount", "amount_ore"), ("paid", "paid_ore"), ("applied", "applied_ore"), ("n", "n"))


class Bits:
    """The strategy's elements of each kind as bits in the allocation masks."""

    def __init__(self, lk: Lookups, bits: dict[str, int]):
        self.by_code = {
            kind: {code: int(bits.get(str(pk), 0)) for code, pk in lk.element_ids.get(kind, {}).items()}
            for kind in ELEMENT_KINDS
        }
        self.ids = {
            kind: {int(bits[str(pk)]): pk for pk in lk.element_ids.get(kind, {}).values() if str(pk) in bits}
            for kind in ELEMENT_KINDS
        }

    def all(self, kind: str) -> int:
        return _or(self.by_code[kind].values())

    def of(self, kind: str, codes) -> int:
        return _or(self.by_code[kind].get(c, 0) for c in codes if c != NONE)


def _or(values) -> int:
    out = 0
    for v in values:
        out |= v
    return out


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _members(column: str, values) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})" if values else "FALSE"


def _like(pattern: str) -> re.Pattern:
    """SQL LIKE (`%`, `_`) as a regular expression, to pick dictionary values the way the database would."""
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _has_any(column: str, mask: int, none_mask: int | None) -> str:
    """Allocations holding any element of `mask`; with `none_mask`, also those holding none of it."""
    tests = [f"({column} & {mask}) <> 0"] if mask else []
    if none_mask is not None:
        tests.append(f"({column} & {none_mask}) = 0")
    return "(" + " OR ".join(tests) + ")" if tests else "FALSE"


def build(q: Query, lk: Lookups, meta: dict) -> tuple[str, list] | None:
    """SQL and parameters over `facts`/`focus`, or None where the layout cannot answer (an authority with
    too many elements for a mask; recipients grouped with other dimensions): the join path answers then."""
    if lk.authority_id in meta.get("overflow", []) or ("recipient" in q.by and len(q.by) > 1):
        return None
    f = q.filters
    bits = Bits(lk, meta["bits"])
    dictionary = meta["dictionaries"]
    common = [f"authority_id = {int(lk.authority_id)}"]
    if f.year_from is not None:
        common.append(f"year >= {int(f.year_from)}")
    if f.year_to is not None:
        common.append(f"year <= {int(f.year_to)}")
    if f.status:
        common.append(_members("status", [v for v in f.status if v in dictionary["status"]]))
    for name, ids_by_code, column in (
        ("municipality", lk.municipality_ids, "municipality"),
        ("funding_source", lk.funding_source_ids, "source"),
        ("scheme", lk.scheme_ids, "scheme"),
    ):
        if getattr(f, name):
            common.append(_in_or_null(column, getattr(f, name), ids_by_code))
    if f.source_type:
        common.append("is_state = TRUE" if f.source_type == "state" else "is_state = FALSE")
    if f.recipient_type:
        common.append(_members("recipient_type", [v for v in f.recipient_type if v in dictionary["recipient_type"]]))
    if f.industry:
        patterns = [_like(code + "%") for code in f.industry]
        matching = [v for v in dictionary["industry"] if any(p.fullmatch(v) for p in patterns)]
        common.append(_members("industry", matching))
    recipient_test = ""
    if f.recipient:
        recipient_test = "rkey = (SELECT rkey FROM recipients WHERE recipient = ?)"
        common.append(recipient_test)
    for code in f.all_drivers:
        one = bits.of("driver", [code])
        common.append(f"(dr & {one}) <> 0" if one else "FALSE")
    for kind in ("driver", "advantage"):
        chosen = getattr(f, kind)
        if chosen and kind not in q.by:
            common.append(_has_any(MASK[kind], bits.of(kind, chosen), bits.all(kind) if NONE in chosen else None))

    focus_joined = "focus_area" in q.by or bool(f.focus_area)
    inner_dims: list[str] = []  # (expression per part) in the order of the inner select
    for dim in q.by:
        if dim in PLAIN:
            inner_dims.append(PLAIN[dim])
        elif dim != "focus_area" and MASK[dim] not in inner_dims:
            inner_dims.append(MASK[dim])
    parts: list[str] = []
    if focus_joined:
        chosen = f.focus_area
        focus_ids = list(bits.ids["focus_area"].values())
        if chosen:
            focus_ids = [lk.element_ids["focus_area"][c] for c in chosen if c in lk.element_ids.get("focus_area", {})]
            focus_ids = [pk for pk in focus_ids if pk in bits.ids["focus_area"].values()]
        selected = bits.of("focus_area", chosen)
        # Under a focus filter without a focus breakdown an allocation counts once, on its lowest selected area.
        count = (
            f"SUM(CASE WHEN (fa & {selected} & (bit - 1)) = 0 THEN 1 ELSE 0 END)"
            if "focus_area" not in q.by
            else "COUNT(*)"
        )
        dims = [*inner_dims, "element_id"] if "focus_area" in q.by else inner_dims
        none_dims = [*inner_dims, "CAST(NULL AS INTEGER)"] if "focus_area" in q.by else inner_dims
        if focus_ids:
            where = [*common, f"element_id IN ({_ints(focus_ids)})"]
            parts.append(_part(dims, "focus", where, "f_amount", "f_paid", "f_applied", count))
        if not chosen or NONE in chosen:
            where = [*common, f"(fa & {bits.all('focus_area')}) = 0"]
            parts.append(_part(none_dims, "facts", where, "amount", "paid", "applied", "COUNT(*)"))
        if not parts:  # only focus areas without a bit chosen: nothing matches
            parts.append(_part(none_dims, "facts", ["FALSE"], "amount", "paid", "applied", "COUNT(*)"))
    else:
        parts.append(_part(inner_dims, "facts", common, "amount", "paid", "applied", "COUNT(*)"))
    params = [f.recipient] * len(parts) if recipient_test else []

    # The outer query: spread masks over their elements, then group as the caller asked.
    columns = [f"g{i}" for i in range(len(inner_dims))] + (["g_focus"] if "focus_area" in q.by else [])
    inner = " UNION ALL ".join(parts)
    select, joins, where = [], [], []
    for dim in q.by:
        if dim == "focus_area":
            select.append("g_focus")
            if f.focus_area:
                where.append(_in_or_null("g_focus", f.focus_area, lk.element_ids.get("focus_area", {})))
        elif dim in PLAIN:
            select.append(f"g{inner_dims.index(PLAIN[dim])}")
        else:
            base = "driver" if dim == "driver_b" else dim
            alias = {"driver": "d", "advantage": "v", "driver_b": "d2"}[dim]
            mask_column = f"g{inner_dims.index(MASK[dim])}"
            values = [f"({bit}, {pk})" for bit, pk in sorted(bits.ids[base].items())] + ["(0, CAST(NULL AS BIGINT))"]
            joins.append(
                f"JOIN (VALUES {', '.join(values)}) {alias}(bit, element_id) ON CASE WHEN {alias}.bit = 0 "
                f"THEN ({mask_column} & {bits.all(base)}) = 0 ELSE ({mask_column} & {alias}.bit) <> 0 END"
            )
            select.append(f"{alias}.element_id")
            if getattr(f, base):
                where.append(_in_or_null(f"{alias}.element_id", getattr(f, base), lk.element_ids.get(base, {})))
    # One part and nothing to spread: its groups are the answer (no second pass over, say, 50 000 recipients).
    final = len(parts) == 1 and not joins and not where
    total = "CAST({} AS BIGINT)" if final else "CAST(SUM({}) AS BIGINT)"
    outer = [*select]
    outer += [f"{total.format(m)} AS {name}" for m, name in MEASURES]
    sql = f"SELECT {', '.join(outer)} FROM ({inner}) i({', '.join([*columns, 'amount', 'paid', 'applied', 'n'])}) "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    sql += " ".join(joins)
    if where:
        sql += " WHERE " + " AND ".join(where)
    if q.by and not final:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(q.by)))
    order = ""
    if q.order_by_amount:
        order = " ORDER BY amount_ore DESC" + (", 1" if q.by else "")
    elif q.by:
        order = " ORDER BY " + ", ".join(f"{i + 1} NULLS LAST" for i in range(len(q.by)))
    sql += order
    if q.limit:
        sql += f" LIMIT {int(q.limit)}"
        if q.offset:
            sql += f" OFFSET {int(q.offset)}"
    if "recipient" in q.by:
        # The recipient's key and name, looked up for the rows kept only: the name is the largest among the
        # allocations counted, as on the database.
        member = list(common)
        if f.focus_area:
            member.append(
                _has_any(
                    "fa", bits.of("focus_area", f.focus_area), bits.all("focus_area") if NONE in f.focus_area else None
                )
            )
        member.append("rkey IN (SELECT g0 FROM top)")
        names = f"SELECT rkey, MAX(recipient_name) AS name FROM facts WHERE {' AND '.join(member)} GROUP BY rkey"  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        sql = (
            f"WITH top AS ({sql}) "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
            f"SELECT r.recipient, top.amount_ore, top.paid_ore, top.applied_ore, top.n, nm.name FROM top "
            f"JOIN recipients r ON r.rkey = top.g0 LEFT JOIN ({names}) nm ON nm.rkey = top.g0"
            + order.replace("amount_ore", "top.amount_ore").replace(", 1", ", top.g0").replace("1 NULLS", "g0 NULLS")
        )
        params += [f.recipient] if recipient_test else []
    return sql, params


def _part(dims: list[str], table: str, where: list[str], amount: str, paid: str, applied: str, count: str) -> str:
    if table == "facts" and "id" in dims:  # one row per allocation already: grouping a million ids costs 100s of ms
        select = [*dims, amount, paid, applied, "1"]
        return f"SELECT {', '.join(select)} FROM {table} WHERE {' AND '.join(where)}"  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    select = [*dims, f"SUM({amount})", f"SUM({paid})", f"SUM({applied})", count]
    sql = f"SELECT {', '.join(select)} FROM {table} WHERE {' AND '.join(where)}"  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    if dims:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims)))
    return sql
