"""Restarts under load: SIGTERM while several senders are busy loses no accepted point, and
statsd's gauges and sets come back after the restart.

What "accepted" means, per protocol (the test counts it on the sender's side):
* plaintext and pickle over TCP: one batch per connection; the sender sends it all, shuts its
  side down and waits for Stoker to close the connection cleanly (EOF, no reset). Stoker closes
  only after reading everything, and it stores what it read before closing. Only batches
  acknowledged before SIGTERM was sent are counted: once the shutdown has begun, Stoker may
  close a connection without reading what the kernel has not handed over yet.
* statsd over TCP: the same acknowledgement, per connection.
* statsd over UDP has no acknowledgement: just before SIGTERM the admin interface reports how
  many increments statsd has taken; the final flush must hold at least those and at most what
  was sent.
Every point is then read back from disk with python3-whisper."""
import pickle
import re
import signal
import pytest
import socket
import struct
import threading
import time

import whisper

from conftest import wait_for
from test_statsd import admin

METRICS_PER_BATCH = 200
# An hour of seconds: each batch gets its own timestamp, so every (metric, second) on disk
# names exactly one batch of one sender.
HOUR = '[default]\npattern = .*\nretentions = 1s:1h\n'


def points_on_disk(path, now):
    if not path.exists():
        return {}
    (start, end, step), values = whisper.fetch(str(path), now - 3590, now, now=now)
    return {start + i * step: v for i, v in enumerate(values) if v is not None}


class TcpSender(threading.Thread):
    """Sends batches, one connection each, until Stoker stops accepting. `batch(b)` gives the
    bytes of batch b; acknowledged batches are recorded with the time of their clean close."""

    def __init__(self, port, batch, limit):
        super().__init__(daemon=True)
        self.port = port
        self.batch = batch
        self.limit = limit
        self.acknowledged = {}  # batch -> monotonic time of the clean close
        self.sent = 0
        self.error = None

    def run(self):
        for b in range(self.limit):
            try:
                s = socket.create_connection(('127.0.0.1', self.port), timeout=30)
            except OSError:
                return  # the listener is gone: Stoker is shutting down
            try:
                with s:
                    self.sent = b + 1
                    s.sendall(self.batch(b))
                    s.shutdown(socket.SHUT_WR)
                    if s.recv(1) == b'':
                        self.acknowledged[b] = time.monotonic()
                    else:
                        self.error = 'Stoker answered a sender'
                        return
            except OSError:
                continue  # reset: not acknowledged, and Stoker may still be accepting


def plaintext_batch(sender, base):
    def batch(b):
        return b''.join(b'load.tcp%d.m%d %d %d\n' % (sender, k, b * 1000 + k, base + b) for k in range(METRICS_PER_BATCH))
    return batch


def pickle_batch(base):
    def batch(b):
        body = pickle.dumps([('load.pickle.m%d' % k, (base + b, float(b * 1000 + k))) for k in range(METRICS_PER_BATCH)], protocol=2)
        return struct.pack('!L', len(body)) + body
    return batch


def statsd_tcp_batch(b):
    # a counter to count, a gauge whose last acknowledged value must survive, a new set member
    return b'load.statsd_tcp.count:1|c\nload.restart.gauge:%d|g\nload.restart.set:member%d|s\n' % (b, b)


