"""Faults around the writer and the statsd upstream, end to end: a full disk, an unwritable
directory, corrupt whisper files, an upstream outage longer than the forward buffer.

The rule under test is the README's "points' fate": a failure that can pass keeps the points in
the cache, is logged and counted, and is retried until the points are written; a corrupt file is
quarantined (logged, counted) while every other metric keeps flowing."""
import errno
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import statsd
import whisper

from carbon_peers import Carbonlink, send_lines
from conftest import free_port, points, wait_for
from test_statsd import Capture

# An hour of seconds: 43 KB files, so both a 32 KiB file-size limit and a full tmpfs can stop
# a write to a file that already exists (its second point lands ten pages past its first).
# Five minutes for the self-instrumentation: files of one page, which stay writable while
# the disk is full, so its counters can be read meanwhile.
FULL_DISK_SCHEMAS = ('[carbon]\npattern = ^carbon\\.\nretentions = 1s:5m\n'
        '[default]\npattern = .*\nretentions = 1s:1h\n')
# What the self-instrumentation writes every second (with updates and no bulk queries).
AGENT_STATS = ['cache/size', 'cache/queues', 'avgUpdateTime', 'pointsPerUpdate', 'updateOperations', 'committedPoints',
               'creates', 'deferredCreates', 'errors', 'droppedPoints', 'cache/queries', 'cache/bulk_queries',
               'cache/overflow', 'activeConnections', 'metricsReceived', 'blacklistMatches', 'whitelistRejects',
               'invalidLines', 'invalidPickles', 'namesCollapsed', 'cpuUsage', 'memUsage']


def agent_path(stoker, stat):
    return stoker.data / 'carbon' / 'agents' / ('%s-a' % socket.gethostname().replace('.', '_')) / (stat + '.wsp')


def agent_stat(stoker, stat):
    """Sum of a self-instrumentation counter over the last ten minutes (0 before its file)."""
    return sum(points(agent_path(stoker, stat)).values())


def write_errors(stoker, metric_prefix):
    return [l for l in stoker.output().splitlines()
            if 'event=write_error metric="%s' % metric_prefix in l and 'points=kept' in l]


class Tmpfs:
    """The data directory on a 2 MiB tmpfs, filled up by a ballast file."""
    error = 'No space left on device'

    def __init__(self, data, size='2m'):
        if os.geteuid() != 0 or not shutil.which('mount'):
            pytest.skip('mounting a tmpfs needs root')
        data.mkdir()
        result = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=' + size, 'tmpfs', str(data)], capture_output=True)
        if result.returncode != 0:
            pytest.skip('cannot mount a tmpfs here: %s' % result.stderr.decode().strip())
        self.data = data
        self.ballast = data / 'ballast'
        self.preexec_fn = None

    def fill(self, pid):
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            for chunk in (65536, 4096, 1):
                try:
                    while True:
                        os.write(fd, b'\0' * chunk)
                except OSError as e:
                    assert e.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def free(self):
        self.ballast.unlink()

    def release(self):
        # lazy: a stoker that failed to stop must not leave the mount behind
        subprocess.run(['umount', '-l', str(self.data)], check=True)


class FileSizeLimit:
    """RLIMIT_FSIZE lowered on the running server (prlimit) below the size of a whisper file:
    writes past it fail with EFBIG (SIGXFSZ ignored, as a server under a limit must)."""
    error = 'File too large'
    limit = 32 << 10

    def __init__(self, data):
        self.pid = None

    @staticmethod
    def preexec_fn():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def fill(self, pid):
        self.pid = pid
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (self.limit, resource.RLIM_INFINITY))

    def free(self):
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    def release(self):
        pass


