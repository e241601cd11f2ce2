"""Base test case with one persona per role, and another authority's advisor as the outsider."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import TestCase

from snu.core.actions import add_member, create_authority
from snu.core.models import Authority, Role

PASSWORD = "correct horse battery staple"


class BaseTestCase(TestCase):
    authority: Authority
    other_authority: Authority
    admin: Any
    advisor: Any
    reader: Any
    outsider: Any
    """`self.admin`, `self.advisor`, `self.reader` in `self.authority`; `self.outsider` advises another one."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        cls.other_authority = create_authority(
            None, code="nordland", name="Nordland fylkeskommune", region_name="Nordland"
        )
        cls.admin = cls._member(cls.authority, "admin", Role.ADMINISTRATOR)
        cls.advisor = cls._member(cls.authority, "advisor", Role.ADVISOR)
        cls.reader = cls._member(cls.authority, "reader", Role.READER)
        cls.outsider = cls._member(cls.other_authority, "outsider", Role.ADVISOR)

    @classmethod
    def _member(cls, authority, username: str, role: str):
        add_member(None, authority, username=username, password=PASSWORD, role=role, full_name=username.title())
        return get_user_model().objects.get(username=username)

    def login(self, user) -> None:
        self.client.force_login(user)
