"""Run a hunted extension's actions the way FreeSWITCH would for a few applications (test support).

Only what the decision depends on is modelled, from the applications' source:

- ``set``/``export``/``unset`` change channel variables (data expanded at execution time);
- ``socket host:port async full`` (mod_event_socket ``socket_function``): when the connection
  succeeds the server owns the call and nothing after it runs (``socket_resume`` unset);
  when it fails the application logs "Socket Error!" and returns, and the next action runs;
- ``bridge``: on success the call is bridged (``hangup_after_bridge`` ends it afterwards); on
  failure the call goes on only if ``continue_on_fail`` is true, else it hangs up;
- ``transfer <dest> XML <context>``: hunts again with the new destination and context;
- ``hangup``/``respond``: the end of the call.
Everything else is recorded and execution goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tests.freeswitch_conf.dialplan_eval import Channel, Dialplan, Expander, switch_true

MAX_TRANSFERS = 10


@dataclass(frozen=True)
class World:
    """Which outside parties answer: the Madoguchi socket server and bridge destinations."""

    socket_reachable: bool = True
    bridge_answers: bool = True


@dataclass
class Step:
    """One executed application with its data as expanded at execution time."""

    application: str
    data: str
    context: str
    extension: str


@dataclass
class Run:
    """What happened to the call: the steps and how it ended."""

    steps: list[Step] = field(default_factory=list)
    ended_by: str = ""
    variables: dict[str, str] = field(default_factory=dict)

    def apps(self) -> list[str]:
        return [s.application for s in self.steps]

    def first(self, application: str) -> Step:
        return next(s for s in self.steps if s.application == application)


def run_call(dialplan: Dialplan, channel: Channel, world: World) -> Run:
    """Hunt ``channel`` and execute its actions against ``world``."""
    run = Run()
    current = channel
    for _ in range(MAX_TRANSFERS):
        hunt = dialplan.hunt(current)
        variables = dict(hunt.variables)
        run.steps.extend(
            Step(a.application, a.data, current.context, a.extension) for a in hunt.inline
        )

        def lookup(name: str, ch: Channel = current, vs: dict[str, str] = variables) -> str | None:
            if name in vs:
                return vs[name]
            value = ch.profile_field(name)
            return value if value is not None else dialplan.globals.get(name)

        expander = Expander(lookup)
        transfer_to: tuple[str, str] | None = None
        for action in hunt.actions:
            data = expander.expand(action.data)
            run.steps.append(Step(action.application, data, current.context, action.extension))
            app = action.application
            if app in {"set", "export"}:
                name, _, value = data.partition("=")
                if value:
                    variables[name] = value
                else:
                    variables.pop(name, None)
            elif app == "unset":
                variables.pop(data, None)
            elif app == "socket":
                if world.socket_reachable:
                    run.ended_by = "socket"
                    break
            elif app == "bridge":
                if world.bridge_answers:
                    run.ended_by = "bridge"
                    break
                if not switch_true(variables.get("continue_on_fail")):
                    run.ended_by = "bridge-failed"
                    break
            elif app in {"hangup", "respond"}:
                run.ended_by = app
                break
            elif app == "transfer":
                parts = data.split()
                dest = parts[0]
                context = parts[2] if len(parts) > 2 else current.context
                transfer_to = (dest, context)
                break
        run.variables = variables
        if transfer_to is None:
            if not run.ended_by:
                run.ended_by = "end-of-extension"
            return run
        current = replace(
            current,
            destination_number=transfer_to[0],
            context=transfer_to[1],
            variables=variables,
        )
    run.ended_by = "transfer-loop"
    return run
