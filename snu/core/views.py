from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from snu.core.home import collect_panels
from snu.core.models import AuditEntry
from snu.core.permissions import administrator_required, reader_required


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    panels = collect_panels(request) if getattr(request, "authority", None) else []
    return render(request, "core/home.html", {"panels": panels})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@administrator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.filter(authority=request.authority).select_related("actor")  # type: ignore[attr-defined]
    if object_type := request.GET.get("type"):
        entries = entries.filter(object_type=object_type)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "object_type": object_type})


@reader_required
def object_audit(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    entries = AuditEntry.objects.filter(
        authority=request.authority,  # type: ignore[attr-defined]
        object_type=object_type,
        object_id=object_id,
    )
    return render(request, "core/object_audit.html", {"entries": entries, "object_type": object_type})
