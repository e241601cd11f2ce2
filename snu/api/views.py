"""Web pages of the API: a self-hosted endpoint list (no CDN assets) and token management for administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

from snu.api import actions
from snu.api.models import ApiToken, TokenRole
from snu.core.permissions import administrator_required, owned_or_404

METHODS = ("get", "post", "put", "patch", "delete")


def docs(request: HttpRequest) -> HttpResponse:
    """The endpoints of the OpenAPI schema as a plain page."""
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    endpoints = [
        {"method": method.upper(), "path": path, "summary": op.get("description", "").split("\n")[0]}
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    return render(request, "api/docs.html", {"endpoints": endpoints})


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("Who or what uses the token")
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=TokenRole.choices)


@administrator_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = actions.create_token(
            request.user,
            request.authority,  # type: ignore[attr-defined]
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],  # type: ignore[attr-defined]
        )
        form = TokenForm()
    token_list = ApiToken.objects.filter(authority=request.authority)  # type: ignore[attr-defined]
    return render(request, "api/tokens.html", {"form": form, "tokens": token_list, "new_key": new_key})


@administrator_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = owned_or_404(ApiToken.objects.all(), request, pk=pk)  # type: ignore[attr-defined]
    actions.revoke_token(request.user, token)  # type: ignore[arg-type]
    messages.success(request, _("The token was revoked."))
    return redirect("api:tokens")


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, open to anyone (it holds no data), left out of itself."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
