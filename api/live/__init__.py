"""Push delivery: events stored with a database sequence id, fanned out across processes.

`events.py` records and reads events, `bus.py` wakes the streams that wait for them (in
process, or across processes through PostgreSQL LISTEN/NOTIFY), `streams.py` turns them into
server-sent events with `Last-Event-ID` replay.
"""
