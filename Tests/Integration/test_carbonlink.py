"""Carbonlink: queries as graphite-web sends them (highest pickle protocol), answers pickled
with protocol 2 as carbon answers."""
import pickle
import time

import whisper

from carbon_peers import Carbonlink, send_lines
from conftest import wait_for


def test_cache_query_answers_cached_points_in_arrival_order(stoker_factory):
    # a long update interval keeps the points in the cache while we ask
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    now = int(time.time())
    link = Carbonlink(stoker.ports['query'])
    # one update token is spent on the first metric, so query a second one
    send_lines(stoker.ports['line'], ['first.metric 0 %d\n' % now, 'cl.a 2 %d\n' % now, 'cl.a 1 %d\n' % (now - 5)])
    answer, raw = wait_for(lambda: (lambda a: a if len(a[0]['datapoints']) == 2 else None)(
        link.request({'type': 'cache-query', 'metric': 'cl.a'})), what='cached points')
    assert answer == {'datapoints': [(now, 2.0), (now - 5, 1.0)]}
    assert raw[:2] == b'\x80\x02', 'answers are protocol 2'
    # unknown metric: empty list, and no entry is created
    answer, _ = link.request({'type': 'cache-query', 'metric': 'no.such.metric'})
    assert answer == {'datapoints': []}
    answer, _ = link.request({'type': 'cache-query-bulk', 'metrics': ['cl.a', 'none.x']})
    assert answer == {'datapointsByMetric': {'cl.a': [(now, 2.0), (now - 5, 1.0)], 'none.x': []}}
    answer, _ = link.request({'type': 'bogus'})
    assert answer == {'error': 'Invalid request type "bogus"'}
    link.close()
    # protocol 2 requests with py2-style str keys work too
    link2 = Carbonlink(stoker.ports['query'], protocol=2)
    answer, _ = link2.request({'type': 'cache-query', 'metric': 'cl.a'})
    assert len(answer['datapoints']) == 2
    link2.close()


def test_metadata(stoker):
    now = int(time.time())
    send_lines(stoker.ports['line'], ['meta.m 1 %d\n' % now])
    wait_for(lambda: stoker.wsp('meta.m').exists())
    link = Carbonlink(stoker.ports['query'])
    answer, _ = link.request({'type': 'get-metadata', 'metric': 'meta.m', 'key': 'aggregationMethod'})
    assert answer == {'value': 'average'}
    answer, _ = link.request({'type': 'set-metadata', 'metric': 'meta.m', 'key': 'aggregationMethod', 'value': 'max'})
    assert answer == {'old_value': 'average', 'new_value': 'max'}
    assert whisper.info(str(stoker.wsp('meta.m')))['aggregationMethod'] == 'max'
    answer, _ = link.request({'type': 'get-metadata', 'metric': 'missing.m', 'key': 'aggregationMethod'})
    assert 'error' in answer
    link.close()


def test_oversized_request_closes_only_that_connection(stoker):
    """A request declaring more than 32 MiB is refused before its body is read; others go on."""
    import socket
    import struct
    with socket.create_connection(('127.0.0.1', stoker.ports['query']), timeout=5) as s:
        s.sendall(struct.pack('!L', (32 << 20) + 1))
        assert s.recv(1) == b'', 'the server closes the connection'
    link = Carbonlink(stoker.ports['query'])
    answer, _ = link.request({'type': 'cache-query', 'metric': 'still.served'})
    assert answer == {'datapoints': []}
    link.close()
