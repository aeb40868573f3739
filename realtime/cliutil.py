"""Run one package's command group on its own (``python -m inbox.cli mail parse FILE``).

Kept apart from ``realtime.cli`` so that package ``cli`` modules can use it without importing
every other package.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def run_group(register: Registrar, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` with just this group's commands and run the chosen handler."""
    parser = argparse.ArgumentParser(prog="madoguchi")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code
