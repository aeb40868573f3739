"""Call control as typed functions over ``bgapi`` (syntax from mod_commands.c / mod_dptools.c).

Every value is validated (switch.connection.validate) before it reaches a command line; every
``-ERR`` reply becomes a typed error (switch.connection.replies.check_reply).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from switch.connection import validate
from switch.connection.errors import InvalidCallArgument, NoSuchChannel
from switch.connection.replies import check_reply

EavesdropMode = Literal["listen", "whisper", "barge"]


class BgapiRunner(Protocol):
    """Anything with an async ``bgapi`` (EslClient does)."""

    async def bgapi(self, command: str, arg: str | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A successful command: its line and FreeSWITCH's text after ``+OK``."""

    command: str
    text: str


@dataclass(frozen=True, slots=True)
class Originated:
    """A new channel: its UUID."""

    uuid: str


class CallControl:
    """Typed call-control commands sent through ``bgapi``."""

    def __init__(self, runner: BgapiRunner) -> None:
        self._runner = runner

    async def _run(self, command: str, arg: str, *, originate: bool = False) -> CommandResult:
        reply = await self._runner.bgapi(command, arg)
        return CommandResult(f"{command} {arg}", check_reply(command, reply, originate=originate))

    async def originate(
        self,
        *,
        uuid: str,
        endpoint: str,
        target: str = "&park()",
        variables: Mapping[str, str] | None = None,
        auto_answer: bool = False,
        caller_id_name: str | None = None,
        caller_id_number: str | None = None,
        timeout_s: int = 60,
    ) -> Originated:
        """``originate {vars}endpoint target``; ``auto_answer`` for agent phones."""
        merged = {"origination_uuid": validate.uuid(uuid)}
        merged["originate_timeout"] = str(int(timeout_s))
        if caller_id_name is not None:
            merged["origination_caller_id_name"] = caller_id_name
        if caller_id_number is not None:
            merged["origination_caller_id_number"] = validate.digits(
                caller_id_number, field="caller_id_number"
            )
        if auto_answer:
            merged["sip_auto_answer"] = "true"
        merged.update(variables or {})
        arg = f"{validate.variable_block(merged)}{validate.dial_string(endpoint)} {_target(target)}"
        result = await self._run("originate", arg, originate=True)
        return Originated(uuid=result.text.split()[0] if result.text else uuid)

    async def bridge(self, *, uuid: str, other_uuid: str) -> CommandResult:
        """``uuid_bridge <uuid> <other_uuid>``."""
        arg = f"{validate.uuid(uuid)} {validate.uuid(other_uuid, field='other_uuid')}"
        return await self._run("uuid_bridge", arg)

    async def transfer(
        self,
        *,
        uuid: str,
        destination: str,
        leg: Literal["", "-bleg", "-both"] = "",
        dialplan: str = "XML",
        context: str = "default",
    ) -> CommandResult:
        """``uuid_transfer <uuid> [-bleg|-both] <dest> <dialplan> <context>``."""
        parts = [validate.uuid(uuid)]
        if leg:
            parts.append(leg)
        parts += [
            validate.token(destination, field="destination"),
            validate.token(dialplan, field="dialplan"),
            validate.token(context, field="context"),
        ]
        return await self._run("uuid_transfer", " ".join(parts))

    async def kill(self, *, uuid: str, cause: str = "NORMAL_CLEARING") -> CommandResult:
        """``uuid_kill <uuid> [cause]``."""
        arg = f"{validate.uuid(uuid)} {validate.token(cause, field='cause')}"
        return await self._run("uuid_kill", arg)

    async def answer(self, *, uuid: str) -> CommandResult:
        """``uuid_answer <uuid>``."""
        return await self._run("uuid_answer", validate.uuid(uuid))

    async def broadcast(
        self, *, uuid: str, path: str, leg: Literal["aleg", "bleg", "both"] = "aleg"
    ) -> CommandResult:
        """``uuid_broadcast <uuid> <path> <leg>``: play a file to a (bridged) channel."""
        return await self._run(
            "uuid_broadcast", f"{validate.uuid(uuid)} {validate.path(path)} {leg}"
        )

    async def setvar(self, *, uuid: str, name: str, value: str) -> CommandResult:
        """``uuid_setvar <uuid> <name> <value>``."""
        arg = f"{validate.uuid(uuid)} {validate.var_name(name)} {validate.var_value(value)}"
        return await self._run("uuid_setvar", arg)

    async def record_start(self, *, uuid: str, path: str, stereo: bool = True) -> CommandResult:
        """``uuid_setvar <uuid> RECORD_STEREO true`` then ``uuid_record <uuid> start <path>``."""
        await self.setvar(uuid=uuid, name="RECORD_STEREO", value="true" if stereo else "false")
        return await self._run("uuid_record", f"{validate.uuid(uuid)} start {validate.path(path)}")

    async def record_stop(self, *, uuid: str, path: str = "all") -> CommandResult:
        """``uuid_record <uuid> stop <path|all>``."""
        return await self._run("uuid_record", f"{validate.uuid(uuid)} stop {validate.path(path)}")

    async def hold(self, *, uuid: str, on: bool = True) -> CommandResult:
        """``uuid_hold <uuid>`` / ``uuid_hold off <uuid>``."""
        arg = validate.uuid(uuid) if on else f"off {validate.uuid(uuid)}"
        return await self._run("uuid_hold", arg)

    async def eavesdrop(
        self, *, uuid: str, supervisor_uuid: str, endpoint: str, mode: EavesdropMode
    ) -> Originated:
        """Call the supervisor and eavesdrop on ``uuid`` (the agent's leg).

        listen: hears both; whisper: speaks to the agent only; barge: speaks to both.
        FreeSWITCH mixes ``eavesdrop_whisper_bleg`` audio into what is written to the
        eavesdropped leg (the agent hears it) and ``eavesdrop_whisper_aleg`` audio into what that
        leg reads (its bridged partner, the caller, hears it): switch_ivr_async.c.
        """
        variables = {"eavesdrop_enable_dtmf": "false"}
        if mode in ("whisper", "barge"):
            variables["eavesdrop_whisper_bleg"] = "true"
        if mode == "barge":
            variables["eavesdrop_whisper_aleg"] = "true"
        return await self.originate(
            uuid=supervisor_uuid,
            endpoint=endpoint,
            target=f"&eavesdrop({validate.uuid(uuid)})",
            variables=variables,
            auto_answer=True,
        )

    async def consult_start(
        self,
        *,
        customer_uuid: str,
        agent_uuid: str,
        consult_uuid: str,
        endpoint: str,
        hold_music: str = "local_stream://moh",
    ) -> Originated:
        """Attended transfer, step 1: park the customer on hold music, call the department.

        Both the customer and the agent get ``park_after_bridge=true``: re-bridging one of
        them (or the department hanging up) would otherwise hang up the leg left behind.
        """
        await self.setvar(uuid=customer_uuid, name="park_after_bridge", value="true")
        await self.setvar(uuid=agent_uuid, name="park_after_bridge", value="true")
        consult = await self.originate(uuid=consult_uuid, endpoint=endpoint)
        await self.bridge(uuid=agent_uuid, other_uuid=consult_uuid)
        await self.broadcast(uuid=customer_uuid, path=hold_music, leg="aleg")
        return consult

    async def consult_complete(
        self, *, customer_uuid: str, agent_uuid: str, consult_uuid: str
    ) -> CommandResult:
        """Attended transfer, step 2: bridge customer and department, end the agent's leg."""
        result = await self.bridge(uuid=customer_uuid, other_uuid=consult_uuid)
        await self.setvar(uuid=customer_uuid, name="park_after_bridge", value="false")
        with contextlib.suppress(NoSuchChannel):  # the agent may have hung up already
            await self.kill(uuid=agent_uuid)
        return result

    async def consult_cancel(
        self, *, customer_uuid: str, agent_uuid: str, consult_uuid: str
    ) -> CommandResult:
        """Attended transfer abandoned: hang up the department, bring agent and customer back."""
        with contextlib.suppress(NoSuchChannel):  # the department may have hung up already
            await self.kill(uuid=consult_uuid)
        result = await self.bridge(uuid=customer_uuid, other_uuid=agent_uuid)
        for uuid in (customer_uuid, agent_uuid):
            await self.setvar(uuid=uuid, name="park_after_bridge", value="false")
        return result

    async def conference_join(
        self, *, uuid: str, room: str, profile: str = "default", flags: tuple[str, ...] = ()
    ) -> CommandResult:
        """``uuid_transfer <uuid> conference:<room>@<profile>[+flags{a|b}] inline``."""
        target = f"{validate.token(room, field='room')}@{validate.token(profile, field='profile')}"
        if flags:
            target += "+flags{" + "|".join(validate.token(f, field="flag") for f in flags) + "}"
        return await self._run("uuid_transfer", f"{validate.uuid(uuid)} conference:{target} inline")

    async def send_fax(
        self, *, uuid: str, endpoint: str, tiff_path: str, ident: str, header: str
    ) -> Originated:
        """Call a fax machine and send a TIFF with ``txfax``."""
        return await self.originate(
            uuid=uuid,
            endpoint=endpoint,
            target=f"&txfax({validate.path(tiff_path)})",
            variables={"fax_ident": ident, "fax_header": header},
        )


def _target(target: str) -> str:
    """``&app(arg)`` or an extension; no blanks, quotes or expansions."""
    if not target.startswith("&"):
        return validate.token(target, field="target")
    app, paren, rest = target[1:].partition("(")
    if not paren or not rest.endswith(")"):
        raise InvalidCallArgument(field="target", value=target, reason="is not &app(arg)")
    arg = rest[:-1]
    validate.token(app, field="target application")
    if arg:
        validate.path(arg, field="target argument")
    return target
