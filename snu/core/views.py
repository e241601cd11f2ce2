from __future__ import annotations

import functools

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from snu.core import ratelimit
from snu.core.home import collect_panels
from snu.core.models import AuditEntry
from snu.core.permissions import administrator_required, reader_required


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username, ip = request.POST.get("username", ""), ratelimit.client_ip(request)
        if ratelimit.is_locked(username, ip):
            minutes = ratelimit.window_minutes()
            context = self.get_context_data(form=self.get_form(), locked=True, locked_minutes=minutes)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        ratelimit.clear_failures(form.cleaned_data.get("username", ""), ratelimit.client_ip(self.request))
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        ratelimit.record_failure(self.request.POST.get("username", ""), ratelimit.client_ip(self.request))
        return super().form_invalid(form)


def home(request: HttpRequest) -> HttpResponse:
    # Collected only when the page is not kept ({% keep %} in the template).
    panels = functools.cache(lambda: collect_panels(request) if getattr(request, "authority", None) else [])
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
