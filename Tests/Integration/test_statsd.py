"""Statsd end to end: a real client library sends, the flushed values are read back from the
whisper files with whisper.py and from a capture listener for the forwarded copy."""
import re
import signal
import socket
import socketserver
import threading
import time

import statsd

from carbon_peers import fetch
from conftest import free_port, wait_for


def values(stoker, metric):
    path = stoker.wsp(metric)
    return fetch(path, ahead=2) if path.exists() else {}


def flushed(stoker, metric, expected):
    """Waits until some flush stored `expected` for metric; returns it."""
    return wait_for(lambda: expected in values(stoker, metric).values(), what='%s = %s' % (metric, expected))


def test_udp_client_counters_timers_gauges_sets(stoker):
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'], prefix='app')
    with client.pipeline() as pipe:
        pipe.incr('hits', 5)
        pipe.incr('hits', 2)
        pipe.timing('latency', 100)
        pipe.timing('latency', 300)
        pipe.gauge('load', 70)
        pipe.set('users', 'alice')
        pipe.set('users', 'bob')
        pipe.set('users', 'alice')
    flushed(stoker, 'stats_counts.app.hits', 7.0)
    # flushInterval 1 s: the rate equals the count
    flushed(stoker, 'stats.app.hits', 7.0)
    flushed(stoker, 'stats.timers.app.latency.mean', 200.0)
    flushed(stoker, 'stats.timers.app.latency.upper', 300.0)
    flushed(stoker, 'stats.timers.app.latency.count', 2.0)
    flushed(stoker, 'stats.timers.app.latency.upper_90', 300.0)
    flushed(stoker, 'stats.gauges.app.load', 70.0)
    flushed(stoker, 'stats.sets.app.users.count', 2.0)
    assert wait_for(lambda: max(values(stoker, 'statsd.numStats').values() or [0]) >= 5, what='numStats')


def test_tcp_client(stoker):
    client = statsd.TCPStatsClient('127.0.0.1', stoker.ports['statsd_tcp'], prefix='tcp')
    client.incr('orders', 3)
    client.gauge('queue', 12)
    client.close()
    flushed(stoker, 'stats_counts.tcp.orders', 3.0)
    flushed(stoker, 'stats.gauges.tcp.queue', 12.0)


def test_bad_lines_are_counted_not_fatal(stoker):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # One packet, so every line falls into the same flush interval. `x:1|zz` is valid for
        # the reference (an unknown type with a numeric value) and ignored; the other four are
        # bad, the last two because they would crash the reference.
        s.sendto(b'bad\nx:1|zz\ny:abc|c\nz:1|c|@0\nz:1|c|@Infinity\nok.after:4|c', ('127.0.0.1', stoker.ports['statsd']))
    flushed(stoker, 'stats_counts.ok.after', 4.0)
    flushed(stoker, 'stats_counts.statsd.bad_lines_seen', 4.0)


def test_bad_lines_are_logged_with_their_reason(stoker):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b'no.colon.here\nbad.rate:1|c|@0', ('127.0.0.1', stoker.ports['statsd']))
    wait_for(lambda: 'event=statsd_bad_lines count=2' in stoker.output(), what='bad-line summary')
    assert 'event=statsd_bad_line reason=missingColon line="no.colon.here"' in stoker.output()
    assert 'reason=invalidSampleRate line="bad.rate:1|c|@0"' in stoker.output()


def test_tcp_over_long_line_is_dropped_whole(stoker_factory):
    """The part of an over-long line that arrives after it was dropped is not a line of its own."""
    stoker = stoker_factory(statsd_keys={'max_line_length': 100})
    with socket.create_connection(('127.0.0.1', stoker.ports['statsd_tcp']), timeout=5) as s:
        s.sendall(b'x' * 300)
        # a read of its own: the server drops the unterminated 300 bytes before the rest arrives
        wait_for(lambda: "'statsd.lines_too_long'" in admin(stoker, 'counters'), what='the 300 bytes dropped')
        s.sendall(b'.tail:7|c\nafter.long:2|c\n')
    flushed(stoker, 'stats_counts.after.long', 2.0)
    flushed(stoker, 'stats_counts.statsd.bad_lines_seen', 1.0)
    # after.long, sent after the tail, is counted: a tail taken for a line would be a counter too
    counters = admin(stoker, 'counters')
    assert "'after.long'" in counters and 'tail' not in counters, counters
    assert not stoker.wsp('stats_counts.tail').exists()
    assert not list(stoker.dir.rglob('*tail*'))


def admin(stoker, command):
    with socket.create_connection(('127.0.0.1', stoker.ports['statsd_admin']), timeout=5) as s:
        s.sendall(command.encode() + b'\n')
        s.shutdown(socket.SHUT_WR)
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data.decode()
            data += chunk


def test_admin_interface(stoker_factory):
    stoker = stoker_factory(statsd_keys={'flushInterval': 60000})
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    client.incr('admin.visible', 9)
    client.gauge('admin.g', 3)
    wait_for(lambda: "'admin.visible': 9" in admin(stoker, 'counters'), what='pending counter')
    assert "'admin.g': 3" in admin(stoker, 'gauges')
    assert admin(stoker, 'health').strip() == 'health: up'
    assert 'uptime:' in admin(stoker, 'stats')
    admin(stoker, 'delcounters admin.visible')
    assert "'admin.visible'" not in admin(stoker, 'counters')
    both = admin(stoker, 'health down\nhealth')
    assert both.count('health: down') == 2


