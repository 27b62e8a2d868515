"""Configuration-driven behaviour of the carbon half, end to end."""
import os
import signal
import socket
import time

import whisper

from carbon_peers import fetch, send_lines
from conftest import free_port, wait_for


def test_self_instrumentation_lands_in_carbon_agents(stoker_factory):
    stoker = stoker_factory({'CARBON_METRIC_INTERVAL': '1'}, schemas='[carbon]\npattern = ^carbon\\.\nretentions = 1s:10m\n[default]\npattern = .*\nretentions = 1s:10m\n')
    now = int(time.time())
    send_lines(stoker.ports['line'], ['inst.m%d 1 %d\n' % (i, now) for i in range(10)])
    host = socket.gethostname().replace('.', '_')
    base = stoker.data / 'carbon' / 'agents' / ('%s-a' % host)
    for stat in ('metricsReceived', 'committedPoints', 'cache/size', 'memUsage', 'cpuUsage', 'updateOperations'):
        wait_for((base / (stat + '.wsp')).exists, what=stat)
    received = wait_for(lambda: [v for v in fetch(base / 'metricsReceived.wsp').values() if v], what='metricsReceived > 0')
    assert sum(received) == 10.0


def test_whitelist_and_blacklist(stoker_factory, tmp_path):
    (tmp_path / 'whitelist.conf').write_text('# only these\n^allowed\\.\n^also\\.\n')
    (tmp_path / 'blacklist.conf').write_text('secret\n')
    stoker = stoker_factory({'USE_WHITELIST': 'True'})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['allowed.a 1 %d\n' % now, 'allowed.secret 1 %d\n' % now,
                                      'other.b 1 %d\n' % now, 'also.c 1 %d\n' % now])
    wait_for(lambda: stoker.wsp('allowed.a').exists() and stoker.wsp('also.c').exists())
    assert not stoker.wsp('allowed.secret').exists()
    assert not stoker.wsp('other.b').exists()


def test_sighup_reloads_storage_rules(stoker_factory, tmp_path):
    stoker = stoker_factory(schemas='[default]\npattern = .*\nretentions = 1s:10m\n')
    now = int(time.time())
    send_lines(stoker.ports['line'], ['before.reload 1 %d\n' % now])
    wait_for(stoker.wsp('before.reload').exists)
    assert whisper.info(str(stoker.wsp('before.reload')))['archives'][0]['secondsPerPoint'] == 1
    (tmp_path / 'storage-schemas.conf').write_text('[default]\npattern = .*\nretentions = 10s:1h\n')
    stoker.process.send_signal(signal.SIGHUP)
    wait_for(lambda: 'event=reloaded' in stoker.output(), what='reload logged')
    send_lines(stoker.ports['line'], ['after.reload 1 %d\n' % now])
    wait_for(stoker.wsp('after.reload').exists)
    assert whisper.info(str(stoker.wsp('after.reload')))['archives'][0]['secondsPerPoint'] == 10


def test_sighup_in_statsd_only_mode_keeps_running(stoker_factory):
    """SIGHUP's default action ends a process: statsd-only mode has no rules to reload, but
    must still catch it (a fleet-wide `systemctl reload` reaches every instance)."""
    import threading
    from test_statsd import Capture
    upstream = Capture(free_port())
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        stoker = stoker_factory({'ENABLED': 'False'}, statsd_keys={'graphiteHost': '127.0.0.1',
                                                                    'graphitePort': upstream.server_address[1]})
        stoker.process.send_signal(signal.SIGHUP)
        wait_for(lambda: 'event=reload_skipped' in stoker.output(), what='the reload skipped')
        assert stoker.process.poll() is None, stoker.output()[-2000:]
        assert stoker.stop() == 0
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_max_receiver_connections(stoker_factory):
    stoker = stoker_factory({'MAX_RECEIVER_CONNECTIONS': '2'})
    now = int(time.time())

    def two_admitted(attempt=[0]):
        # The start-up probes may still be counted for a moment: a connection is known to be
        # admitted once a line sent on it reaches disk.
        attempt[0] += 1
        held = [socket.create_connection(('127.0.0.1', stoker.ports['line'])) for _ in range(2)]
        names = ['conn.a%d_%d' % (attempt[0], i) for i in range(2)]
        for s, name in zip(held, names):
            s.sendall(b'%s 1 %d\n' % (name.encode(), now))
        try:
            wait_for(lambda: all(stoker.wsp(n).exists() for n in names), timeout=2)
            return held
        except AssertionError:
            for s in held:
                s.close()
            return None

    held = wait_for(two_admitted, timeout=20, what='two admitted connections')
    refused = socket.create_connection(('127.0.0.1', stoker.ports['line']))
    refused.settimeout(5)
    refused.sendall(b'conn.refused 1 %d\n' % now)
    try:
        assert refused.recv(1) == b'', 'the connection over the limit is closed'
    except ConnectionResetError:
        pass  # closed with unread data: a reset is the same refusal
    for s in held:
        s.close()
    wait_for(lambda: _send_ok(stoker.ports['line'], 'conn.after 1 %d\n' % now), what='accepting again')
    wait_for(stoker.wsp('conn.after').exists)
    assert not stoker.wsp('conn.refused').exists()