@pytest.mark.parametrize('disk', [Tmpfs, FileSizeLimit], ids=['tmpfs', 'file_size_limit'])
def test_full_disk_keeps_points_and_catches_up(stoker_factory, tmp_path, disk):
    disk = disk(tmp_path / 'whisper')
    stoker = None
    try:
        # statsd off: its metrics would only compete for the rate-limited log lines
        stoker = stoker_factory({'CARBON_METRIC_INTERVAL': '1'}, schemas=FULL_DISK_SCHEMAS, start=False, statsd_keys={'enabled': 'false'})
        stoker.start(preexec_fn=disk.preexec_fn)
        now = int(time.time())
        send_lines(stoker.ports['line'], ['full.existing 1 %d\n' % (now - 3500)])
        wait_for(lambda: points(stoker.wsp('full.existing'), 3600), what='first point')
        # every self-instrumentation file exists, so its counters stay readable while the disk
        # is full
        wait_for(lambda: all(agent_path(stoker, stat).exists() for stat in AGENT_STATS), what='instrumentation files')
        disk.fill(stoker.process.pid)
        # a write into an existing file that needs new space: it fails, is counted, and retried
        send_lines(stoker.ports['line'], ['full.existing 2 %d\n' % now])
        wait_for(lambda: agent_stat(stoker, 'errors') >= 2, what='full.existing failing, counted, retried')
        # new files: every create fails (counted once per attempt at least)
        send_lines(stoker.ports['line'], ['full.new.m%d %d %d\n' % (i, i, now) for i in range(20)])
        wait_for(lambda: agent_stat(stoker, 'errors') >= 22, what='creates failing')
        assert any(disk.error in l for l in write_errors(stoker, 'full.existing')), 'logged with the reason'
        link = Carbonlink(stoker.ports['query'])
        answer, _ = link.request({'type': 'cache-query', 'metric': 'full.existing'})
        assert [value for _, value in answer['datapoints']] == [2.0], 'the point waits in the cache'
        link.close()
        # a create that failed part-way leaves no file that would later read as corrupt (one may
        # succeed: tmpfs counts its pages per CPU, so a "full" one can still hand out a page)
        created = [stoker.wsp('full.new.m%d' % i) for i in range(20) if stoker.wsp('full.new.m%d' % i).exists()]
        assert len(created) < 20, 'the disk is full'
        for path in created:
            whisper.info(str(path))
        assert points(stoker.wsp('full.existing'), 3600) == {now - 3500: 1.0}
        disk.free()
        wait_for(lambda: points(stoker.wsp('full.existing'), 3600) == {now - 3500: 1.0, now: 2.0}, timeout=30,
                 what='full.existing caught up')
        for i in range(20):
            wait_for(lambda: points(stoker.wsp('full.new.m%d' % i)) == {now: float(i)},
                     timeout=30, what='full.new.m%d caught up' % i)
        assert agent_stat(stoker, 'droppedPoints') == 0
        assert stoker.stop() == 0
        assert 'drain_incomplete' not in stoker.output()
    finally:
        if stoker and stoker.process and stoker.process.poll() is None:
            stoker.process.kill()
            stoker.process.wait()
        disk.release()


