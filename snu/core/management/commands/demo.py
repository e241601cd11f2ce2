"""`snu demo`: create the database, load the Troms strategies, demo users and demo data, then serve."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.core.management import call_command
from django.core.management.base import BaseCommand

from snu.core.actions import add_member, create_authority
from snu.core.cli import CLI_ACTOR, DEFAULT_AUTHORITY
from snu.core.models import Role

DEMO_USERS = [
    # username, password, role, full name
    ("admin", "snu-demo-admin", Role.ADMINISTRATOR, "Ada Administrator"),
    ("radgiver", "snu-demo-radgiver", Role.ADVISOR, "Rune Rådgiver"),
    ("leser", "snu-demo-leser", Role.READER, "Lise Leser"),
]
OTHER_AUTHORITY = {
    "code": "nordland",
    "name": "Nordland fylkeskommune",
    "region_name": "Nordland",
    "county_number": "18",
}
OTHER_USER = ("nordland", "snu-demo-nordland", Role.ADVISOR, "Nora Nordland")

# Apps add demo data through `snu.<app>.demo.load(authority, stdout)`, in this order.
DEMO_APPS = [
    "grants",
    "imports",
    "classify",
    "analytics",
    "plans",
    "partners",
    "signals",
    "reports",
    "public",
]


class Command(BaseCommand):
    help = "Set up a demo database (strategies, users, data) and start the web app on 127.0.0.1:8000."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up and exit without serving")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **opts) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        authority = create_authority(CLI_ACTOR, **DEFAULT_AUTHORITY)
        call_command("strategy", "load", "--shipped", "--authority", authority.code, stdout=self.stdout)
        for username, password, role, name in DEMO_USERS:
            add_member(CLI_ACTOR, authority, username=username, password=password, role=role, full_name=name)
        other = create_authority(CLI_ACTOR, **OTHER_AUTHORITY)
        add_member(
            CLI_ACTOR,
            other,
            username=OTHER_USER[0],
            password=OTHER_USER[1],
            role=OTHER_USER[2],
            full_name=OTHER_USER[3],
        )
        for app in DEMO_APPS:
            if find_spec(f"snu.{app}.demo") is not None:
                import_module(f"snu.{app}.demo").load(authority, self.stdout)
        self.print_logins(opts["addrport"])
        if not opts["no_serve"]:
            call_command("collectstatic", interactive=False, verbosity=0)
            call_command("runserver", opts["addrport"], use_reloader=False)

    def print_logins(self, addrport: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nSNU demo is ready: http://{addrport}/"))
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role, _name in [*DEMO_USERS, OTHER_USER]:
            self.stdout.write(f"  {username:10} {password:22} {role}")
