"""Bad-input barrage: every port of one Stoker gets garbage at once (random bytes, 64 KiB lines,
NUL bytes, invalid UTF-8, names that try to leave the data directory, a million distinct names,
pickle bombs, half-open and 1,000 idle connections). Afterwards every port still answers, a
known-good metric lands on disk, no file exists outside LOCAL_DATA_DIR, and resident memory
stayed within a bound."""
import json
import os
import pickle
import resource
import socket
import struct
import threading
import time
import urllib.parse
import urllib.request
import uuid

import whisper

from carbon_peers import Carbonlink, relay_frame, send_lines, send_pickle, send_udp
from conftest import free_port, points, wait_for
from test_manhole import keypair, ssh

# Resident memory may grow by at most this much over the idle server's during the barrage.
# Measured on the debug build: the barrage costs about 55 MiB, nearly all of it the two
# nested-list pickle bombs being refused at the same time on the pickle and carbonlink ports
# (the decoder's arenas hold about 60 bytes per input byte until the depth check at STOP,
# bounded by the frame size); 1,000 connections cost 2 MiB, the million names 6 MiB. A million
# distinct names kept anywhere would cost far more: 345 MiB in the carbon cache.
RSS_GROWTH_BOUND = 96 << 20

SCHEMAS = '[default]\npattern = .*\nretentions = 1s:5m\n'


class ResidentMemory:
    """Samples a process's VmRSS every 20 ms on a thread: the peak between start and stop."""

    def __init__(self, pid):
        self.pid = pid
        self.baseline = self.now()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self):
        with open('/proc/%d/status' % self.pid) as status:
            for line in status:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, self.now())
            except OSError:
                return

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak - self.baseline


def connect(port):
    return socket.create_connection(('127.0.0.1', port), timeout=10)


def blast(port, payload, read_answer=False):
    """Sends payload on a new connection and closes it; the server may hang up first (that
    is one of the accepted answers to garbage)."""
    try:
        with connect(port) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            while read_answer and s.recv(65536):
                pass
    except OSError:  # reset, not connected any more, or a timeout: all fine for garbage
        pass


def framed(body):
    return struct.pack('!L', len(body)) + body


def pickle_bombs():
    """Frames a decoder must refuse without exhausting memory, time or the stack."""
    depth = 200_000
    return [
        b'\x80\x02' + b']' * depth + b'a' * (depth - 1) + b'.',           # lists nested 200,000 deep
        b'\x80\x02' + b'(' * depth + b'.',                                  # 200,000 open MARKs
        # memo bomb: each level appends the previous list to itself twice (2^40 elements)
        b'\x80\x02]q\x00' + b'(h\x00h\x00lq\x00' * 40 + b'.',
        b'\x80\x04\x8d' + struct.pack('<Q', 1 << 62) + b'abc.',             # BINUNICODE8, 4 EiB declared
        b'\x80\x04\x8e' + struct.pack('<Q', 1 << 62) + b'abc.',             # BINBYTES8
        b'\x80\x02X' + struct.pack('<I', 0xffffffff) + b'abc.',            # BINUNICODE, 4 GiB declared
        b'\x80\x02\x8b' + struct.pack('<i', 0x7fffffff) + b'\x01.',       # LONG4, 2 GiB declared
        b'\x80\x04\x95' + struct.pack('<Q', 1 << 62) + b'.',                # FRAME, 4 EiB declared
        b'\x80\x02L' + b'9' * 100_000 + b'L\n.',                          # 100,000-digit LONG
        b'cos\nsystem\n(S"touch /tmp/stoker-pwned"\ntR.',                   # code: GLOBAL + REDUCE
        os.urandom(4096),
    ]


