"""The main navigation. Entries whose URL is not (yet) routed are left out, so apps can arrive one by one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# (url name, label, minimum role or None for the public)
NAV_ITEMS = [
    ("home", _("Home"), None),
    ("strategy:list", _("Strategy"), "reader"),
    ("grants:allocation_list", _("Allocations"), "reader"),
    ("imports:index", _("Import"), "advisor"),
    ("classify:review", _("Review"), "advisor"),
    ("analytics:dashboard", _("Prioritised effort"), "reader"),
    ("plans:index", _("Action plans"), "reader"),
    ("partners:index", _("Partners"), "reader"),
    ("signals:index", _("Trends and signals"), "reader"),
    ("reports:index", _("Reports"), "reader"),
    ("public:index", _("Open data"), None),
    ("core:audit_log", _("Audit log"), "administrator"),
]
