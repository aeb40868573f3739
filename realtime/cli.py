"""The ``madoguchi`` console command.

Each package that adds commands has a ``cli.py`` with ``register(subparsers)``; it adds its
subcommands and sets ``handler`` (a function taking the parsed namespace and returning an exit
code) with ``parser.set_defaults(handler=...)``. The list below is the one place they are wired.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import cms.kpi.cli
import cms.reports_cli
import crm.cli
import crm.knowledge_cli
import crm.scripts.cli
import inbox.cli
import inbox.fax.cli
import inbox.intake.cli
import mediastore.cli
import switch.calendar.cli
import switch.callpath.cli
import switch.cli
import switch.standin.cli
import wfm.cli
import wfm.shifts.cli
import wfm.staffing_cli
from realtime import backup_cli
from realtime import commands as core_commands
from realtime.disposal import cli as disposal_cli
from realtime.monitoring import cli as monitoring_cli

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRARS: list[Registrar] = [
    core_commands.register,
    backup_cli.register,
    disposal_cli.register,
    monitoring_cli.register,
    switch.cli.register,
    switch.callpath.cli.register,
    switch.standin.cli.register,
    switch.calendar.cli.register,
    cms.kpi.cli.register,
    cms.reports_cli.register,
    crm.cli.register,
    crm.knowledge_cli.register,
    crm.scripts.cli.register,
    inbox.cli.register,
    inbox.fax.cli.register,
    inbox.intake.cli.register,
    mediastore.cli.register,
    wfm.cli.register,
    wfm.staffing_cli.register,
    wfm.shifts.cli.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="madoguchi",
        description="Madoguchi (窓口): contact center for Japanese city halls.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