class Barrage:
    def __init__(self, stoker, marker, victim):
        self.stoker = stoker
        self.ports = stoker.ports
        self.marker = marker
        self.victim = victim
        self.now = int(time.time())

    def evil_names(self):
        """Names that would leave the data directory, hide files or break paths. All but the
        victim's path carry the marker, so a file named after one of them is easy to find."""
        m = self.marker
        return ['%s..double' % m, '.%s.leading' % m, '%s.trailing.' % m, '/tmp/%s' % m, '/%s' % m,
                '../../%s' % m, 'x/../../%s' % m, '%s//x' % m, '%s/./x' % m, '..%s' % m,
                '%s.x\x00nul' % m, str(self.victim.with_suffix('')),
                # a component longer than NAME_MAX can never be created
                '%s.%s' % (m, 'y' * 300)]

    def plaintext_lines(self):
        t = self.now
        lines = [b'%s 1 %d\n' % (name.encode(), t) for name in self.evil_names()]
        lines += [b'x' * 65536 + b'\n', b'big.value ' + b'9' * 65000 + b' %d\n' % t,
                  b'nul\x00.name 1 %d\n' % t, b'\x00' * 1000 + b'\n', b'nul.value 1\x00 %d\n' % t,
                  b'bad.utf8\xff\xfe 1 %d\n' % t, b'\xc3\x28 1 %d\n' % t, b'ok.name \xe2\x82 %d\n' % t,
                  b'\n' * 100, b' \t \r\n', b'only.name\n', b'a b c d e f\n', b'inf.ts 1 inf\n',
                  b'neg.ts 1 -99999999999999999999\n', b'huge.value 1e999 %d\n' % t]
        return b''.join(lines)

    def statsd_lines(self):
        lines = [b'%s:1|c\n' % name.encode() for name in self.evil_names()]
        lines += [b'x' * 65536 + b'\n', b'nul\x00:1|c\n', b'\x00' * 1000 + b'\n', b'bad\xff:1|c\n',
                  b'k:\xc3\x28|g\n', b'k:1|c|@\x00\n', b'k:1|zz|@0.5|#t\n', b'k:' + b'9' * 5000 + b'|ms\n',
                  b':::|||\n', b'|c\n', b'k:1|s\n' * 3]
        return b''.join(lines)

    # --- one function per port -------------------------------------------------------------

    def plaintext_tcp(self):
        blast(self.ports['line'], os.urandom(1 << 20))
        blast(self.ports['line'], self.plaintext_lines())
        blast(self.ports['line'], b'y' * (1 << 20))                  # one 1 MiB unterminated line

    def plaintext_udp(self):
        for payload in (os.urandom(65507), b'x' * 65507, self.plaintext_lines()[:65507], b'\x00' * 1000, b''):
            send_udp(self.ports['udp'], payload)

    def pickle(self):
        blast(self.ports['pickle'], os.urandom(1 << 20))
        blast(self.ports['pickle'], struct.pack('!L', 0xffffffff) + b'\x80' * 1000)   # huge declared length
        for bomb in pickle_bombs():
            blast(self.ports['pickle'], framed(bomb))
        names = [(name, (self.now, 1.0)) for name in self.evil_names()]
        names += [(b'bytes.name', (self.now, 1)), (None, (self.now, 1)), ('x', None), ('x', (1, 2, 3))]
        blast(self.ports['pickle'], framed(pickle.dumps(names, protocol=2)))

    def carbonlink(self):
        port = self.ports['query']
        blast(port, os.urandom(1 << 16), read_answer=True)
        blast(port, struct.pack('!L', 0xffffffff) + b'x' * 100, read_answer=True)
        for bomb in pickle_bombs():
            blast(port, framed(bomb), read_answer=True)
        requests = [{'type': 'nonsense'}, {'no': 'type'}, [], {'type': 'cache-query'}]
        for name in self.evil_names():
            requests += [{'type': 'cache-query', 'metric': name}, {'type': 'cache-query-bulk', 'metrics': [name, 1]},
                         {'type': 'get-metadata', 'metric': name, 'key': 'aggregationMethod'},
                         {'type': 'set-metadata', 'metric': name, 'key': 'aggregationMethod', 'value': 'max'}]
        for request in requests:
            blast(port, framed(pickle.dumps(request, protocol=2)), read_answer=True)

    def api(self):
        """The [api] port: bytes that are not HTTP, broken and oversized requests, evil names in
        finds, renders and tag writes."""
        port = self.ports['api']
        blast(port, os.urandom(1 << 16), read_answer=True)
        for request in [b'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n',
                        b'GET /' + b'a' * 100000 + b' HTTP/1.1\r\n\r\n',
                        b'POST /tags/tagMultiSeries HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\n'
                        b'Content-Length: 40\r\n\r\n--x\r\n\r\n\r\n--x--' + b'\x00' * 5,
                        b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + os.urandom(500),
                        b'GET /render/?target=' + b'%ff' * 300 + b'&format=json HTTP/1.0\r\n\r\n']:
            blast(port, request, read_answer=True)
        for name in self.evil_names():
            quoted = urllib.parse.quote(name)
            for path in ('/metrics/find/?format=json&query=%s' % quoted, '/render/?format=json&target=%s' % quoted,
                         '/tags/findSeries?expr=name%%3D%s' % quoted):
                blast(port, b'GET %s HTTP/1.0\r\n\r\n' % path.encode(), read_answer=True)
            blast(port, b'POST /tags/tagSeries HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n'
                  b'Content-Length: %d\r\n\r\npath=%s' % (len(quoted) + 5, quoted.encode()), read_answer=True)

    def statsd_udp(self):
        for payload in (os.urandom(65507), b'x' * 65507, self.statsd_lines()[:65507], b'\x00' * 1000, b''):
            send_udp(self.ports['statsd'], payload)

    def statsd_tcp(self):
        blast(self.ports['statsd_tcp'], os.urandom(1 << 20))
        blast(self.ports['statsd_tcp'], self.statsd_lines())
        blast(self.ports['statsd_tcp'], b'k' * (1 << 20))             # 1 MiB without a newline

    def statsd_admin(self):
        port = self.ports['statsd_admin']
        blast(port, os.urandom(1 << 16), read_answer=True)
        blast(port, b'x' * 65536 + b'\n', read_answer=True)
        blast(port, b'\x00\xff\xfe stats\n\xc3\x28\n', read_answer=True)
        blast(port, b'delcounters ../../%s *\ndelgauges \x00\nnosuchcommand\n' % self.marker.encode(), read_answer=True)

    def manhole(self, port):
        blast(port, b'GET / HTTP/1.0\r\n\r\n' + os.urandom(4096), read_answer=True)
        blast(port, b'SSH-2.0-OpenSSH_9.0\r\n' + os.urandom(65536), read_answer=True)
        blast(port, b'SSH-2.0-' + b'x' * 65536 + b'\r\n', read_answer=True)

    def million_names(self):
        """A million distinct, valid names: half over TCP, half over UDP (some datagrams may
        be dropped by the kernel; the point is that none of the names is kept)."""
        t = self.now
        tcp = b''.join(b'million.t%d.n%d 1 %d\n' % (i % 1000, i, t) for i in range(500_000))
        with connect(self.ports['line']) as s:
            s.sendall(tcp)
            s.shutdown(socket.SHUT_WR)
            s.recv(1)
        udp = [b'million.u%d.n%d 1 %d\n' % (i % 1000, i, t) for i in range(500_000)]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for start in range(0, len(udp), 1500):
                s.sendto(b''.join(udp[start:start + 1500]), ('127.0.0.1', self.ports['udp']))
        # statsd too: 100,000 keys in one interval, ten times its max_keys_per_interval
        with connect(self.ports['statsd_tcp']) as s:
            s.sendall(b''.join(b'million.s%d:1|c\n' % i for i in range(100_000)))
            s.shutdown(socket.SHUT_WR)
            s.recv(1)


