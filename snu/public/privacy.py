"""The one place that decides what the public may see of a recipient.

Sole proprietors (enkeltpersonforetak) are persons: their names and organisation numbers are personal
data and never appear on public pages or in open-data downloads. Every public output (pages, CSV,
360Giving JSON) takes recipient fields from `public_recipient` and free text from `public_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from snu.grants.models import Allocation, Organisation

# What downloads say instead of the name (Norwegian, like the data); pages show the translated label.
SOLE_PROPRIETOR_LABEL = "Privatperson/enkeltpersonforetak"
SOLE_PROPRIETOR_FORMS = {"ENK", "PERS", "PRIV"}
# Sources that anonymise persons already write e.g. "Enkeltpersonforetak 1234 (anonymisert)".
_ANONYMISED = re.compile(r"enkeltpersonforetak|enkeltmannsforetak|\(anonymisert\)|privatperson", re.IGNORECASE)


def _person_organisations() -> Q:
    return Q(is_sole_proprietor=True) | Q(org_form__in=SOLE_PROPRIETOR_FORMS)


def sole_proprietor_q() -> Q:
    """Allocations whose recipient is a person, as a database filter (the same rule as `is_sole_proprietor`)."""
    registered_person = Organisation.objects.filter(
        _person_organisations(), authority=OuterRef("authority"), org_number=OuterRef("org_number")
    ).exclude(org_number="")
    q = Q(recipient__is_sole_proprietor=True) | Q(recipient__org_form__in=SOLE_PROPRIETOR_FORMS)
    for word in ("enkeltpersonforetak", "enkeltmannsforetak", "(anonymisert)", "privatperson"):
        q |= Q(recipient_name__icontains=word)
    return q | Q(Exists(registered_person))


def is_sole_proprietor(allocation: Allocation) -> bool:
    """True when the recipient is a person. Uses the `is_person` annotation when the query made one."""
    annotated = getattr(allocation, "is_person", None)
    if annotated is not None:
        return bool(annotated)
    recipient = allocation.recipient
    if recipient is not None and (recipient.is_sole_proprietor or recipient.org_form.upper() in SOLE_PROPRIETOR_FORMS):
        return True
    if _ANONYMISED.search(allocation.recipient_name or ""):
        return True
    if allocation.org_number:
        return Organisation.objects.filter(
            _person_organisations(), authority_id=allocation.authority_id, org_number=allocation.org_number
        ).exists()
    return False


@dataclass(frozen=True)
class PublicRecipient:
    name: str
    org_number: str
    is_person: bool


def public_recipient(allocation: Allocation, label: str = SOLE_PROPRIETOR_LABEL) -> PublicRecipient:
    if is_sole_proprietor(allocation):
        return PublicRecipient(name=str(label), org_number="", is_person=True)
    name = allocation.recipient_name or (allocation.recipient.name if allocation.recipient else "")
    return PublicRecipient(name=name, org_number=allocation.org_number, is_person=False)


def _person_names(allocation: Allocation) -> list[str]:
    names = {allocation.recipient_name or ""}
    if allocation.recipient is not None:
        names.add(allocation.recipient.name)
    return [n for n in names if n and not _ANONYMISED.search(n)]


def public_text(text: str, allocation: Allocation, label: str = SOLE_PROPRIETOR_LABEL) -> str:
    """Title or description with a sole proprietor's name (and each part of it) taken out."""
    if not text or not is_sole_proprietor(allocation):
        return text
    for name in _person_names(allocation):
        text = re.sub(re.escape(name), str(label), text, flags=re.IGNORECASE)
        for part in re.findall(r"\w{3,}", name):
            text = re.sub(rf"\b{re.escape(part)}\b", "…", text, flags=re.IGNORECASE)
    return text
