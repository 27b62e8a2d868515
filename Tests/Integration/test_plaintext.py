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


def test_names_with_empty_components_land_in_carbons_file(stoker_factory):
    """carbon writes `.a.b` and `a..b` to `a/b.wsp`: after a migration the same traffic must
    keep landing there, under the name graphite-web asks carbonlink for. Tagged names are
    hashed as spelled, and nothing becomes a hidden file."""
    from carbon_peers import Carbonlink, relay_frame, send_pickle
    # a slow writer keeps the points in the cache long enough to ask carbonlink for them
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    now = int(time.time())
    # the writer's one update token goes to a first metric; nothing else is written until the stop
    send_lines(stoker.ports['line'], ['first.metric 0 %d\n' % now])
    wait_for(lambda: stoker.wsp('first.metric').exists(), what='the update token spent')
    send_lines(stoker.ports['line'], ['col.a 1 %d\n' % (now - 4), '.col.a 2 %d\n' % (now - 3),
                                      'col..a 3 %d\n' % (now - 2), 'col.a. 4 %d\n' % (now - 1)])
    send_pickle(stoker.ports['pickle'], [relay_frame([('..col...a..', (now, 5.0))])])
    link = Carbonlink(stoker.ports['query'])
    answer = wait_for(lambda: (lambda a: a if len(a['datapoints']) == 5 else None)(
        link.request({'type': 'cache-query', 'metric': 'col.a'})[0]), what='every spelling cached as col.a')
    assert sorted(answer['datapoints']) == [(now - 4 + i, float(i + 1)) for i in range(5)]
    link.close()
    assert stoker.output().count('event=metric_name_collapsed') == 4
    assert 'stored_as="col.a"' in stoker.output()
    assert stoker.stop() == 0
    assert fetch(stoker.wsp('col.a')) == {now - 4 + i: float(i + 1) for i in range(5)}
    hidden = [p for p in stoker.data.rglob('*') if p.name.startswith('.')]
    assert hidden == [], hidden