def run_concurrently(functions, timeout):
    """Runs every function on its own thread; fails on a sender's error or if one is stuck
    (a port that stopped reading)."""
    errors = []

    def guarded(function):
        try:
            function()
        except Exception as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(f,), daemon=True) for f in functions]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), 'a sender is stuck: a port stopped reading'
    assert errors == []


def hold_connections(ports, counts):
    """Opens idle connections and keeps them: the server must keep serving everyone else."""
    held = []
    for name, count in counts.items():
        for _ in range(count):
            held.append(connect(ports[name]))
    return held


def half_open(ports, manhole_port):
    """Connections that stop in the middle of something and stay open: a partial line, a
    partial frame header, a frame announced but never finished, a client that only sends, an
    SSH client that never completes the handshake."""
    held = []

    def opened(port, payload=b'', shut=False):
        s = connect(port)
        if payload:
            s.sendall(payload)
        if shut:
            s.shutdown(socket.SHUT_WR)
        held.append(s)

    opened(ports['line'], b'partial.line 1')
    opened(ports['line'], b'partial.line 1 2\npartial', shut=True)
    opened(ports['pickle'], b'\x00\x00')
    opened(ports['pickle'], struct.pack('!L', 1000) + b'\x80\x02')
    opened(ports['query'], struct.pack('!L', 1000) + b'\x80\x02')
    # requests pipelined by a client that never reads the answers
    request = framed(pickle.dumps({'type': 'cache-query', 'metric': 'never.read'}, protocol=2))
    opened(ports['query'], request * 20000, shut=True)
    opened(ports['statsd_tcp'], b'partial:1')
    opened(ports['statsd_admin'], b'stat')
    opened(ports['statsd_admin'], b'stats\n' * 2000, shut=True)
    opened(manhole_port)
    opened(manhole_port, b'SSH-2.0-half')
    return held


