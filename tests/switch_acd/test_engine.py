"""ACD behaviour: choice, availability, no answer, overflow, abandonment, wrap-up, mail, parking."""

from __future__ import annotations

import pytest

from cms.events import PAYLOADS, EventType
from switch.acd.agents import AgentState
from switch.acd.engine import EngineSettings, HistorySaved
from switch.acd.errors import (
    DuplicateContact,
    HistoryNotSaved,
    IllegalTransition,
    InvalidQueueConfig,
    UnknownQueue,
)
from switch.acd.events import AgentStateChanged
from switch.acd.queues import Channel, Overflow, QueueConfig, validate_queues
from switch.acd.skills import SkillNeed
from tests.switch_acd.helpers import live, make, states, types
from tests.switch_acd.helpers import said as said_for

S = AgentState


def _ready(engine, clock, *agents, skills=None):
    for agent_id in agents:
        engine.sign_in(agent_id=agent_id, skills=skills or {"tax": 2, "general": 1}, ready=True)
        clock.advance(1)


def _offered_to(events):
    return [e.agent for e in events if e.type == "agent.offered"]


@pytest.mark.req("F-1.3.1")
def test_call_goes_to_the_longest_idle_agent_with_the_skill():
    engine, clock = make()
    _ready(engine, clock, "a", "b", "c")
    assert _offered_to(engine.enqueue(contact_id="c1", queue_id="tax")) == ["a"]
    assert _offered_to(engine.enqueue(contact_id="c2", queue_id="tax")) == ["b"]
    # "c" becomes not ready then ready again: now idle for a shorter time than "d".
    engine.set_not_ready(agent_id="c", reason="break")
    _ready(engine, clock, "d")
    engine.set_ready(agent_id="c")
    assert _offered_to(engine.enqueue(contact_id="c3", queue_id="tax")) == ["d"]


@pytest.mark.req("F-1.3.1")
def test_skill_level_below_the_queue_minimum_gets_nothing():
    engine, clock = make()
    _ready(engine, clock, "junior", skills={"tax": 1})
    _ready(engine, clock, "senior", skills={"tax": 3})
    assert _offered_to(engine.enqueue(contact_id="c1", queue_id="tax")) == ["senior"]
    assert engine.enqueue(contact_id="c2", queue_id="tax")[-1].type == "queue.joined"
    assert engine.waiting("tax") == ["c2"]


@pytest.mark.req("F-1.3.1")
def test_agents_without_the_group_get_nothing():
    engine, clock = make()
    _ready(engine, clock, "w", skills={"welfare": 5})
    assert _offered_to(engine.enqueue(contact_id="c1", queue_id="tax")) == []
    assert _offered_to(engine.enqueue(contact_id="c2", queue_id="welfare")) == ["w"]


@pytest.mark.req("F-1.3.1", "F-2.1.4")
def test_not_ready_offered_on_call_held_and_wrap_up_agents_get_nothing():
    engine, clock = make()
    _ready(engine, clock, "nr", "off", "call", "held", "wrap")
    engine.set_not_ready(agent_id="nr", reason="break")
    for cid, agent in (("x1", "off"), ("x2", "call"), ("x3", "held"), ("x4", "wrap")):
        assert _offered_to(engine.enqueue(contact_id=cid, queue_id="tax")) == [agent]
    engine.accept(agent_id="call")
    engine.accept(agent_id="held")
    engine.hold(agent_id="held")
    engine.accept(agent_id="wrap")
    engine.end_contact(agent_id="wrap")
    assert states(engine) == {
        "nr": "not_ready", "off": "offered", "call": "on_call", "held": "held", "wrap": "wrap_up",
    }  # fmt: skip
    engine.enqueue(contact_id="new", queue_id="tax")
    assert engine.waiting("tax") == ["new"]
    assert live(engine, "new").agent_id is None


@pytest.mark.req("F-1.3.1")
def test_no_answer_puts_the_call_back_first_and_the_agent_not_ready():
    engine, clock = make()
    _ready(engine, clock, "a")
    engine.enqueue(contact_id="first", queue_id="tax")
    clock.advance(5)
    engine.enqueue(contact_id="second", queue_id="tax")
    clock.advance(20)
    events = engine.offer_timeout(agent_id="a")
    assert types(events)[:2] == ["agent.no_answer", "agent.state_changed"]
    assert events[0].payload() == {"rang_s": 25.0}
    assert (engine.agent("a").state, engine.agent("a").reason) == (S.NOT_READY, "no_answer")
    assert engine.waiting("tax") == ["first", "second"]
    _ready(engine, clock, "b")
    assert live(engine, "first").agent_id == "b"


