"""Chaos (issue: hostile traffic): legitimate traffic while a flood of names precomputed to
collide, a cardinality explosion held by quotas.conf, a data disk that fills and empties, and
`kill -9` with a restart at random moments, all under a cgroup memory limit, with the
write-ahead log on. At the end every acknowledged legitimate point is on disk and the process
was never OOM-killed.

"Acknowledged" is what a plaintext sender can know: the batch's last line is in the server's
cache (carbonlink) or file, and the write-ahead log's fsync interval passed twice before the
next kill.

`make test` runs it for STOKER_CHAOS_SECONDS (default 60); the 10-minute run is in
BENCHMARKS.md ("Chaos")."""
import os
import random
import socket
import threading
import time

from carbon_peers import fetch
from test_reads import cache_of, scrape
from test_faults import Tmpfs
from test_memory_ceiling import MemoryCgroup, rss

SECONDS = float(os.environ.get('STOKER_CHAOS_SECONDS', '60'))
LIMIT = 384 << 20
FSYNC = 0.2
LEGIT = 40
# Twelve hours of seconds: the legitimate points (ten a second, each a second apart) stay in the
# past and in one archive however long the run.
SCHEMAS = '[default]\npattern = .*\nretentions = 1s:12h\n'
QUOTAS = '[explode]\nmetrics = 300\n[flood]\nmetrics = 2000\n[/]\nnew-series-per-minute = 100000\n'


def name_hash(data, seed):
    """Stoker's NameHash (NameBytes/NameHash.swift), to compute names that share a probe chain
    under one seed, as an attacker would."""
    m = (1 << 64) - 1
    h = (0x9E3779B97F4A7C15 ^ seed ^ len(data)) & m
    i = 0
    while i + 8 <= len(data):
        h = ((h ^ int.from_bytes(data[i:i + 8], 'little')) * 0xFF51AFD7ED558CCD) & m
        h ^= h >> 32
        i += 8
    tail = int.from_bytes(data[i:], 'little')
    h = ((h ^ tail) * 0xC4CEB9FE1A85EC53) & m
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & m
    return h ^ (h >> 33)


def colliding_names(count, seed=0x0123456789ABCDEF, mask=1023):
    names, i = [], 0
    while len(names) < count:
        name = b'flood.c%d' % i
        if name_hash(name, seed) & mask == 0:
            names.append(name)
        i += 1
    return names


class Chaos(threading.Thread):
    """Kills and restarts the server, fills and empties the disk, at random moments."""

    def __init__(self, stoker, disk, cgroup, until):
        super().__init__(daemon=True)
        self.stoker, self.disk, self.cgroup, self.until = stoker, disk, cgroup, until
        self.kills = []
        self.fills = 0
        self.lock = threading.Lock()
        self.error = None

    def run(self):
        rng = random.Random(7)
        full = False
        try:
            while time.time() < self.until - 8:
                time.sleep(rng.uniform(3, 8))
                if rng.random() < 0.5:
                    if full:
                        self.disk.free()
                    else:
                        self.disk.fill(None)
                        self.fills += 1
                    full = not full
                else:
                    with self.lock:
                        self.kills.append(time.time())
                        self.stoker.process.kill()
                        self.stoker.process.wait(timeout=30)
                        self.stoker.start(preexec_fn=self.cgroup.enter)
            if full:
                self.disk.free()
        except BaseException as error:  # reported by the test
            self.error = error


def floods(stoker, stop):
    """Names precomputed to collide, and a new name in every datagram (both UDP: never paused)."""
    colliding = colliding_names(400)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        n = 0
        while not stop.is_set():
            now = int(time.time())
            batch = b''.join(b'%s 1 %d\n' % (name, now) for name in colliding[n % 4 * 100:(n % 4 + 1) * 100])
            batch += b''.join(b'explode.req%08d 1 %d\n' % (n * 50 + k, now) for k in range(50))
            try:
                udp.sendto(batch, ('127.0.0.1', stoker.ports['udp']))
            except OSError:
                pass
            n += 1
            time.sleep(0.005)