def files_under(root):
    return {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}


def test_barrage_at_every_port(stoker_factory, tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    key, public = keypair(tmp_path)
    manhole_port = free_port()
    marker = 'escape%s' % uuid.uuid4().hex[:8]
    # a whisper file outside the data directory that names must not reach
    victim = tmp_path / 'outside' / 'victim.wsp'
    victim.parent.mkdir()
    whisper.create(str(victim), [(1, 60)])
    victim_bytes = victim.read_bytes()
    before = files_under(tmp_path)
    stoker = stoker_factory({
        # A small cache that drops instead of pausing, and a writer limited to 300 updates a
        # second: the million names cost at most a few thousand files and little memory.
        'MAX_CACHE_SIZE': '1000', 'USE_FLOW_CONTROL': 'False',
        'MAX_UPDATES_PER_SECOND': '300', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf',
        'ENABLE_MANHOLE': 'True', 'MANHOLE_PORT': manhole_port, 'MANHOLE_USER': 'admin',
        'MANHOLE_PUBLIC_KEY': public, 'MANHOLE_LOGIN_TIMEOUT': '20',
    }, schemas=SCHEMAS, statsd_keys={'max_keys_per_interval': 10000, 'deleteIdleStats': 'true'})
    memory = ResidentMemory(stoker.process.pid)
    barrage = Barrage(stoker, marker, victim)
    held = []
    try:
        held += hold_connections(stoker.ports, {'line': 300, 'pickle': 200, 'query': 200,
                                                'statsd_tcp': 150, 'statsd_admin': 150})
        held += half_open(stoker.ports, manhole_port)
        senders = [barrage.plaintext_tcp, barrage.plaintext_udp, barrage.pickle, barrage.carbonlink,
                   barrage.statsd_udp, barrage.statsd_tcp, barrage.statsd_admin,
                   lambda: barrage.manhole(manhole_port), barrage.million_names, barrage.api]
        run_concurrently(senders, timeout=120)
        assert stoker.process.poll() is None, 'stoker died:\n' + stoker.output()[-3000:]
        every_port_still_answers(stoker, manhole_port, key)
    finally:
        for s in held:
            s.close()
    growth = memory.stop()
    began = time.monotonic()
    assert stoker.stop() == 0, stoker.output()[-3000:]
    shutdown_seconds = time.monotonic() - began
    log = stoker.output()
    assert growth < RSS_GROWTH_BOUND, 'resident memory grew by %d MiB' % (growth >> 20)
    # nothing waits forever for a name that can never become a file
    assert 'drain_incomplete' not in log and shutdown_seconds < 20, shutdown_seconds
    # the garbage was seen, counted and logged with its reason
    for reason in ('reason=invalid_utf8', 'reason=line_too_long', 'event=bad_metric_name', 'event=invalid_pickle',
                   'event=invalid_carbonlink_request'):
        assert reason in log, reason
    # no file outside LOCAL_DATA_DIR but the fixture's config and Stoker's own: its log,
    # statsd's state, the manhole's host key and the tag index in STORAGE_DIR
    created = files_under(tmp_path) - before
    outside = {f for f in created if not f.startswith('whisper/')}
    assert outside <= {'stoker.conf', 'storage-schemas.conf', 'storage-aggregation.conf', 'stoker.log',
                       'storage/statsd-state.json', 'storage/manhole/ssh_host_ed25519_key',
                       'storage/manhole/ssh_host_ed25519_key.pub', 'storage/tagged-series.log'}, outside
    assert not [f for f in created if '/.' in f], 'hidden files'
    assert not [f for f in os.listdir('/tmp') if marker in f]
    assert not os.path.exists('/tmp/stoker-pwned')
    assert victim.read_bytes() == victim_bytes


def every_port_still_answers(stoker, manhole_port, key):
    """Each port does its job once more, while the idle and half-open connections are still
    open. The cache may still be full of the barrage's names (points beyond MAX_CACHE_SIZE are
    dropped), so a known-good point is sent again until it is on disk."""
    ports = stoker.ports

    def lands(send, metric, attempts=20, wait=2.0):
        for attempt in range(attempts):
            send(attempt)
            try:
                return wait_for(lambda: points(stoker.wsp(metric), ahead=2), timeout=wait, interval=0.05, what=metric)
            except AssertionError:
                continue  # dropped by a full cache: sent again
        raise AssertionError('%s never reached disk' % metric)

    now = int(time.time())
    # plaintext TCP: the known-good metric, one point per attempt (distinct timestamps)
    good = lands(lambda i: blast(ports['line'], b'known.good.tcp 42 %d\n' % (now - i), read_answer=True), 'known.good.tcp')
    assert set(good.values()) == {42.0}
    lands(lambda i: send_udp(ports['udp'], b'known.good.udp 7 %d\n' % (now - i)), 'known.good.udp')
    lands(lambda i: send_pickle(ports['pickle'], [relay_frame([('known.good.pickle', (now - i, 3.0))])]), 'known.good.pickle')
    lands(lambda i: send_udp(ports['statsd'], b'known.good.statsd_udp:1|c'), 'stats_counts.known.good.statsd_udp')
    lands(lambda i: blast(ports['statsd_tcp'], b'known.good.statsd_tcp:1|c\n', read_answer=True),
          'stats_counts.known.good.statsd_tcp')
    # the read API finds what landed and says it is healthy
    with urllib.request.urlopen('http://127.0.0.1:%d/metrics/find/?format=json&query=known.good.*' % ports['api'],
                                timeout=30) as answer:
        assert {n['path'] for n in json.loads(answer.read())} >= {'known.good.tcp', 'known.good.udp', 'known.good.pickle'}
    with urllib.request.urlopen('http://127.0.0.1:%d/health' % ports['api'], timeout=30) as answer:
        assert answer.status == 200
    with socket.create_connection(('127.0.0.1', ports['statsd_admin']), timeout=10) as s:
        s.sendall(b'health\n')
        assert s.recv(100) == b'health: up\n'
    link = Carbonlink(ports['query'])
    answer, _ = link.request({'type': 'cache-query', 'metric': 'known.good.tcp'})
    assert 'datapoints' in answer
    link.close()
    result = ssh(manhole_port, key, 'MetricCache.size')
    assert result.returncode == 0, result.stderr


def test_answers_nobody_reads_do_not_pile_up(stoker_factory):
    """Clients that pipeline requests for large answers and read them only later cost the
    server about a socket buffer of answers meanwhile, not memory in proportion to what they
    asked for; once they read, every answer arrives, in order."""
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'},
                            statsd_keys={'flushInterval': 60000})
    now = int(time.time())
    # a metric with 250 points waiting in the cache (the first line takes the writer's only token)
    send_lines(stoker.ports['line'], ['first.metric 0 %d\n' % now] + ['hot.metric %d %d\n' % (i, now - i) for i in range(250)])
    # 1,000 statsd counters: each `counters` answer is about 35 KB
    with connect(stoker.ports['statsd_tcp']) as s:
        s.sendall(b''.join(b'unread.counter.number%d:1|c\n' % i for i in range(1000)))
    wait_for(lambda: 'unread.counter.number999' in admin_answer(stoker, b'counters\n'), what='counters taken')
    link = Carbonlink(stoker.ports['query'])
    assert len(link.request({'type': 'cache-query', 'metric': 'hot.metric'})[0]['datapoints']) == 250
    memory = ResidentMemory(stoker.process.pid)
    query = framed(pickle.dumps({'type': 'cache-query', 'metric': 'hot.metric'}, protocol=2))
    link.sock.sendall(query * 4000)                                  # 20 MB of answers
    admin_client = connect(stoker.ports['statsd_admin'])
    # 16 bytes a command: the admin interface answers each read as a chunk of its own (as
    # statsd does), and NIO's reads are multiples of 16 bytes, so no command is cut in two
    admin_client.sendall(b'counters       \n' * 300)               # 10 MB of answers
    # A fixed time, since what is checked is that nothing piles up: what a server that does
    # not hold answers back would fill its memory with meanwhile.
    time.sleep(2)
    for _ in range(4000):
        answer, _ = link.read_answer()
        assert len(answer['datapoints']) == 250
    link.close()
    received = b''
    while received.count(b'\nEND\n\n') < 300:
        chunk = admin_client.recv(1 << 20)
        assert chunk, 'admin closed early'
        received += chunk
    admin_client.close()
    growth = memory.stop()
    assert received.count(b"'unread.counter.number999': 1") == 300
    assert growth < 8 << 20, 'answers piled up: resident memory grew by %d MiB' % (growth >> 20)


def admin_answer(stoker, command):
    with connect(stoker.ports['statsd_admin']) as s:
        s.sendall(command)
        s.shutdown(socket.SHUT_WR)
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data.decode()
            data += chunk
