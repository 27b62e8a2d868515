"""What a new user meets first: `stoker serve` with no configuration at all (`make run`), and a
second instance on the same host.

The no-config server listens on the real default ports (8125, 2003, ...) on every address, so it
runs in a network namespace of its own: its ports cannot clash with anything on the machine, and
the test's traffic reaches it on that namespace's loopback only."""
import os
import pathlib
import signal
import subprocess
import time

import pytest
import whisper

from carbon_peers import send_lines
from conftest import Stoker, points, wait_for


class Namespaced:
    """`stoker serve` with no arguments in a new network namespace, working directory `cwd`."""

    def __init__(self, cwd):
        if os.geteuid() != 0:
            pytest.skip('a network namespace of its own needs root (CI runs as root)')
        self.cwd = pathlib.Path(cwd)
        self.log = open(self.cwd / 'stoker.log', 'w+')
        self.process = subprocess.Popen(
            ['unshare', '--net', 'sh', '-c', 'ip link set lo up && exec "$0" serve', Stoker.binary()],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=str(self.cwd))
        wait_for(self._started, timeout=30, what='startup line')

    def output(self):
        self.log.flush()
        return (self.cwd / 'stoker.log').read_text(errors='replace')

    def _started(self):
        if self.process.poll() is not None:
            raise AssertionError('stoker exited early:\n' + self.output())
        return 'event=started' in self.output()

    def send(self, kind, port, payload):
        """Sends `payload` from inside the namespace to its 127.0.0.1:port."""
        program = ('import socket, sys\n'
                   's = socket.socket(socket.AF_INET, socket.%s)\n'
                   'if s.type == socket.SOCK_STREAM:\n'
                   '    s.connect(("127.0.0.1", %d)); s.sendall(sys.stdin.buffer.read())\n'
                   'else:\n'
                   '    for line in sys.stdin.buffer.read().splitlines(): s.sendto(line, ("127.0.0.1", %d))\n'
                   's.close()\n') % (kind, port, port)
        subprocess.run(['nsenter', '--net=/proc/%d/ns/net' % self.process.pid, '/usr/bin/python3', '-c', program],
                       input=payload, check=True, timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        return self.process.returncode


def test_no_config_stores_every_count_of_a_counter_across_flushes(tmp_path):
    """The README's quick start: with the embedded defaults a counter sent 5 times across two
    10-second flushes is stored as 5 (carbon's implicit 1-minute schema would keep only the
    last flush of each minute), and a plaintext point lands in carbon's 1-minute file."""
    server = Namespaced(tmp_path)
    try:
        started = server.output()
        for listener in ('plaintext=0.0.0.0:2003', 'pickle=0.0.0.0:2004', 'carbonlink=0.0.0.0:7002',
                         'statsd-udp=8125', 'statsd-tcp=8125', 'statsd-admin=8126'):
            assert listener in started, listener
        counter = tmp_path / 'storage' / 'whisper' / 'stats_counts' / 'page' / 'views.wsp'
        now = int(time.time())
        server.send('SOCK_DGRAM', 8125, b'page.views:1|c\n' * 3)
        server.send('SOCK_STREAM', 2003, b'hello.world 42 %d\n' % now)
        wait_for(lambda: sum(points(counter).values()) == 3, timeout=30, what='the first flush on disk')
        first = points(counter)
        server.send('SOCK_DGRAM', 8125, b'page.views:1|c\n' * 2)
        wait_for(lambda: sum(points(counter).values()) == 5, timeout=30, what='both flushes on disk, 5 in all')
        assert whisper.info(str(counter))['archives'][0]['secondsPerPoint'] == 10
        assert all(points(counter)[t] == v for t, v in first.items()), 'the first flush was not overwritten'
        assert whisper.info(str(counter))['aggregationMethod'] == 'sum'
        world = tmp_path / 'storage' / 'whisper' / 'hello' / 'world.wsp'
        wait_for(lambda: points(world), what='hello.world on disk')
        assert points(world) == {now - now % 60: 42.0}
        assert [a['secondsPerPoint'] for a in whisper.info(str(world))['archives']] == [60]
    finally:
        assert server.stop() == 0, server.output()[-3000:]


def test_two_instances_on_one_host_differ_only_in_port(tmp_path):
    """statsd's TCP input follows `port` unless `tcp_port` is set, so a second instance that
    only changes `port` starts beside the first, each taking TCP lines on its own port."""
    instances = []
    try:
        for name in ('a', 'b'):
            directory = tmp_path / name
            directory.mkdir()
            instance = Stoker(directory, {}, '[default]\npattern = .*\nretentions = 1s:10m\n', '', '',
                              {'tcp_port': None})
            instances.append(instance.start())
        a, b = instances
        assert a.ports['statsd'] != b.ports['statsd']
        for instance in instances:
            assert 'statsd-tcp=%d' % instance.ports['statsd'] in instance.output()
            send_lines(instance.ports['statsd'], ['tcp.lines:%d|c\n' % instance.ports['statsd']])
        for instance in instances:
            counter = instance.wsp('stats_counts.tcp.lines')
            wait_for(lambda: instance.ports['statsd'] in points(counter, ahead=2).values(), what='a counter over TCP')
    finally:
        for instance in instances:
            assert instance.stop() == 0, instance.output()[-3000:]