@pytest.mark.req("F-1.3.1")
def test_ring_timeout_fires_from_tick_and_the_next_agent_is_offered():
    engine, clock = make(EngineSettings(ring_timeout_s=15))
    _ready(engine, clock, "a", "b")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.sign_in(agent_id="x", skills={"tax": 2}, ready=False)
    assert engine.next_deadline() == clock() + 15
    clock.advance(15)
    result = engine.tick()
    assert "agent.no_answer" in types(result.events)
    assert engine.agent("a").state is S.NOT_READY
    assert live(engine, "c1").agent_id == "b"


@pytest.mark.req("F-1.3.1")
def test_overflow_after_the_set_time_moves_the_call_to_the_wider_group():
    engine, clock = make()
    _ready(engine, clock, "g", skills={"general": 1})
    engine.enqueue(contact_id="c1", queue_id="tax")
    assert engine.next_deadline() == clock() + 60
    clock.advance(59.9)
    assert types(engine.tick().events) == []
    clock.advance(0.1)
    events = engine.tick().events
    assert events[0].type == "queue.overflowed"
    assert events[0].payload() == {"to_queue": "general", "waited_s": pytest.approx(60.0)}
    assert _offered_to(events) == ["g"]
    assert live(engine, "c1").queue_id == "general"


@pytest.mark.req("F-1.3.1")
def test_overflowed_call_keeps_its_wait_ahead_of_later_callers():
    engine, clock = make()
    engine.enqueue(contact_id="first_general", queue_id="general")
    engine.enqueue(contact_id="old_tax", queue_id="tax")
    clock.advance(30)
    engine.enqueue(contact_id="newer_general", queue_id="general")
    clock.advance(30)
    engine.tick()
    assert engine.waiting("general") == ["first_general", "old_tax", "newer_general"]


@pytest.mark.req("F-1.3.1")
def test_higher_priority_queue_is_served_first_when_an_agent_frees():
    engine, clock = make()
    engine.enqueue(contact_id="general_old", queue_id="general")
    clock.advance(10)
    engine.enqueue(contact_id="welfare_new", queue_id="welfare")
    _ready(engine, clock, "both", skills={"general": 1, "welfare": 1})
    assert live(engine, "welfare_new").agent_id == "both"


@pytest.mark.req("F-1.3.1", "F-1.3.2")
def test_abandonment_in_queue_is_recorded_with_its_time_in_queue():
    engine, clock = make()
    engine.enqueue(contact_id="c1", queue_id="tax")
    clock.advance(42.5)
    events = engine.hangup(contact_id="c1")
    assert types(events) == ["contact.abandoned"]
    assert events[0].payload() == {"stage": "queue", "waited_s": 42.5}
    assert engine.contact("c1") is None
    assert engine.waiting("tax") == []
    assert engine.hangup(contact_id="c1") == []


@pytest.mark.req("F-1.3.1")
def test_caller_hanging_up_while_ringing_returns_the_agent_to_its_idle_place():
    engine, clock = make()
    _ready(engine, clock, "a", "b")
    engine.enqueue(contact_id="c1", queue_id="tax")
    clock.advance(3)
    events = engine.hangup(contact_id="c1")
    assert events[0].payload() == {"stage": "offered", "waited_s": 3.0}
    assert engine.agent("a").state is S.READY
    assert _offered_to(engine.enqueue(contact_id="c2", queue_id="tax")) == ["a"]


@pytest.mark.req("F-1.3.1")
def test_expected_wait_uses_recent_handle_times_and_serving_agents():
    engine, clock = make(EngineSettings(default_aht_s=100))
    _ready(engine, clock, "a", "b")
    for cid in ("c1", "c2", "c3", "c4"):
        engine.enqueue(contact_id=cid, queue_id="tax")
    said = said_for(engine, "c4")
    assert (said.position, said.expected_wait_s) == (2, 100.0)
    for agent in ("a", "b"):
        engine.accept(agent_id=agent)
    clock.advance(200)
    for agent in ("a", "b"):
        engine.end_contact(agent_id=agent)
    clock.advance(100)
    engine.end_wrapup(agent_id="a", receipt=HistorySaved("c1", "a"))
    assert live(engine, "c3").agent_id == "a"
    said = said_for(engine, "c4")
    assert (said.position, said.expected_wait_s) == (1, 150.0)
    assert "1番目" in said.text_ja()
    assert "約3分" in said.text_ja()


@pytest.mark.req("F-1.3.1")
def test_waiting_callers_get_periodic_announcements():
    engine, clock = make()
    engine.enqueue(contact_id="c1", queue_id="general")
    engine.enqueue(contact_id="c2", queue_id="general")
    clock.advance(60)
    said = engine.tick().announcements
    assert [(a.contact_id, a.position, a.expected_wait_s) for a in said] == [
        ("c1", 1, None),
        ("c2", 2, None),
    ]
    assert "順番におつなぎします" in said[0].text_ja()
    engine.hangup(contact_id="c1")
    clock.advance(60)
    assert [(a.contact_id, a.position) for a in engine.tick().announcements] == [("c2", 1)]


