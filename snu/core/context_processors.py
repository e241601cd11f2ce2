from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from snu.core.nav import NAV_ITEMS


def snu(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    items = []
    for name, label, role in NAV_ITEMS:
        if role is not None and (membership is None or not membership.has_role(role)):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if name == "home" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {
        "nav_items": items,
        "authority": getattr(request, "authority", None),
        "membership": membership,
        "can_edit": bool(membership and membership.has_role("advisor")),
        "is_admin": bool(membership and membership.has_role("administrator")),
    }