class UdpSender(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.sent = 0
        self.done = threading.Event()

    def run(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            while not self.done.is_set():
                s.sendto(b'load.statsd_udp.count:1|c', ('127.0.0.1', self.port))
                self.sent += 1
                time.sleep(0.0005)  # pacing the sender (up to 2,000 datagrams a second), not waiting for anything


def pending_counter(stoker, name):
    match = re.search(r"'%s': (\d+)" % re.escape(name), admin(stoker, 'counters'))
    return int(match.group(1)) if match else 0


def test_sigterm_under_full_load_loses_no_accepted_point(stoker_factory):
    # flushInterval 60 s: the only statsd flush is the final one, at SIGTERM
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'}, schemas=HOUR,
                            statsd_keys={'flushInterval': 60000})
    now = int(time.time())
    base = now - 3400  # room for 3,400 batches per sender, all inside the hour
    plaintext = [TcpSender(stoker.ports['line'], plaintext_batch(s, base), 3000) for s in range(3)]
    pickles = TcpSender(stoker.ports['pickle'], pickle_batch(base), 3000)
    statsd_tcp = TcpSender(stoker.ports['statsd_tcp'], statsd_tcp_batch, 100000)
    udp = UdpSender(stoker.ports['statsd'])
    tcp = plaintext + [pickles, statsd_tcp]
    for sender in tcp + [udp]:
        sender.start()
    # full load for a while: every sender has had batches acknowledged
    wait_for(lambda: all(len(s.acknowledged) >= 5 for s in tcp) and udp.sent > 1000, timeout=30, what='load')
    udp_taken = wait_for(lambda: pending_counter(stoker, 'load.statsd_udp.count'), what='statsd taking UDP increments')
    signalled = time.monotonic()
    stoker.process.send_signal(signal.SIGTERM)
    assert stoker.process.wait(timeout=120) == 0
    udp.done.set()
    for sender in tcp + [udp]:
        sender.join(timeout=30)
        assert not sender.is_alive()
        assert getattr(sender, 'error', None) is None, sender.error
    log = stoker.output()
    assert 'event=drain_done' in log and 'drain_incomplete' not in log

    now = int(time.time())
    checked = 0
    for prefix, sender in [('load.tcp%d' % i, s) for i, s in enumerate(plaintext)] + [('load.pickle', pickles)]:
        accepted = {b for b, at in sender.acknowledged.items() if at < signalled}
        assert len(accepted) >= 5
        for k in range(METRICS_PER_BATCH):
            on_disk = points_on_disk(stoker.wsp('%s.m%d' % (prefix, k)), now)
            missing = [b for b in accepted if on_disk.get(base + b) != float(b * 1000 + k)]
            assert missing == [], '%s.m%d lost acknowledged batches %s' % (prefix, k, missing[:10])
            # anything else on disk is a batch that was really sent, with its own value
            assert all(0 <= ts - base < sender.sent and v == float((ts - base) * 1000 + k) for ts, v in on_disk.items())
            checked += len(accepted)
    assert checked > 0

    # statsd: the final flush holds every acknowledged increment (and nothing invented)
    tcp_accepted = sum(1 for at in statsd_tcp.acknowledged.values() if at < signalled)
    tcp_count = sum(points_on_disk(stoker.wsp('stats_counts.load.statsd_tcp.count'), now + 2).values())
    assert tcp_accepted <= tcp_count <= statsd_tcp.sent
    udp_count = sum(points_on_disk(stoker.wsp('stats_counts.load.statsd_udp.count'), now + 2).values())
    assert udp_taken > 0 and udp_taken <= udp_count <= udp.sent

    # the final flush: the gauge's last acknowledged value (or a newer one), every member
    last = max(b for b, at in statsd_tcp.acknowledged.items() if at < signalled)
    gauge = points_on_disk(stoker.wsp('stats.gauges.load.restart.gauge'), now + 2)
    assert len(gauge) == 1
    flushed_gauge, = gauge.values()
    assert last <= flushed_gauge < statsd_tcp.sent
    members, = points_on_disk(stoker.wsp('stats.sets.load.restart.set.count'), now + 2).values()
    assert tcp_accepted <= members <= statsd_tcp.sent

    # the restart: the gauge comes back with the value of the final flush; the set is still
    # known (empty: statsd empties sets at every flush, the final one included)
    stoker.start()
    assert "'load.restart.gauge': %d" % flushed_gauge in admin(stoker, 'gauges')
    assert "'load.restart.set'" in admin(stoker, 'sets')


@pytest.mark.parametrize('configured', [True, False], ids=['WAL_DIR set', 'default'])
def test_kill_9_with_the_write_ahead_log_loses_nothing_already_fsynced(stoker_factory, tmp_path, configured):
    """WAL_DIR: points still in the cache when the process is killed (-9, no drain) are stored
    again at the next start and written. The writer is held to one create a minute so the
    points are still cached at the kill; the test waits until the log holds every point (its
    fsync interval is 0.1 s), which is what "accepted and fsynced" means here. Without the key
    the log is on too, in STORAGE_DIR/wal."""
    keys = {'WAL_FSYNC_INTERVAL': '0.1', 'MAX_CREATES_PER_MINUTE': '1'}
    if configured:
        keys['WAL_DIR'] = str(tmp_path / 'wal')
    stoker = stoker_factory(keys, schemas=HOUR, statsd_keys={'enabled': 'false'})
    wal = tmp_path / 'wal' if configured else stoker.dir / 'storage' / 'wal'
    assert 'WAL_DIR' not in stoker.config.read_text() or configured
    now = int(time.time())
    lines = ''.join('wal.m%d %d %d\n' % (m, m * 10 + t, now - 5 + t) for m in range(50) for t in range(3))
    with socket.create_connection(('127.0.0.1', stoker.ports['line'])) as s:
        s.sendall(lines.encode())

    def logged_bytes():
        return sum(p.stat().st_size for p in wal.glob('*.wal'))
    # Each record: 4-byte length, the name, two 8-byte numbers.
    expected = sum(4 + len('wal.m%d' % m) + 16 for m in range(50) for _ in range(3))
    wait_for(lambda: logged_bytes() >= expected, what='every point in the write-ahead log')
    stoker.process.kill()
    stoker.process.wait(timeout=30)
    created = sum(1 for m in range(50) if stoker.wsp('wal.m%d' % m).exists())
    assert created < 50, 'the create limit kept most points in the cache until the kill'

    stoker.start()
    # Every point sent, the one file the limit let through included (no segment was closed yet).
    assert 'event=wal_replayed points=150 ' in stoker.output(), stoker.output()
    assert stoker.stop() == 0, 'the shutdown drain lifts the create limit and writes everything'
    for m in range(50):
        stored = points_on_disk(stoker.wsp('wal.m%d' % m), now)
        assert stored == {now - 5 + t: float(m * 10 + t) for t in range(3)}, ('wal.m%d' % m, stored)
    assert list(wal.glob('*.wal')) == [], 'after a complete drain nothing is left to replay'