def test_sigterm_final_flush_reaches_disk(stoker_factory):
    stoker = stoker_factory(statsd_keys={'flushInterval': 60000})
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    client.incr('final.count', 11)
    wait_for(lambda: "'final.count': 11" in admin(stoker, 'counters'))
    assert stoker.stop(signal.SIGTERM) == 0
    assert 11.0 in values(stoker, 'stats_counts.final.count').values()


def test_sigterm_right_after_a_flush_keeps_that_flush(stoker_factory):
    """The final flush does not land in the slot of the flush just before it (slot = interval)."""
    stoker = stoker_factory(statsd_keys={'flushInterval': 2000},
                            schemas='[default]\npattern = .*\nretentions = 2s:1h\n')
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    client.incr('slot.count', 100)
    flushed(stoker, 'stats_counts.slot.count', 100.0)
    client.incr('slot.count', 7)
    wait_for(lambda: "'slot.count': 7" in admin(stoker, 'counters'))
    assert stoker.stop(signal.SIGTERM) == 0
    # The final flush is stamped one interval after the previous one, which was stamped with
    # its time rounded to the second: up to 2.5 s ahead of the clock when this reads it.
    stored = fetch(stoker.wsp('stats_counts.slot.count'), ahead=10)
    assert 100.0 in stored.values() and 7.0 in stored.values(), stored


def queued_flushes(stoker):
    """The most flushes the forwarder has reported waiting for the upstream."""
    return max(map(int, re.findall(r'event=statsd_forward_failed .*queued=(\d+)', stoker.output())), default=0)


class Capture(socketserver.TCPServer):
    """A plaintext upstream: one connection at a time, so lines are kept in the order the
    connections were made (statsd opens one per flush)."""
    allow_reuse_address = True

    def __init__(self, port):
        self.lines = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(handler):
                for line in handler.rfile:
                    self.lines.append(line.decode().rstrip('\n'))

        super().__init__(('127.0.0.1', port), Handler)


def test_forwarded_copy_survives_upstream_outage(stoker_factory):
    port = free_port()
    stoker = stoker_factory(statsd_keys={'graphiteHost': '127.0.0.1', 'graphitePort': port})
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    client.incr('fwd.before', 1)
    # upstream down for a few flushes: they wait in the buffer
    flushed(stoker, 'stats_counts.fwd.before', 1.0)
    held = queued_flushes(stoker)
    wait_for(lambda: queued_flushes(stoker) >= held + 2, what='two more flushes held back')
    capture = Capture(port)
    threading.Thread(target=capture.serve_forever, daemon=True).start()
    try:
        client.timing('fwd.t', 0.5)
        wait_for(lambda: any(l.startswith('stats.timers.fwd.t.mean 0.5 ') for l in capture.lines), what='timer forwarded')
        before = [l for l in capture.lines if l.startswith('stats_counts.fwd.before ')]
        assert before and before[0].split()[1] == '1', 'the flush from the outage was delivered'
        # JavaScript number formatting: integers without .0
        assert any(l.startswith('statsd.numStats ') and '.' not in l.split()[1] for l in capture.lines)
        stamps = [int(l.split()[2]) for l in capture.lines if l.startswith('stats_counts.fwd.before ')]
        assert stamps == sorted(stamps), 'delivered in order'
    finally:
        capture.shutdown()
        capture.server_close()


def test_statsd_only_mode_forwards_and_writes_nothing(stoker_factory):
    port = free_port()
    capture = Capture(port)
    threading.Thread(target=capture.serve_forever, daemon=True).start()
    try:
        stoker = stoker_factory({'ENABLED': 'False'}, statsd_keys={'graphiteHost': '127.0.0.1', 'graphitePort': port})
        statsd.StatsClient('127.0.0.1', stoker.ports['statsd']).incr('tier.requests', 6)
        wait_for(lambda: any(l.startswith('stats_counts.tier.requests 6 ') for l in capture.lines), what='forwarded count')
        assert 'mode=statsd-only' in stoker.output()
        assert not stoker.data.exists(), 'no carbon half, no files'
        with socket.socket() as s:
            assert s.connect_ex(('127.0.0.1', stoker.ports['line'])) != 0, 'no carbon listener'
    finally:
        capture.shutdown()
        capture.server_close()


def test_statsd_only_mode_without_upstream_is_refused(stoker_factory):
    result = stoker_factory({'ENABLED': 'False'}, start=False).run_expecting_exit()
    assert result.returncode != 0
    assert 'graphiteHost' in result.stderr


def test_gauges_and_sets_survive_a_graceful_restart(stoker_factory):
    stoker = stoker_factory(statsd_keys={'flushInterval': 60000})
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    client.gauge('kept.gauge', 42)
    client.set('kept.set', 'x')
    wait_for(lambda: "'kept.gauge': 42" in admin(stoker, 'gauges'))
    assert stoker.stop() == 0
    assert (stoker.dir / 'storage' / 'statsd-state.json').exists()
    # same config, new process: the gauge is still 42 without being sent again
    stoker.start()
    assert "'kept.gauge': 42" in admin(stoker, 'gauges')
    assert "'kept.set'" in admin(stoker, 'sets')
    assert 'event=statsd_state_restored gauges=1 sets=1' in stoker.output()
