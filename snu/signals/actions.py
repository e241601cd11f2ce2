"""Every change to trends and signals goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from snu.core import audit
from snu.signals.models import Signal

# After a review, the next one is due this many days later unless the advisor picks a date.
DEFAULT_REVIEW_INTERVAL_DAYS = 180


@transaction.atomic
def save_signal(
    actor: Any, signal: Signal, *, drivers: Iterable | None = None, focus_areas: Iterable | None = None
) -> Signal:
    before = audit.snapshot(Signal.objects.get(pk=signal.pk)) if signal.pk else None
    signal.full_clean(exclude=["drivers", "focus_areas"])
    signal.save()
    if drivers is not None:
        signal.drivers.set(drivers)
    if focus_areas is not None:
        signal.focus_areas.set(focus_areas)
    if before is None:
        audit.record_create(actor, signal, action="save_signal")
    else:
        audit.record_update(actor, signal, before, action="save_signal")
    return signal


@transaction.atomic
def delete_signal(actor: Any, signal: Signal) -> None:
    audit.record_delete(actor, signal, audit.snapshot(signal), action="delete_signal")
    signal.delete()


@transaction.atomic
def review_signal(
    actor: Any, signal: Signal, *, next_review: dt.date | None = None, today: dt.date | None = None
) -> Signal:
    """Mark the signal as reviewed today and set the next review date."""
    today = today or dt.date.today()
    before = audit.snapshot(signal)
    signal.last_reviewed_on = today
    signal.review_date = next_review or today + dt.timedelta(days=DEFAULT_REVIEW_INTERVAL_DAYS)
    signal.save(update_fields=["last_reviewed_on", "review_date", "updated_at"])
    audit.record_update(actor, signal, before, action="review_signal")
    return signal


def proposals_available() -> bool:
    """True once the plans app offers `raise_proposal` (it is built alongside this app)."""
    if find_spec("snu.plans.actions") is None:
        return False
    return hasattr(import_module("snu.plans.actions"), "raise_proposal")


@transaction.atomic
def raise_revision_proposal(actor: Any, signal: Signal, plan: Any, *, text: str = "", url: str = "") -> Any:
    """Raise a proposal on the plan's next revision from this signal, and note it on the signal's history."""
    plans_actions = import_module("snu.plans.actions")
    body = text or "\n\n".join(part for part in (signal.description, signal.so_what) if part)
    proposal = plans_actions.raise_proposal(
        actor,
        plan,
        title=signal.title,
        text=body,
        source_label=_("Signal: %(title)s") % {"title": signal.title},
        source_url=url or signal.get_absolute_url(),
    )
    audit.record(
        actor,
        "event",
        signal,
        action="raise_revision_proposal",
        after={"plan": getattr(plan, "pk", None), "proposal": getattr(proposal, "pk", None)},
        message=f"proposal raised on {plan}",
    )
    return proposal