def holds(stoker, metric, timestamp, value):
    """Whether the server has the point: in its cache (carbonlink) or in the file."""
    try:
        if (timestamp, value) in [tuple(p) for p in cache_of(stoker, metric)]:
            return True
        path = stoker.data / (metric.replace('.', '/') + '.wsp')
        return path.exists() and fetch(path, seconds=43000).get(timestamp) == value
    except (OSError, EOFError):
        return False


def test_chaos_every_acknowledged_point_is_on_disk(stoker_factory, tmp_path):
    cgroup = MemoryCgroup('stoker-chaos-%d' % os.getpid(), LIMIT)
    (tmp_path / 'quotas.conf').write_text(QUOTAS)
    stoker = stoker_factory({'WAL_DIR': str(tmp_path / 'wal'), 'WAL_FSYNC_INTERVAL': str(FSYNC)},
                            schemas=SCHEMAS, start=False, statsd_keys={'enabled': 'false'})
    disk = Tmpfs(stoker.data, size='64m')
    stop = threading.Event()
    flood = None
    acknowledged = []  # (ack time, timestamp, value)
    max_rss = 0
    try:
        stoker.start(preexec_fn=cgroup.enter)
        until = time.time() + SECONDS
        chaos = Chaos(stoker, disk, cgroup, until)
        chaos.start()
        flood = threading.Thread(target=floods, args=(stoker, stop), daemon=True)
        flood.start()
        base = int(time.time()) - 20000
        k = 0
        while time.time() < until:
            timestamp, value = base + k, float(k)
            k += 1
            lines = ''.join('legit.m%d %r %d\n' % (m, value, timestamp) for m in range(LEGIT)).encode()
            try:
                with socket.create_connection(('127.0.0.1', stoker.ports['line']), timeout=2) as s:
                    s.sendall(lines)
            except OSError:
                time.sleep(0.2)
                continue
            # One connection's lines are stored in order: the last one there means all are.
            deadline = time.time() + 3
            while time.time() < deadline:
                if holds(stoker, 'legit.m%d' % (LEGIT - 1), timestamp, value):
                    acknowledged.append((time.time(), timestamp, value))
                    break
                time.sleep(0.02)
            try:
                max_rss = max(max_rss, rss(stoker.process.pid))
            except OSError:
                pass  # killed this moment
            time.sleep(0.05)
        chaos.join(timeout=60)
        assert chaos.error is None, chaos.error
        stop.set()
        assert stoker.process.poll() is None
        assert cgroup.oom_kills() == 0
        assert max_rss < LIMIT * 0.9, 'RSS %d of a %d limit' % (max_rss, LIMIT)
        refused = sum(s.value for s in scrape(stoker) if s.name == 'stoker_quota_refused_creates_total')
        assert stoker.stop() == 0, 'the final drain writes everything'

        kills = chaos.kills
        assert kills and chaos.fills, (kills, chaos.fills)

        def durable(ack_time):
            later = [t for t in kills if t > ack_time]
            return not later or later[0] - ack_time > 2 * FSYNC + 0.3
        expected = {t: v for ack, t, v in acknowledged if durable(ack)}
        assert len(expected) > SECONDS, 'the legitimate sender got through most of the time'
        print('chaos: %d s, %d kills, %d disk fills, %d batches acknowledged (%d before a kill by less than the fsync margin), '
              'max RSS %d MiB, %d creates refused by quotas'
              % (SECONDS, len(kills), chaos.fills, len(acknowledged), len(acknowledged) - len(expected), max_rss >> 20, refused))
        for m in range(LEGIT):
            stored = fetch(stoker.data / 'legit' / ('m%d.wsp' % m), seconds=43000)
            missing = {t: v for t, v in expected.items() if stored.get(t) != v}
            assert not missing, 'legit.m%d lost %d acknowledged points, e.g. %s' % (m, len(missing), sorted(missing.items())[:5])
        # The floods met their quotas: refused, counted, and no more files than allowed.
        files = lambda ns: sum(1 for _ in (stoker.data / ns).glob('*.wsp'))
        assert files('explode') <= 300 and files('flood') <= 2000
        assert refused > 0
    finally:
        stop.set()
        if stoker.process and stoker.process.poll() is None:
            stoker.process.kill()
            stoker.process.wait(timeout=30)
        stoker.process = None
        disk.release()
        cgroup.remove()