def lock_directory(directory):
    """Makes `directory` impossible to create files in; returns (how, undo).

    Not root: chmod 0555. Root ignores permission bits, so: chattr +i (the immutable flag binds
    root too) where the file system supports it, else a plain file where the directory must be
    (ENOTDIR, the same "cannot create" as far as the writer is concerned)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return 'chmod', lambda: directory.chmod(0o755)
    if shutil.which('chattr') and subprocess.run(['chattr', '+i', str(directory)], capture_output=True).returncode == 0:
        return 'chattr', lambda: subprocess.run(['chattr', '-i', str(directory)], check=True)
    directory.rmdir()
    directory.write_bytes(b'')

    def undo():
        directory.unlink()
        directory.mkdir()
    return 'file', undo


def test_unwritable_directory_keeps_points_others_flow(stoker_factory):
    stoker = stoker_factory()
    locked = stoker.data / 'locked'
    locked.mkdir(parents=True)
    how, undo = lock_directory(locked)
    try:
        now = int(time.time())
        send_lines(stoker.ports['line'], ['locked.metric 5 %d\n' % now])
        wait_for(lambda: write_errors(stoker, 'locked.metric'), what='create error logged')
        # every other metric keeps flowing meanwhile
        send_lines(stoker.ports['line'], ['flowing.m%d 1 %d\n' % (i, now) for i in range(10)])
        wait_for(lambda: all(stoker.wsp('flowing.m%d' % i).exists() for i in range(10)), what='other metrics')
        wait_for(lambda: len(write_errors(stoker, 'locked.metric')) >= 2, what='retried')
        assert not stoker.wsp('locked.metric').exists()
    finally:
        undo()
    wait_for(lambda: points(stoker.wsp('locked.metric')) == {now: 5.0},
             timeout=30, what='written once the directory is writable (%s)' % how)


def corrupt_files(data):
    """{metric: bytes} of files that are not whisper databases, written in place."""
    (data / 'corrupt').mkdir(parents=True)
    valid = data / 'corrupt' / 'valid.tmp'
    whisper.create(str(valid), [(1, 600)])
    good = valid.read_bytes()
    valid.unlink()
    bad_aggregation = bytearray(good)
    bad_aggregation[0:4] = (99).to_bytes(4, 'big')
    files = {
        'corrupt.garbage': random.Random(7).randbytes(4096),
        'corrupt.empty': b'',
        'corrupt.truncated': good[:len(good) // 2],          # archive runs past the end
        'corrupt.header_only': good[:16],                     # not even the metadata
        'corrupt.aggregation': bytes(bad_aggregation),        # unknown aggregation type
    }
    for metric, content in files.items():
        (data / (metric.replace('.', '/') + '.wsp')).write_bytes(content)
    return files


def test_corrupt_files_are_quarantined_others_flow(stoker_factory, tmp_path):
    files = corrupt_files(tmp_path / 'whisper')
    stoker = stoker_factory({'CARBON_METRIC_INTERVAL': '1'})
    now = int(time.time())
    healthy = ['healthy.m%d' % i for i in range(50)]
    rounds = 3
    for r in range(rounds):
        send_lines(stoker.ports['line'], ['%s %d %d\n' % (m, r, now - r) for m in list(files) + healthy])
        # each round written, and the corrupt files quarantined, before the next round is sent
        wait_for(lambda: all(len(points(stoker.wsp(m))) == r + 1 for m in healthy)
                 and all('event=quarantine metric="%s"' % m in stoker.output() for m in files),
                 what='round %d written' % r)
    for metric in files:
        wait_for(lambda: 'event=quarantine metric="%s"' % metric in stoker.output(), what='%s quarantined' % metric)
        assert stoker.wsp(metric).read_bytes() == files[metric], 'a corrupt file is left as it was'
    # counted: one error per corrupt file, every one of their points dropped
    wait_for(lambda: agent_stat(stoker, 'droppedPoints') == len(files) * rounds, what='dropped points counted')
    wait_for(lambda: agent_stat(stoker, 'errors') == len(files), what='errors counted')
    # repaired (here: removed) and the rules reloaded: the metric is written again
    stoker.wsp('corrupt.garbage').unlink()
    stoker.process.send_signal(signal.SIGHUP)
    wait_for(lambda: 'event=reloaded' in stoker.output(), what='reload')
    send_lines(stoker.ports['line'], ['corrupt.garbage 9 %d\n' % now])
    wait_for(lambda: points(stoker.wsp('corrupt.garbage')) == {now: 9.0},
             what='written after the repair')


def test_upstream_outage_longer_than_the_forward_buffer(stoker_factory):
    """Upstream down for five flushes or more with room for three: the newest wait and are
    delivered in order when it returns, the older ones are dropped and counted."""
    port = free_port()
    stoker = stoker_factory(statsd_keys={'graphiteHost': '127.0.0.1', 'graphitePort': port,
                                         'forward_buffer_flushes': 3})
    client = statsd.StatsClient('127.0.0.1', stoker.ports['statsd'])
    done = threading.Event()
    sent = [0]

    def count_up():
        # a gauge that only grows: each flush carries the value of its moment
        while not done.is_set():
            client.gauge('outage.seq', sent[0])
            sent[0] += 1
            time.sleep(0.05)  # pacing the sender: about 20 values per 1 s flush, not waiting for anything

    counter = threading.Thread(target=count_up, daemon=True)
    counter.start()
    capture = None
    try:
        wait_for(lambda: stoker.output().count('event=statsd_forward_dropped') >= 2, timeout=30, what='flushes dropped')
        capture = Capture(port)
        returned = sent[0]  # flushes with smaller values were made during the outage
        threading.Thread(target=capture.serve_forever, daemon=True).start()
        wait_for(lambda: any(float(l.split()[1]) > returned + 30 for l in list(capture.lines)
                             if l.startswith('stats.gauges.outage.seq ')), what='a flush made after the return')
    finally:
        done.set()
        counter.join()
        if capture:
            capture.shutdown()
            capture.server_close()
    seq = [(int(l.split()[2]), float(l.split()[1])) for l in capture.lines if l.startswith('stats.gauges.outage.seq ')]
    stamps = [stamp for stamp, _ in seq]
    assert stamps == sorted(set(stamps)), 'each flush once, in order: %s' % seq
    assert [v for _, v in seq] == sorted(v for _, v in seq)
    # The forwarder notices the return at the next flush, whose arrival pushes the oldest of the
    # three out first: two or three flushes of the outage are delivered, never more.
    waited = [value for _, value in seq if value < returned]
    assert 2 <= len(waited) <= 3, 'flushes of the outage delivered: %s of %s' % (waited, seq)
    assert 'event=statsd_forward_dropped reason=buffer_full capacity=3' in stoker.output()
