"""systemd's notify protocol, as `Type=notify` in deploy/systemd/stoker.service relies on it:
READY=1 once every listener is bound, then while stopping STATUS= lines and EXTEND_TIMEOUT_USEC=
for as long as the drain still writes points. The test plays systemd's side of the socket."""
import signal
import socket
import time
import uuid

from carbon_peers import Carbonlink, send_lines
from conftest import wait_for


class NotifySocket:
    """The datagram socket systemd would pass in NOTIFY_SOCKET."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.messages = []

    def receive(self, timeout):
        """Every message that arrives within `timeout` seconds of the previous one."""
        self.sock.settimeout(timeout)
        try:
            while True:
                self.messages.append(self.sock.recv(4096).decode())
        except socket.timeout:
            return self.messages

    def wait_for(self, field, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(field in m.split('\n') for m in self.messages):
                return
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                break
        raise AssertionError('no %s among %r' % (field, self.messages))


def test_ready_after_listeners_then_drain_progress_extends_the_stop_timeout(stoker_factory, tmp_path, monkeypatch):
    address = str(tmp_path / 'notify')
    notify = NotifySocket(address)
    monkeypatch.setenv('NOTIFY_SOCKET', address)
    # nothing is written while serving; the drain at the stop writes 500 metrics a second
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': '500',
                             'WAL_DIR': str(tmp_path / 'wal')}, start=False)
    stoker.start()
    notify.wait_for('READY=1')
    assert 'event=started' in stoker.output(), 'READY=1 only once every listener is up'
    for port in ('line', 'pickle', 'query', 'statsd_tcp', 'statsd_admin'):
        socket.create_connection(('127.0.0.1', stoker.ports[port]), timeout=5).close()
    ready = [m for m in notify.messages if 'READY=1' in m.split('\n')][0]
    assert 'STATUS=Serving: ' in ready

    now = int(time.time())
    count = 2500
    send_lines(stoker.ports['line'], ['first.metric 0 %d\n' % now])
    wait_for(lambda: stoker.wsp('first.metric').exists(), what='the update token spent')
    send_lines(stoker.ports['line'], ['drain.m%d 1 %d\n' % (i, now) for i in range(count)])
    link = Carbonlink(stoker.ports['query'])
    wait_for(lambda: link.request({'type': 'cache-query', 'metric': 'drain.m%d' % (count - 1)})[0]['datapoints'],
             what='every point cached')
    link.close()

    stoker.process.send_signal(signal.SIGTERM)
    notify.receive(timeout=30)
    assert stoker.process.wait(timeout=60) == 0, stoker.output()[-3000:]
    fields = [field for message in notify.messages for field in message.split('\n')]
    assert 'STOPPING=1' in fields
    left = [f for f in fields if f.startswith('STATUS=Stopping: writing the cache to disk, ')]
    assert len(left) >= 2, fields
    assert 'EXTEND_TIMEOUT_USEC=30000000' in fields, fields
    assert fields.index('STOPPING=1') < fields.index('EXTEND_TIMEOUT_USEC=30000000')
    written = sum(1 for _ in (stoker.data / 'drain').iterdir())
    assert written == count, 'every cached point written before exit'


def test_abstract_notify_socket(stoker_factory, monkeypatch):
    """NOTIFY_SOCKET=@name is Linux's abstract namespace (systemd uses it for user services)."""
    name = 'stoker-test-%s' % uuid.uuid4().hex
    notify = NotifySocket('\0' + name)
    monkeypatch.setenv('NOTIFY_SOCKET', '@' + name)
    stoker_factory()
    notify.wait_for('READY=1')