@pytest.mark.req("F-2.1.4")
def test_no_new_offer_until_the_history_is_saved():
    engine, clock = make()
    _ready(engine, clock, "a")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.accept(agent_id="a")
    clock.advance(100)
    engine.hangup(contact_id="c1")
    engine.enqueue(contact_id="c2", queue_id="tax")
    assert live(engine, "c2").agent_id is None
    with pytest.raises(HistoryNotSaved):
        engine.end_wrapup(agent_id="a", receipt=HistorySaved("c2", "a"))
    with pytest.raises(HistoryNotSaved):
        engine.end_wrapup(agent_id="a", receipt=HistorySaved("c1", "someone-else"))
    with pytest.raises(IllegalTransition):
        engine.set_ready(agent_id="a")
    with pytest.raises(IllegalTransition):
        engine.sign_out(agent_id="a")
    assert engine.agent("a").state is S.WRAP_UP
    clock.advance(30)
    events = engine.end_wrapup(agent_id="a", receipt=HistorySaved("c1", "a"))
    assert events[0].type == "wrapup.ended"
    assert events[0].payload() == {"wrapup_s": 30.0, "forced": False}
    assert live(engine, "c2").agent_id == "a"


@pytest.mark.req("F-2.1.4")
def test_supervisor_can_force_wrap_up_to_end_and_it_is_recorded():
    engine, clock = make()
    _ready(engine, clock, "a")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.accept(agent_id="a")
    engine.end_contact(agent_id="a")
    clock.advance(600)
    record = engine.force_end_wrapup(agent_id="a", supervisor_id="sv1", reason="席を離れたまま")
    assert (record.agent_id, record.contact_id, record.supervisor_id) == ("a", "c1", "sv1")
    assert (record.reason, record.wrapup_s, record.at) == ("席を離れたまま", 600.0, clock())
    assert record.events[0].payload() == {"wrapup_s": 600.0, "forced": True}
    assert (engine.agent("a").state, engine.agent("a").reason) == (S.NOT_READY, "wrapup_forced")


@pytest.mark.req("F-1.3.1")
def test_mail_is_offered_by_skill_but_never_to_an_agent_on_a_call():
    engine, clock = make()
    _ready(engine, clock, "a", "b", skills={"general": 1})
    engine.enqueue(contact_id="call", queue_id="general")
    engine.accept(agent_id="a")
    engine.enqueue(contact_id="mail1", queue_id="mail", channel=Channel.EMAIL)
    assert live(engine, "mail1").agent_id == "b"
    engine.accept(agent_id="b")
    engine.enqueue(contact_id="mail2", queue_id="mail", channel=Channel.EMAIL)
    assert engine.waiting("mail") == ["mail2"]
    _ready(engine, clock, "t", skills={"tax": 3})
    assert engine.waiting("mail") == ["mail2"]


@pytest.mark.req("F-1.3.1")
def test_calls_come_before_mail_when_an_agent_frees():
    engine, clock = make()
    engine.enqueue(contact_id="mail1", queue_id="mail", channel=Channel.FAX)
    clock.advance(100)
    engine.enqueue(contact_id="call1", queue_id="general")
    _ready(engine, clock, "a", skills={"general": 1})
    assert live(engine, "call1").agent_id == "a"
    assert engine.waiting("mail") == ["mail1"]


@pytest.mark.req("F-1.3.1", "F-2.1.4")
def test_mail_being_worked_is_parked_when_a_call_is_accepted_and_resumed_after_wrap_up():
    engine, clock = make()
    _ready(engine, clock, "a", skills={"general": 1})
    engine.enqueue(contact_id="mail1", queue_id="mail", channel=Channel.EMAIL)
    engine.accept(agent_id="a")
    clock.advance(50)
    assert _offered_to(engine.enqueue(contact_id="call1", queue_id="general")) == ["a"]
    engine.accept(agent_id="a")
    assert engine.agent("a").parked == ["mail1"]
    assert live(engine, "mail1").stage.value == "parked"
    clock.advance(100)
    engine.end_contact(agent_id="a")
    events = engine.end_wrapup(agent_id="a", receipt=HistorySaved("call1", "a"))
    last = events[-1]
    assert isinstance(last, AgentStateChanged)
    assert (last.state, last.contact_id) == ("on_call", "mail1")
    clock.advance(30)
    ended = engine.end_contact(agent_id="a")[0]
    assert ended.payload() == {"by": "agent", "talk_s": 80.0, "hold_s": 0.0}
    assert engine.problems() == []


