"""`snu token create --role reader --name X [--authority troms]`, `snu token list`, `snu token revoke ID`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from snu.api import actions
from snu.api.models import ApiToken, TokenRole
from snu.core.cli import CLI_ACTOR, add_authority_argument, get_authority


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Create a token and print its key (shown only this once)")
        create.add_argument("--name", required=True, help="Who or what uses the token")
        create.add_argument("--role", choices=TokenRole.values, default=TokenRole.READER)
        add_authority_argument(create)
        listing = sub.add_parser("list", help="List the tokens of an authority")
        add_authority_argument(listing)
        revoke = sub.add_parser("revoke", help="Revoke a token by its id")
        revoke.add_argument("id", type=int)
        add_authority_argument(revoke)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        getattr(self, f"handle_{opts['verb']}")(authority, opts)

    def handle_create(self, authority, opts) -> None:
        token, key = actions.create_token(CLI_ACTOR, authority, name=opts["name"], role=opts["role"])
        self.stderr.write(f"token {token.pk} '{token.name}' ({token.role}, {authority.code}); the key is shown once:")
        self.stdout.write(key)

    def handle_list(self, authority, opts) -> None:
        for t in ApiToken.objects.filter(authority=authority):
            state = "revoked" if t.revoked_at else "active"
            self.stdout.write(f"{t.pk}\t{t.name}\t{t.role}\t{t.key_start}…\t{state}\t{t.last_used_at or '-'}")

    def handle_revoke(self, authority, opts) -> None:
        token = ApiToken.objects.filter(authority=authority, pk=opts["id"]).first()
        if token is None:
            raise CommandError(f"no token {opts['id']} in {authority.code}")
        actions.revoke_token(CLI_ACTOR, token)
        self.stdout.write(f"revoked token {token.pk} '{token.name}'")
