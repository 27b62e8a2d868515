"""Plaintext protocol over TCP and UDP, read back from disk with whisper.py."""
import time

from carbon_peers import fetch, send_lines, send_udp
from conftest import wait_for


def test_tcp_lines_reach_disk(stoker):
    now = int(time.time())
    send_lines(stoker.ports['line'], [
        'a.b 1 %d\n' % (now - 3),
        'a.b\t9\t%d\n' % (now - 2),
        'a.b    19    %d   \n' % (now - 1),
        'a.c 1_000 %d\r\n' % now,
        'a.c 1e3 %d\n' % (now - 1),
        '~tilde.x 5 %d\n' % now,
    ])
    wait_for(lambda: stoker.wsp('a.b').exists() and len(fetch(stoker.wsp('a.b'))) == 3, what='a.b on disk')
    assert fetch(stoker.wsp('a.b')) == {now - 3: 1.0, now - 2: 9.0, now - 1: 19.0}
    wait_for(lambda: stoker.wsp('a.c').exists() and len(fetch(stoker.wsp('a.c'))) == 2)
    assert fetch(stoker.wsp('a.c')) == {now - 1: 1000.0, now: 1000.0}
    wait_for(lambda: stoker.wsp('tilde.x').exists(), what='~ stripped')


def test_bad_lines_are_skipped_not_fatal(stoker):
    now = int(time.time())
    send_lines(stoker.ports['line'], [
        b'bad.fields 11 %d extra\n' % now,
        b'bad.value 0x10 %d\n' % now,
        b'bad.utf8\xff 1 %d\n' % now,
        b'bad.ts 24 inf\n',
        b'nan.value nan %d\n' % now,
        b'x' * 20000 + b'\n',
        b'good.after 7 %d\n' % now,
        b'no.eol 1 %d' % now,
    ])
    wait_for(lambda: stoker.wsp('good.after').exists(), what='line after bad ones')
    assert fetch(stoker.wsp('good.after')) == {now: 7.0}
    for name in ('bad/fields', 'bad/value', 'bad/ts', 'nan/value', 'no/eol'):
        assert not (stoker.data / (name + '.wsp')).exists(), name
    assert 'reason=invalid_utf8' in stoker.output()
    assert 'reason=line_too_long' in stoker.output()


def test_minus_one_means_now(stoker):
    before = int(time.time())
    send_lines(stoker.ports['line'], ['now.metric 5 -1\n', 'now.other 6 -1.5\n'])
    wait_for(lambda: stoker.wsp('now.metric').exists() and fetch(stoker.wsp('now.metric')))
    (ts, value), = fetch(stoker.wsp('now.metric')).items()
    assert value == 5.0 and before <= ts <= int(time.time())


def test_udp_datagram_with_several_lines(stoker):
    now = int(time.time())
    send_udp(stoker.ports['udp'], b'u.a 1 %d\nu.b 2 %d\r\nu.c 3 %d' % (now, now, now))
    for name, value in (('u.a', 1.0), ('u.b', 2.0), ('u.c', 3.0)):
        wait_for(lambda: stoker.wsp(name).exists() and fetch(stoker.wsp(name)), what=name)
        assert fetch(stoker.wsp(name)) == {now: value}


def test_tagged_metric_goes_to_hashed_path(stoker):
    now = int(time.time())
    send_lines(stoker.ports['line'], ['t.tagged;b=2;a=1 4 %d\n' % now])
    path = stoker.data / '_tagged/beb/fb1/bebfb1bf398e394d6319ba2102a3829371dd4e5dec4e5d0b387fe1bc758a61a1.wsp'
    wait_for(path.exists, what='hashed tagged path')
    assert fetch(path) == {now: 4.0}
