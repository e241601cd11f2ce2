"""A small client for the public business register (Enhetsregisteret, data.brreg.no).

Off unless `SNU_BRREG_ENABLED` is set: SNU works fully without it, and tests never touch the network
(they pass an `opener` that plays back recorded responses). Standard library HTTP only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from snu.lib.orgnr import OrgNumberError, normalise_org_number

BASE_URL = "https://data.brreg.no/enhetsregisteret/api"
TIMEOUT_SECONDS = 5.0


class BrregError(Exception):
    """The register could not answer. `str()` is a message fit for the user."""


class BrregDisabled(BrregError):
    def __init__(self) -> None:
        super().__init__(_("The look-up in Enhetsregisteret is switched off."))


class BrregNotFound(BrregError):
    pass


@dataclass(frozen=True)
class RegisterUnit:
    org_number: str
    name: str
    org_form: str = ""
    org_form_name: str = ""
    industry_code: str = ""
    industry_name: str = ""
    municipality_number: str = ""
    municipality_name: str = ""
    website: str = ""
    deleted_on: str = ""


Opener = Callable[[str, float], tuple[int, bytes]]


def urllib_opener(url: str, timeout: float) -> tuple[int, bytes]:
    """GET a URL; return (status, body). HTTP error statuses are returned, not raised."""
    if not url.startswith("https://"):
        raise OSError(f"only https is allowed: {url}")
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "SNU"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https base URL
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read() or b""


class BrregClient:
    def __init__(
        self,
        *,
        enabled: bool,
        opener: Opener = urllib_opener,
        base_url: str = BASE_URL,
        timeout: float = TIMEOUT_SECONDS,
    ):
        self.enabled, self.opener, self.base_url, self.timeout = enabled, opener, base_url.rstrip("/"), timeout

    @classmethod
    def from_settings(cls) -> BrregClient:
        return cls(enabled=bool(getattr(settings, "SNU_BRREG_ENABLED", False)))

    def lookup(self, org_number: str) -> RegisterUnit:
        """The main unit (enhet) with this number, else the sub-unit (underenhet). Raises BrregError."""
        if not self.enabled:
            raise BrregDisabled()
        try:
            digits = normalise_org_number(org_number)
        except OrgNumberError as exc:
            raise BrregNotFound(_("Not a valid organisation number.")) from exc
        for kind in ("enheter", "underenheter"):
            status, body = self._get(f"{self.base_url}/{kind}/{digits}")
            if status == 200:
                return parse_unit(_json(body))
            if status == 410:
                data = _json(body) if body else {}
                return RegisterUnit(org_number=digits, name="", deleted_on=str(data.get("slettedato", "")))
            if status != 404:
                raise BrregError(_("Enhetsregisteret answered with an error (HTTP %(status)s).") % {"status": status})
        raise BrregNotFound(_("Enhetsregisteret does not know this organisation number."))

    def _get(self, url: str) -> tuple[int, bytes]:
        try:
            return self.opener(url, self.timeout)
        except (OSError, TimeoutError) as exc:  # URLError is an OSError
            raise BrregError(_("Enhetsregisteret could not be reached.")) from exc


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BrregError(_("Enhetsregisteret sent an answer SNU cannot read.")) from exc
    if not isinstance(data, dict):
        raise BrregError(_("Enhetsregisteret sent an answer SNU cannot read."))
    return data


def parse_unit(data: dict[str, Any]) -> RegisterUnit:
    """Read the fields SNU uses from an `enheter`/`underenheter` JSON document."""
    form = data.get("organisasjonsform") or {}
    industry = data.get("naeringskode1") or {}
    address = data.get("forretningsadresse") or data.get("beliggenhetsadresse") or data.get("postadresse") or {}
    website = str(data.get("hjemmeside") or "")
    if website and "://" not in website:
        website = "https://" + website
    return RegisterUnit(
        org_number=str(data.get("organisasjonsnummer", "")),
        name=str(data.get("navn", "")),
        org_form=str(form.get("kode", "")),
        org_form_name=str(form.get("beskrivelse", "")),
        industry_code=str(industry.get("kode", "")),
        industry_name=str(industry.get("beskrivelse", "")),
        municipality_number=str(address.get("kommunenummer", "")),
        municipality_name=str(address.get("kommune", "")).title(),
        website=website,
    )