@pytest.mark.req("F-1.3.1")
def test_unanswered_call_over_mail_returns_the_agent_to_the_mail_without_more_calls():
    engine, clock = make()
    _ready(engine, clock, "a", skills={"general": 1})
    engine.enqueue(contact_id="mail1", queue_id="mail", channel=Channel.EMAIL)
    engine.accept(agent_id="a")
    engine.enqueue(contact_id="call1", queue_id="general")
    engine.offer_timeout(agent_id="a")
    agent = engine.agent("a")
    assert (agent.state, agent.contact_id, agent.blend_paused) == (S.ON_CALL, "mail1", True)
    engine.enqueue(contact_id="call2", queue_id="general")
    assert engine.waiting("general") == ["call1", "call2"]


@pytest.mark.req("F-1.3.1")
def test_hold_and_retrieve_are_counted_in_the_end_totals():
    engine, clock = make()
    _ready(engine, clock, "a")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.accept(agent_id="a")
    clock.advance(10)
    engine.hold(agent_id="a")
    clock.advance(5)
    assert engine.retrieve(agent_id="a")[0].payload() == {"held_s": 5.0}
    clock.advance(10)
    engine.hold(agent_id="a")
    clock.advance(7)
    ended = engine.hangup(contact_id="c1")[0]
    assert ended.payload() == {"by": "caller", "talk_s": 20.0, "hold_s": 12.0}
    assert engine.agent("a").state is S.WRAP_UP


@pytest.mark.req("F-1.3.1")
def test_browser_closed_mid_call_requeues_the_caller_first_and_keeps_the_history_owed():
    engine, clock = make()
    _ready(engine, clock, "a", "b")
    engine.set_not_ready(agent_id="b", reason="break")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.accept(agent_id="a")
    clock.advance(5)
    engine.enqueue(contact_id="c2", queue_id="tax")
    events = engine.disconnect(agent_id="a")
    assert "contact.transferred" in types(events)
    assert engine.waiting("tax") == ["c1", "c2"]
    assert engine.agent("a").state is S.WRAP_UP
    engine.set_ready(agent_id="b")
    assert live(engine, "c1").agent_id == "b"
    assert engine.problems() == []


@pytest.mark.req("F-1.3.1")
def test_browser_closed_while_ringing_signs_out_and_offers_the_next_agent():
    engine, clock = make()
    _ready(engine, clock, "a", "b")
    engine.enqueue(contact_id="c1", queue_id="tax")
    engine.disconnect(agent_id="a")
    assert engine.agent("a").state is S.SIGNED_OUT
    assert live(engine, "c1").agent_id == "b"
    assert engine.disconnect(agent_id="a") == []


@pytest.mark.req("F-1.3.1", "F-1.3.2")
def test_every_event_payload_is_valid_for_the_contact_log():
    engine, clock = make(EngineSettings(ring_timeout_s=10))
    seen = []
    seen += engine.sign_in(agent_id="a", skills={"tax": 2, "general": 1})
    seen += engine.set_ready(agent_id="a")
    seen += engine.enqueue(contact_id="c1", queue_id="tax")
    clock.advance(10)
    seen += engine.tick().events
    seen += engine.set_ready(agent_id="a")
    seen += engine.accept(agent_id="a")
    seen += engine.hold(agent_id="a")
    seen += engine.retrieve(agent_id="a")
    seen += engine.enqueue(contact_id="c2", queue_id="tax")
    clock.advance(60)
    seen += engine.tick().events
    seen += engine.hangup(contact_id="c2")
    seen += engine.end_contact(agent_id="a")
    seen += engine.end_wrapup(agent_id="a", receipt=HistorySaved("c1", "a"))
    kinds = set()
    for event in seen:
        PAYLOADS[EventType(event.type)].model_validate(event.payload())
        kinds.add(event.type)
    assert len(kinds) >= 11


@pytest.mark.req("F-1.3.3")
def test_bad_queue_settings_are_refused():
    need = SkillNeed("g", 1)
    with pytest.raises(InvalidQueueConfig) as caught:
        validate_queues(
            [
                QueueConfig(queue_id="a", need=need, overflow=Overflow(10, "b")),
                QueueConfig(queue_id="b", need=need, overflow=Overflow(20, "a")),
            ]
        )
    assert caught.value.problem == "overflow loop"
    with pytest.raises(InvalidQueueConfig):
        validate_queues([QueueConfig(queue_id="a", need=need, overflow=Overflow(10, "zz"))])
    with pytest.raises(InvalidQueueConfig):
        validate_queues([QueueConfig(queue_id="a", need=SkillNeed("g", 0))])
    engine, _ = make()
    with pytest.raises(UnknownQueue):
        engine.enqueue(contact_id="x", queue_id="nope")
    engine.enqueue(contact_id="x", queue_id="tax")
    with pytest.raises(DuplicateContact):
        engine.enqueue(contact_id="x", queue_id="tax")