def _send_ok(port, line):
    try:
        send_lines(port, [line])
        return True
    except OSError:
        return False


def test_flow_control_pauses_instead_of_dropping(stoker_factory):
    # a tiny cache and a slow writer: the sender is paused, nothing is lost
    stoker = stoker_factory({'MAX_CACHE_SIZE': '500', 'USE_FLOW_CONTROL': 'True', 'MAX_UPDATES_PER_SECOND': '2000',
                             'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    now = int(time.time())
    lines = ''.join('flow.m%d %d %d\n' % (i % 3000, i, now - i // 3000) for i in range(9000))
    send_lines(stoker.ports['line'], [lines])
    assert stoker.stop() == 0
    missing = [i for i in range(3000) if len(fetch(stoker.wsp('flow.m%d' % i))) != 3]
    assert missing == []


def test_min_timestamp_resolution(stoker_factory):
    stoker = stoker_factory({'MIN_TIMESTAMP_RESOLUTION': '10', 'MAX_UPDATES_PER_SECOND': '0.001',
                             'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    from carbon_peers import Carbonlink
    send_lines(stoker.ports['line'], ['first.one 0 1000\n', 'res.m 1 1700000017.9\n', 'res.m 2 1700000019\n'])
    link = Carbonlink(stoker.ports['query'])
    answer, _ = wait_for(lambda: (lambda a: a if a[0]['datapoints'] else None)(link.request({'type': 'cache-query', 'metric': 'res.m'})))
    # both fall in the same 10 s bucket: the last received value wins, timestamps are ints
    assert answer == {'datapoints': [(1700000010, 2.0)]}
    link.close()


def _fields(line):
    """The key=value fields of a log line, values as text."""
    return dict(part.split('=', 1) for part in line.split() if '=' in part)


def test_create_backlog_progress_then_cleared(stoker_factory):
    # 60 creates a minute: 60 at once (the bucket starts full), then one a second. 75 new
    # metrics leave ~15 waiting, more than the 10 seconds' worth that is worth reporting.
    # Statsd is off: its own metrics, flushed every second, would be new metrics too.
    stoker = stoker_factory({'MAX_CREATES_PER_MINUTE': '60'}, statsd_keys={'enabled': 'false'})
    now = int(time.time())
    names = ['backlog.m%d' % i for i in range(75)]
    send_lines(stoker.ports['line'], ['%s 1 %d\n' % (name, now) for name in names])
    wait_for(lambda: 'event=create_backlog_cleared' in stoker.output(), timeout=60, what='backlog cleared line')
    assert all(stoker.wsp(name).exists() for name in names)
    lines = [_fields(l) for l in stoker.output().splitlines() if 'event=create_backlog' in l]
    events = [f['event'] for f in lines]
    assert events[0] == 'create_backlog_start' and events[-1] == 'create_backlog_cleared', events
    assert events[1:-1] and set(events[1:-1]) == {'create_backlog_progress'}, events
    start, progress, cleared = lines[0], lines[1:-1], lines[-1]
    assert 10 <= int(start['pending_creates']) <= 15 and start['max_creates_per_minute'] == '60'
    # one line every 5 s, the backlog shrinking at about the limit's rate
    seconds = [int(f['seconds']) for f in progress]
    assert all(4 <= b - a <= 6 for a, b in zip([0] + seconds, seconds)), seconds
    pending = [int(f['pending_creates']) for f in progress]
    assert pending == sorted(pending, reverse=True) and pending[-1] > 0, pending
    for f in progress:
        assert 3 <= int(f['created']) <= 7 and 0.5 <= float(f['rate_per_second']) <= 1.5, f
        assert int(f['eta_seconds']) >= int(f['pending_creates']) * 0.5, f
    # what waited at the start was created by the time it cleared (one create may fall
    # between the two counters the first line reads)
    assert 0 <= int(cleared['created']) - int(start['pending_creates']) <= 1, (start, cleared)
