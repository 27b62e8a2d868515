"""The cache's memory ceiling (docs/carbon.md §16) under a real cgroup memory limit, with every
write failing (the data directory read-only): a flood of new names over TCP is paused at the
ceiling, UDP points are dropped and counted, and the process stays well under its cgroup's
limit (never OOM-killed by its own cache). That the cache falls below the ceiling as soon as
writes succeed is `CacheMemoryCeilingTests` (writing half a million new files here would put
the file system's own cache, which the cgroup charges too, into the test)."""
import os
import pathlib
import socket
import subprocess
import threading
import time

from conftest import missing_reference, wait_for
from test_reads import scrape

LIMIT = 256 << 20


class MemoryCgroup:
    """A cgroup of its own with a memory limit: v1's memory hierarchy, else v2's."""

    def __init__(self, name, limit):
        v1 = pathlib.Path('/sys/fs/cgroup/memory')
        v2 = pathlib.Path('/sys/fs/cgroup')
        if os.geteuid() != 0:
            missing_reference('a memory cgroup needs root')
        if (v1 / 'memory.limit_in_bytes').exists():
            self.path, limit_file = v1 / name, 'memory.limit_in_bytes'
        elif 'memory' in (v2 / 'cgroup.controllers').read_text(errors='replace') if (v2 / 'cgroup.controllers').exists() else False:
            self.path, limit_file = v2 / name, 'memory.max'
        else:
            missing_reference('no cgroup memory controller to limit the server with')
        self.path.mkdir()
        (self.path / limit_file).write_text(str(limit))

    def enter(self):
        """For preexec_fn: moves the child into the group before it execs the server."""
        (self.path / 'cgroup.procs').write_text(str(os.getpid()))

    def oom_kills(self):
        for name in ('memory.oom_control', 'memory.events'):
            path = self.path / name
            if path.exists():
                for line in path.read_text().splitlines():
                    if line.startswith('oom_kill '):
                        return int(line.split()[1])
        return 0

    def remove(self):
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def cache_figures(stoker):
    return {s.name: s.value for s in scrape(stoker)}


def rss(pid):
    for line in pathlib.Path('/proc/%d/status' % pid).read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
    return 0


class Flood(threading.Thread):
    """New names over one TCP connection, as fast as the server reads them."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.settimeout(0.2)
        self.sent = 0
        self.stopped = False

    def run(self):
        now = int(time.time())
        pending, i = b'', 0
        while not self.stopped:
            if not pending:
                pending = ''.join('flood.h%07d.req 1 %d\n' % (i + k, now) for k in range(5000)).encode()
                i += 5000
            try:
                n = self.sock.send(pending)
                self.sent += n
                pending = pending[n:]
            except socket.timeout:
                pass
            except OSError:
                break  # the server was stopped
        self.sock.close()


def test_a_flood_of_new_names_stops_at_the_ceiling_and_the_process_is_never_oom_killed(stoker_factory, tmp_path):
    cgroup = MemoryCgroup('stoker-ceiling-%d' % os.getpid(), LIMIT)
    stoker = stoker_factory({'CACHE_WRITE_STRATEGY': 'naive'}, start=False, statsd_keys={'enabled': 'false'})
    stoker.data.mkdir(parents=True)
    # The data directory read-only (a bind mount: root ignores file modes): every create fails.
    subprocess.run(['mount', '--bind', str(stoker.data), str(stoker.data)], check=True)
    subprocess.run(['mount', '-o', 'remount,bind,ro', str(stoker.data)], check=True)
    flood = None
    try:
        stoker.start(preexec_fn=cgroup.enter)
        ceiling = LIMIT // 2
        assert 'event=cache_memory_ceiling bytes=%d reason="auto: 50%% of cgroup %d"' % (ceiling, LIMIT) in stoker.output()

        flood = Flood(stoker.ports['line'])
        flood.start()
        wait_for(lambda: cache_figures(stoker)['stoker_carbon_cache_memory_bytes'] >= ceiling, timeout=60, what='the ceiling')
        # The sender is paused: nothing more is read while the cache stays full.
        time.sleep(0.5)
        before = flood.sent
        time.sleep(1.5)
        assert flood.sent - before < 8 << 20, 'at most the socket buffers filled'
        figures = cache_figures(stoker)
        # At most one read burst (4 reads of 1 MiB of new names) past the ceiling.
        assert figures['stoker_carbon_cache_memory_bytes'] < ceiling + (64 << 20)
        assert figures['stoker_carbon_cache_memory_ceiling_bytes'] == ceiling
        # Datagrams cannot be paused: dropped and counted.
        overflow = figures['stoker_carbon_cache_overflow_total']
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            for i in range(200):
                udp.sendto(b'udp.flood.m%d 1 %d\n' % (i, int(time.time())), ('127.0.0.1', stoker.ports['udp']))
        wait_for(lambda: cache_figures(stoker)['stoker_carbon_cache_overflow_total'] >= overflow + 200, what='UDP drops counted')
        assert stoker.process.poll() is None
        assert cgroup.oom_kills() == 0
        assert rss(stoker.process.pid) < LIMIT * 0.9, 'RSS %d of a %d limit' % (rss(stoker.process.pid), LIMIT)

        # And it stays so: the writers keep failing, nothing grows.
        time.sleep(2)
        assert cache_figures(stoker)['stoker_carbon_cache_memory_bytes'] < ceiling + (64 << 20)
        assert stoker.process.poll() is None and cgroup.oom_kills() == 0
    finally:
        if flood:
            flood.stopped = True
        # Hundreds of thousands of new files are left to write: not this test's subject.
        if stoker.process and stoker.process.poll() is None:
            stoker.process.kill()
            stoker.process.wait(timeout=30)
        stoker.process = None
        subprocess.run(['umount', '-l', str(stoker.data)])
        cgroup.remove()
