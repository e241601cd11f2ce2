"""Template filters: nb-NO money, numbers and dates, and texts per language; `{% keep %}` for page parts
kept per data version. Built in to every template."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.db import connection
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from snu.lib import formatting
from snu.lib.i18n import pick

register = template.Library()


@register.filter
def money(value: object) -> str:
    return formatting.format_money(value)


@register.filter
def money_exact(value: object) -> str:
    return formatting.format_money(value, decimals=2)


@register.filter
def mnok(value: object) -> str:
    return formatting.format_mnok(value)


@register.filter
def num(value: object, decimals: int = 0) -> str:
    return formatting.format_number(value, int(decimals))


@register.filter
def percent(value: object, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))


@register.filter
def nbdate(value: object) -> str:
    return formatting.format_date(value)  # type: ignore[arg-type]


@register.filter
def nbdatetime(value: object) -> str:
    return formatting.format_datetime(value)  # type: ignore[arg-type]


@register.filter
def tr(texts: object, lang: str | None = None) -> str:
    """Pick the active language's text from a {"nb": …, "en": …} value."""
    return pick(texts, lang)  # type: ignore[arg-type]


@register.filter
def get_item(mapping: object, key: object) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def add_ds_class(field: object) -> object:
    """Render a form field with Designsystemet's input class and the ARIA links to its help and error."""
    attrs = {"class": "ds-input"}
    described = []
    if getattr(field, "help_text", ""):
        described.append(f"{field.auto_id}_help")  # type: ignore[attr-defined]
    if getattr(field, "errors", None):
        described.append(f"{field.auto_id}_error")  # type: ignore[attr-defined]
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)  # type: ignore[attr-defined]


# Stands for the reader's CSRF token inside a kept page part; replaced by the token of whoever reads it.
CSRF_MARK = "snu-csrf-token-placeholder-7d3f"


class KeepNode(template.Node):
    def __init__(
        self,
        name: str,
        parts: list[template.base.FilterExpression],
        nodelist: template.NodeList,
        version: template.base.FilterExpression | None = None,
        rows: template.base.FilterExpression | None = None,
        scope: str = "base",
    ):
        self.name, self.parts, self.nodelist, self.version, self.rows = name, parts, nodelist, version, rows
        self.scope = scope

    def render(self, context: template.Context) -> str:
        from snu.core import dataversion

        request = context.get("request")
        if request is None or connection.in_atomic_block or request.method not in ("GET", "HEAD"):
            return self.nodelist.render(context)  # a page answering a form may show what was sent: never kept
        membership = getattr(request, "membership", None)
        authority = getattr(request, "authority", None)
        parts = (
            request.get_full_path(),
            get_language(),
            getattr(authority, "pk", None),
            getattr(membership, "role", None),
            request.user.is_authenticated,
            *(part.resolve(context) for part in self.parts),
        )
        version = self.version.resolve(context) if self.version is not None else None
        if version:  # the part stands on this (e.g. an analytics snapshot), not on the data version
            key = dataversion.cache_key(f"keep:{self.name}", (parts, version, dataversion.today()), versioned=False)
        elif self.rows is not None:  # the part shows these rows' state and what the base version counts
            scope = dataversion.TOTALS if self.scope == "totals" else dataversion.BASE
            key = dataversion.rows_page_key(f"keep:{self.name}", parts, self.rows.resolve(context), scope=scope)
        else:
            key = dataversion.page_key(f"keep:{self.name}", parts)
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_MARK):
                html = self.nodelist.render(context)
            cache.set(key, str(html), dataversion.TIMEOUT)
        if CSRF_MARK in html:
            html = html.replace(CSRF_MARK, str(context.get("csrf_token", "")))
        return mark_safe(html)  # rendered (and escaped) by the template engine, only read back here


@register.tag
def keep(parser: template.base.Parser, token: template.base.Token) -> KeepNode:
    """`{% keep "name" extra parts... %}…{% endkeep %}`: the enclosed part is rendered once per data version,
    edit version, day, address, language, authority and role (and any extra parts), and read back from the
    cache after that. Any audited change moves the edit version, so a kept part never shows an old state.
    `version=expr`: when it is set, the part is kept under that instead of the data and edit versions (the
    dashboard under its analytics snapshot, so a review decision does not make it be rendered again).
    `rows=expr`: the part shows only a few alignments; `expr` is their state (e.g. ids and `updated_at`, read
    cheaply), and the part is kept under it and the base version instead of the data version, so a decision makes
    only the parts that show the decided alignment be rendered again (`snu.core.dataversion.rows_page_key`).
    `scope=totals` with it: the part also shows totals or rankings of element rows (an element page), so it is kept
    under the totals version, which a person accepting a suggestion leaves alone but a correction moves.

    Whatever the part reads from the database must be lazy in the view (a queryset, or a callable), so a kept
    part costs no queries. Inside a transaction it is always rendered afresh. CSRF tokens in it stay per reader.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'keep' needs a name")
    name = bits[1].strip("\"'")
    version = rows = None
    scope = "base"
    parts = []
    for bit in bits[2:]:
        if bit.startswith("version="):
            version = parser.compile_filter(bit.removeprefix("version="))
        elif bit.startswith("rows="):
            rows = parser.compile_filter(bit.removeprefix("rows="))
        elif bit.startswith("scope="):
            scope = bit.removeprefix("scope=").strip("\"'")
            if scope not in ("base", "totals"):
                raise template.TemplateSyntaxError("'keep' scope is base or totals")
        else:
            parts.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(name, parts, nodelist, version, rows, scope)
