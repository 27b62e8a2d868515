"""Starts a real `stoker serve` on free loopback ports for each test and stops it after.

Run with Debian's /usr/bin/python3 (it has the whisper module): `make test` does.
STOKER_BIN names the binary (default: the debug build).
"""
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def free_ports(kinds):
    """One free port per socket kind, all bound at once so no two of a kind are the same."""
    sockets = []
    try:
        for kind in kinds:
            s = socket.socket(socket.AF_INET, kind)
            sockets.append(s)
            s.bind(('127.0.0.1', 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port_for_udp_and_tcp():
    """A port number free for UDP and TCP alike."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            udp.bind(('127.0.0.1', 0))
            try:
                tcp.bind(('127.0.0.1', udp.getsockname()[1]))
            except OSError:
                continue
            return udp.getsockname()[1]
    raise AssertionError('no port free for both UDP and TCP')


def missing_reference(message):
    """A package the tests check against or run is missing. Under `make test`
    (STOKER_REQUIRE_REFERENCES=1) or in CI (CI set) it is installed on purpose, so that is a
    broken setup and fails the test; only a developer running pytest by hand without the
    package gets a skip saying what to install."""
    if os.environ.get('STOKER_REQUIRE_REFERENCES') == '1' or os.environ.get('CI'):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def wait_for(condition, timeout=15.0, interval=0.02, what='condition'):
    """Polls until condition() is truthy; never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError('timed out waiting for %s' % what)


def points(path, seconds=600, ahead=0):
    """{timestamp: value} of the known points of a whisper file, or {} while it does not exist
    or is still being created (a reader can open a new file before its archives are sized)."""
    import struct
    import whisper
    now = int(time.time()) + ahead
    try:
        (start, end, step), values = whisper.fetch(str(path), now - seconds, now, now=now)
    except (FileNotFoundError, whisper.CorruptWhisperFile, struct.error):
        return {}
    return {start + i * step: v for i, v in enumerate(values) if v is not None}


class Stoker:
    PORT_KINDS = {
        'line': socket.SOCK_STREAM, 'udp': socket.SOCK_DGRAM, 'pickle': socket.SOCK_STREAM,
        'query': socket.SOCK_STREAM, 'statsd': socket.SOCK_DGRAM, 'statsd_tcp': socket.SOCK_STREAM,
        'statsd_admin': socket.SOCK_STREAM, 'api': socket.SOCK_STREAM,
    }

    def __init__(self, directory, cache_keys, schemas, aggregation, extra_sections, statsd_keys, api_keys=None):
        self.dir = pathlib.Path(directory)
        self.data = self.dir / 'whisper'
        self.settings = (cache_keys, extra_sections, statsd_keys, api_keys or {})
        self._choose_ports()
        (self.dir / 'storage-schemas.conf').write_text(schemas)
        (self.dir / 'storage-aggregation.conf').write_text(aggregation)
        self.log = open(self.dir / 'stoker.log', 'w+')
        self.process = None

    def _choose_ports(self):
        """Free loopback ports for every listener, and the config file that names them."""
        cache_keys, extra_sections, statsd_keys, api_keys = self.settings
        self.ports = dict(zip(self.PORT_KINDS, free_ports(self.PORT_KINDS.values())))
        statsd = {
            'address': '127.0.0.1', 'port': self.ports['statsd'],
            'tcp_address': '127.0.0.1', 'tcp_port': self.ports['statsd_tcp'],
            'mgmt_address': '127.0.0.1', 'mgmt_port': self.ports['statsd_admin'],
            'flushInterval': 1000,
        }
        statsd.update(statsd_keys)
        if statsd['tcp_port'] is None:
            # statsd's TCP input follows `port`: one number free for both kinds
            del statsd['tcp_port']
            self.ports['statsd'] = self.ports['statsd_tcp'] = free_port_for_udp_and_tcp()
            statsd['port'] = self.ports['statsd']
        keys = {
            'LOCAL_DATA_DIR': str(self.data),
            'STORAGE_DIR': str(self.dir / 'storage'),
            'LINE_RECEIVER_INTERFACE': '127.0.0.1', 'LINE_RECEIVER_PORT': self.ports['line'],
            'ENABLE_UDP_LISTENER': 'True', 'UDP_RECEIVER_INTERFACE': '127.0.0.1', 'UDP_RECEIVER_PORT': self.ports['udp'],
            'PICKLE_RECEIVER_INTERFACE': '127.0.0.1', 'PICKLE_RECEIVER_PORT': self.ports['pickle'],
            'CACHE_QUERY_INTERFACE': '127.0.0.1', 'CACHE_QUERY_PORT': self.ports['query'],
            'CARBON_METRIC_INTERVAL': '0',
            'WHISPER_FALLOCATE_CREATE': 'False', 'WHISPER_SPARSE_CREATE': 'True',
        }
        keys.update(cache_keys)
        api = {'interface': '127.0.0.1', 'port': self.ports['api']}
        api.update(api_keys)
        text = ('[cache]\n' + ''.join('%s = %s\n' % kv for kv in keys.items())
                + '[statsd]\n' + ''.join('%s = %s\n' % kv for kv in statsd.items())
                + '[api]\n' + ''.join('%s = %s\n' % kv for kv in api.items()) + extra_sections)
        self.config = self.dir / 'stoker.conf'
        self.config.write_text(text)

    @staticmethod
    def binary():
        return os.environ.get('STOKER_BIN', str(ROOT / '.build' / 'debug' / 'stoker'))

    def run_expecting_exit(self, timeout=60):
        """Runs serve with this config where it must exit by itself (a refused config)."""
        return subprocess.run([self.binary(), 'serve', '--config', str(self.config)],
                              capture_output=True, text=True, timeout=timeout, cwd=str(self.dir))

    def start(self, preexec_fn=None, wrapper=()):
        """preexec_fn runs in the child before exec (resource limits, signal dispositions);
        `wrapper` is a command line the server runs under (strace).
        A port taken between choosing it and binding it (another test's client, a port chosen
        twice across kinds) gets new ports and another start, up to three times."""
        for attempt in range(3):
            self.log_offset = len(self.output())
            self.process = subprocess.Popen(list(wrapper) + [self.binary(), 'serve', '--config', str(self.config)],
                                            stdout=self.log, stderr=subprocess.STDOUT, cwd=str(self.dir),
                                            preexec_fn=preexec_fn)
            try:
                # every listener, UDP ones included, is bound once the startup line is logged
                wait_for(lambda: self._started(), what='startup line')
                return self
            except AssertionError:
                if attempt == 2 or 'Address already in use' not in self.output()[self.log_offset:]:
                    raise
                self.process.wait(timeout=30)
                self._choose_ports()

    def _started(self):
        if self.process.poll() is not None:
            raise AssertionError('stoker exited early:\n' + self.output())
        return 'event=started' in self.output()[self.log_offset:]

    def _accepts(self, port):
        if self.process.poll() is not None:
            raise AssertionError('stoker exited early:\n' + self.output())
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def output(self):
        self.log.flush()
        return (self.dir / 'stoker.log').read_text(errors='replace')

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        return self.process.returncode

    def wsp(self, metric):
        return self.data / (metric.replace('.', '/') + '.wsp')


DEFAULT_SCHEMAS = '[default]\npattern = .*\nretentions = 1s:10m,60s:1d\n'


@pytest.fixture
def stoker_factory(tmp_path):
    started = []

    def make(cache_keys=None, schemas=DEFAULT_SCHEMAS, aggregation='', extra_sections='', start=True, statsd_keys=None,
             api_keys=None):
        instance = Stoker(tmp_path, cache_keys or {}, schemas, aggregation, extra_sections, statsd_keys or {}, api_keys)
        started.append(instance)
        return instance.start() if start else instance

    yield make
    for instance in started:
        code = instance.stop()
        assert code == 0, 'stoker exited with %s:\n%s' % (code, instance.output())


@pytest.fixture
def stoker(stoker_factory):
    return stoker_factory()
