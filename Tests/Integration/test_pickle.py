"""Pickle receiver: batches shaped exactly as carbon-relay sends them; code never runs."""
import pickle
import socket
import struct
import time

from carbon_peers import fetch, relay_frame, send_lines, send_pickle
from conftest import wait_for


def test_relay_batch_protocol_2(stoker):
    now = int(time.time())
    batch = [('p.a', (now - 1, 1.5)), ('p.a', (now, 2.5)), ('p.b', [now, 3]), ('p.c', (str(now), '4.5'))]
    send_pickle(stoker.ports['pickle'], [relay_frame(batch)])
    wait_for(lambda: all(stoker.wsp(m).exists() for m in ('p.a', 'p.b', 'p.c')), what='pickled metrics')
    wait_for(lambda: len(fetch(stoker.wsp('p.a'))) == 2)
    assert fetch(stoker.wsp('p.a')) == {now - 1: 1.5, now: 2.5}
    assert fetch(stoker.wsp('p.b')) == {now: 3.0}
    assert fetch(stoker.wsp('p.c')) == {now: 4.5}


def test_every_protocol_and_many_frames_per_connection(stoker):
    now = int(time.time())
    frames = [relay_frame([('proto.p%d' % p, (now, float(p)))], protocol=p) for p in range(0, 6)]
    send_pickle(stoker.ports['pickle'], frames)
    for p in range(0, 6):
        wait_for(lambda: stoker.wsp('proto.p%d' % p).exists(), what='protocol %d' % p)


def test_global_is_refused_and_server_keeps_serving(stoker, tmp_path):
    marker = tmp_path / 'pwned'
    evil = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    with socket.create_connection(('127.0.0.1', stoker.ports['pickle'])) as s:
        s.sendall(struct.pack('!L', len(evil)) + evil)
        # the same connection still works after the refused frame
        now = int(time.time())
        s.sendall(relay_frame([('after.evil', (now, 1.0))]))
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
    wait_for(lambda: stoker.wsp('after.evil').exists(), what='metric after a refused frame')
    assert not marker.exists()
    assert 'invalid_pickle' in stoker.output()


def test_bad_entries_are_skipped(stoker):
    now = int(time.time())
    batch = [('ok.one', (now, 1)), ('bad.none', (now, None)), 'notatuple', ('bad.str', (now, 'abc')), ('ok.two', (now, 2))]
    send_pickle(stoker.ports['pickle'], [relay_frame(batch)])
    wait_for(lambda: stoker.wsp('ok.one').exists() and stoker.wsp('ok.two').exists())
    assert not stoker.wsp('bad.none').exists()
    assert not stoker.wsp('bad.str').exists()


def test_oversized_frame_closes_only_that_connection(stoker_factory):
    stoker = stoker_factory({'PICKLE_RECEIVER_MAX_LENGTH': 1000})
    with socket.create_connection(('127.0.0.1', stoker.ports['pickle'])) as s:
        s.sendall(struct.pack('!L', 5000) + b'\x80' * 100)
        assert s.recv(1) == b''  # closed by Stoker
    now = int(time.time())
    send_lines(stoker.ports['line'], ['still.alive 1 %d\n' % now])
    send_pickle(stoker.ports['pickle'], [relay_frame([('pickle.alive', (now, 1))])])
    wait_for(lambda: stoker.wsp('still.alive').exists() and stoker.wsp('pickle.alive').exists())
