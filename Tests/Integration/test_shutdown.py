"""SIGTERM right after a burst: every accepted point is on disk (carbon loses the points of its
idle second)."""
import signal
import socket
import time

import whisper

from carbon_peers import fetch
from conftest import wait_for


def test_sigterm_after_burst_writes_everything(stoker_factory):
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '200', 'MAX_CREATES_PER_MINUTE': '60'})
    now = int(time.time())
    lines = ''.join('burst.m%d %d %d\n' % (i, i, now - (i % 5)) for i in range(2000))
    with socket.create_connection(('127.0.0.1', stoker.ports['line'])) as s:
        s.sendall(lines.encode())
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
    assert stoker.stop(signal.SIGTERM) == 0
    missing = [i for i in range(2000) if fetch(stoker.wsp('burst.m%d' % i)) != {now - (i % 5): float(i)}]
    assert missing == []
    assert 'event=drain_done' in stoker.output()
