"""The `snu` console script: any management command, e.g. `snu migrate`, `snu demo`, `snu strategy load F`."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "snu.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["snu", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
