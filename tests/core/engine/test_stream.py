"""The streaming replay's own rules: parking, events queued behind a parked ticket,
late and repeated delivery found without the events (see ``engine/stream.py``)."""

from __future__ import annotations

from typing import Any

from slaclock.core.engine import Engine, Instance, MemoryLot, StreamReplay, replay
from slaclock.core.events import Event, parse_event


def cfg(kit: Any) -> Any:
    return kit.one_policy()


def stream_replay(
    kit: Any, events: list[Event], as_of: str, lot: MemoryLot | None, **options: Any
) -> tuple[list[Instance], StreamReplay]:
    """What ``slaclock replay`` does with a stream, the second read included."""
    engine = Engine(cfg(kit))
    stream = StreamReplay(engine, kit.t(as_of), lot, **options)
    assert stream.feed_all(events) == len(events)
    suspects = stream.repeated_id_hashes()
    drops = stream.set_aside_repeats([e for e in events if hash(e.id) in suspects])
    late = {
        ticket: engine.replay_ticket(
            [e for e in events if e.ticket == ticket and e.seq not in drops.get(ticket, ())],
            kit.t(as_of),
        )
        for ticket in stream.needs_history
    }
    return list(stream.instances(late)), stream


def arrival(events: list[Event]) -> list[Event]:
    """The events with arrival numbers in list order."""
    return [parse_event(e.data, seq=n) for n, e in enumerate(events)]


def test_events_for_a_parked_ticket_wait_behind_it_and_count(kit):
    one = kit.Ticket("T-1").create("03-02 08:00").reply("03-02 08:10")
    one.update("03-02 09:00", status="solved")
    other = kit.Ticket("T-2").create("03-02 10:00")
    one.update("03-02 11:00", status="open").customer("03-02 11:05")  # a reopen, queued
    events = arrival(sorted([*one.events, *other.events], key=lambda e: e.at))
    lot = MemoryLot()
    got, stream = stream_replay(kit, events, "03-02 12:00", lot, resident=1, idle_seconds=0)
    assert got == list(replay(cfg(kit), events, kit.t("03-02 12:00")))
    assert not stream.needs_history
    resolution = next(i for i in got if i.ticket == "T-1" and i.metric == "resolution")
    assert resolution.state == "running"  # the queued reopen was applied


def test_an_event_older_than_a_parked_tickets_last_sends_it_to_the_exact_replay(kit):
    one = kit.Ticket("T-1").create("03-02 08:00").update("03-02 09:00", status="solved")
    other = kit.Ticket("T-2").create("03-02 10:00")
    late = kit.Ticket("T-1").reply("03-02 08:30")  # arrives after T-2's creation
    events = arrival([*one.events, *other.events, *late.events])
    got, stream = stream_replay(kit, events, "03-02 12:00", MemoryLot(), resident=1)
    assert stream.needs_history == {"T-1"}
    assert got == list(replay(cfg(kit), events, kit.t("03-02 12:00")))
    first = next(i for i in got if i.ticket == "T-1" and i.metric == "first_response")
    assert first.state == "met"


def test_a_repeat_in_time_order_is_found_at_the_end_and_ignored(kit):
    """The customer's message and the reply share an instant; the message arriving again
    after the reply is in time order, so only the id hashes can tell it is a repeat
    (applied, it would open a next_response clock)."""
    tk = kit.Ticket("T-1").create("03-02 08:00").customer("03-02 09:00").reply("03-02 09:00")
    events = arrival([*tk.events, tk.events[1]])
    for lot in (None, MemoryLot()):
        got, stream = stream_replay(kit, events, "03-02 12:00", lot, resident=1, idle_seconds=0)
        assert stream.needs_history == {"T-1"}
        assert got == list(replay(cfg(kit), events, kit.t("03-02 12:00")))
        assert {i.metric for i in got} == {"first_response", "resolution"}


def test_an_event_with_data_marshal_cannot_pack_is_applied_at_once(kit):
    """An event built in Python may carry any mapping; it unparks its ticket instead."""
    from types import MappingProxyType

    one = kit.Ticket("T-1").create("03-02 08:00").update("03-02 09:00", status="solved")
    other = kit.Ticket("T-2").create("03-02 10:00")
    reopen = kit.Ticket("T-1").update("03-02 11:00", status="open").events[0]
    odd = reopen._replace(data=MappingProxyType(dict(reopen.data)))
    events = [*arrival([*one.events, *other.events]), odd._replace(seq=99)]
    lot = MemoryLot()
    got, stream = stream_replay(kit, events, "03-02 12:00", lot, resident=1, idle_seconds=0)
    assert "T-1" in stream.states  # unparked, not queued
    assert got == list(replay(cfg(kit), events, kit.t("03-02 12:00")))


def test_an_unpacked_state_has_every_slot_its_packed_state_had(kit):
    """``Parking.unpack`` sets each slot itself (not through ``__init__``): a slot added
    to TicketState or Clock and forgotten there would be missing here."""
    from slaclock.core.engine.clock import Clock
    from slaclock.core.engine.park import Parking
    from slaclock.core.engine.state import TicketState, every_clock

    tk = kit.Ticket("T-1").create("03-02 08:00").reply("03-02 08:10")
    engine = Engine(cfg(kit))
    state = TicketState("T-1")
    state.keep = engine.compiled.field_filter
    for event in tk.update("03-02 09:00", status="pending").events:
        engine.feed(state, event)
    parking = Parking(engine.compiled)
    back = parking.unpack(parking.pack(state))
    assert all(hasattr(back, slot) for slot in TicketState.__slots__)
    clocks = every_clock(back.clocks)
    assert clocks and all(hasattr(c, slot) for c in clocks for slot in Clock.__slots__)
    assert engine.instances(back, kit.t("03-02 12:00")) == engine.instances(
        state, kit.t("03-02 12:00")
    )


def test_a_tracks_cycles_stay_in_order_through_packing(kit):
    """A ticket keeps each track's latest clock, its earlier cycles linked behind it
    (``Clock.previous``): ``every_clock`` reads them oldest first, and packing and
    unpacking keeps them so, with the instances the same."""
    from slaclock.core.engine.park import Parking
    from slaclock.core.engine.state import TicketState, every_clock

    tk = kit.Ticket("T-1").create("03-02 08:00").reply("03-02 08:10")
    for hour in range(9, 13):  # four more next-response cycles
        tk.customer(f"03-02 {hour:02d}:00").reply(f"03-02 {hour:02d}:20")
    tk.customer("03-02 13:00")
    engine = Engine(cfg(kit))
    state = TicketState("T-1")
    state.keep = engine.compiled.field_filter
    for event in tk.events:
        engine.feed(state, event)
    cycles = [c.cycle for c in every_clock(state.clocks) if c.track.metric == "next_response"]
    assert cycles == [0, 1, 2, 3, 4]
    latest = next(c for c in state.clocks.values() if c.track.metric == "next_response")
    assert latest.cycle == 4 and latest.ended is None and latest.previous.cycle == 3
    parking = Parking(engine.compiled)
    back = parking.unpack(parking.pack(state))
    assert [(c.track.key, c.cycle) for c in every_clock(back.clocks)] == [
        (c.track.key, c.cycle) for c in every_clock(state.clocks)
    ]
    at = kit.t("03-02 14:00")
    assert engine.instances(back, at) == engine.instances(state, at)
    assert len([i for i in engine.instances(back, at) if i.metric == "next_response"]) == 5


def test_repeated_values_are_found_alike_by_python_and_by_numpy():
    """Both ways of finding repeated id hashes (a set for few, NumPy for many)
    find exactly the values that occur more than once, negative ones included."""
    import random
    from array import array

    from slaclock.core.engine import stream as stream_module

    rng = random.Random(7)
    for size in (0, 1, 5, 1_000, stream_module._PYTHON_LIMIT + 1_000):
        values = [rng.randrange(-(1 << 63), 1 << 63) for _ in range(size)]
        repeats = set(rng.sample(values, min(size, 3)))
        values += list(repeats) + list(repeats)[:1]
        rng.shuffle(values)
        found = stream_module.repeated_values(array("q", values))
        assert found == repeats
        assert all(type(v) is int for v in found)


def test_every_id_hash_is_kept_across_blocks(kit):
    """The ids' hashes move from a list to the stream-wide array in blocks: a repeat
    whose first sighting went over in an earlier block is still found, and no hash is
    lost or changed in the move (a full block, then a partial one)."""
    from slaclock.core.engine import stream as stream_module

    count = stream_module._ID_BLOCK + 10
    objs = [
        {"id": f"e{n}", "ticket": f"T-{n}", "at": "2026-03-02T08:00:00Z",
         "type": "ticket.created", "fields": {"status": "new"}}
        for n in range(count)
    ]  # fmt: skip
    objs.append({**objs[0], "ticket": "T-again"})  # e0 once more, in the last block
    events = [parse_event(obj, seq=n) for n, obj in enumerate(objs)]
    stream = StreamReplay(Engine(cfg(kit)), kit.t("03-02 12:00"))
    assert stream.feed_all(events) == count + 1
    assert stream.repeated_id_hashes() == {hash("e0")}
    assert list(stream._all_ids) == [hash(e.id) for e in events]
