"""DogStatsD clients as they are today: datagrams exactly as the official Python client
(`datadog` on PyPI, its DogStatsd class) sends them, over UDP and over the Unix socket, with
constant tags, a container id, client timestamps, events and service checks; read back from
the whisper files and from graphite-web's events API."""
import hashlib
import json
import time
import urllib.request

from datadog.dogstatsd import DogStatsd

from conftest import points, wait_for
from graphite_web import GraphiteWeb
from test_statsd import admin

STAMP = 1700000040  # a whole minute: its slot in the 60-second archive
SCHEMAS = '[stamped]\npattern = .\nretentions = 1s:10m,60s:5y\n'


def tagged_wsp(stoker, name):
    """carbon's file for a tagged series: the hash of its normalised name (tags sorted)."""
    metric, *tags = name.split(';')
    normalised = ';'.join([metric] + sorted(tags))
    digest = hashlib.sha256(normalised.encode()).hexdigest()
    return stoker.data / '_tagged' / digest[:3] / digest[3:6] / (digest + '.wsp')


def client(**kwargs):
    return DogStatsd(constant_tags=['env:test'], container_id='3e7a1b', disable_telemetry=True, **kwargs)


def test_datadog_client_over_udp_metrics_timestamps_service_checks_and_events(stoker_factory, tmp_path):
    web = GraphiteWeb(tmp_path / 'web', [tmp_path / 'whisper'], []).start()
    try:
        stoker = stoker_factory({'GRAPHITE_URL': 'http://127.0.0.1:%d' % web.port}, schemas=SCHEMAS)
        statsd = client(host='127.0.0.1', port=stoker.ports['statsd'])
        for _ in range(3):
            statsd.increment('dd.views', tags=['page:home'])
        for value in (10, 20, 30):
            statsd.histogram('dd.latency', value)
        statsd.gauge('dd.queue', 7)
        statsd.set('dd.users', 'alice')
        statsd.count_with_timestamp('dd.sold', 4, STAMP)
        statsd.gauge_with_timestamp('dd.temperature', 21.5, STAMP)
        statsd.service_check('db.up', DogStatsd.CRITICAL, tags=['role:primary'], hostname='db1', message='lag | high')
        statsd.event('Deploy web', 'v2 is out\nsecond line', alert_type='info', tags=['svc:web'],
                     date_happened=STAMP + 60, hostname='web1')
        statsd.flush()

        # every kind of line was data, none a bad line
        views = tagged_wsp(stoker, 'stats_counts.dd.views;page=home;env=test')
        wait_for(lambda: sum(points(views, ahead=2).values()) == 3, what='the counter, container field ignored')
        latency = tagged_wsp(stoker, 'stats.timers.dd.latency.upper;env=test')
        wait_for(lambda: 30 in points(latency, ahead=2).values(), what='histogram samples as a timer')
        wait_for(lambda: 7 in points(tagged_wsp(stoker, 'stats.gauges.dd.queue;env=test'), ahead=2).values())
        wait_for(lambda: 1 in points(tagged_wsp(stoker, 'stats.sets.dd.users.count;env=test'), ahead=2).values())
        # client timestamps: points of their own at that time
        sold = tagged_wsp(stoker, 'stats_counts.dd.sold;env=test')
        wait_for(lambda: points(sold, seconds=10 ** 9, ahead=0).get(STAMP) == 4, what='the stamped count at its time')
        temperature = tagged_wsp(stoker, 'stats.gauges.dd.temperature;env=test')
        wait_for(lambda: points(temperature, seconds=10 ** 9).get(STAMP) == 21.5, what='the stamped gauge')
        # the service check: a gauge holding the status, with the check's tags and host
        check = tagged_wsp(stoker, 'stats.gauges.service_checks.db.up;role=primary;env=test;host=db1')
        wait_for(lambda: 2 in points(check, ahead=2).values(), what='the service check status')
        # the event, through graphite-web's events API
        def events():
            with urllib.request.urlopen('http://127.0.0.1:%d/events/get_data?from=%d&until=%d'
                                        % (web.port, STAMP, STAMP + 3600), timeout=10) as answer:
                return json.loads(answer.read())
        (event,) = wait_for(events, timeout=30, what='the event in graphite-web')
        assert event['what'] == 'Deploy web' and event['data'] == 'v2 is out\nsecond line'
        assert event['when'] == STAMP + 60
        assert set(event['tags']) == {'svc:web', 'env:test', 'host:web1', 'alert_type:info'}
        answer = admin(stoker, 'stats')
        assert 'bad_lines_seen: 0' in answer, answer
        stoker.stop()
        log = stoker.output()
        assert 'statsd_bad_line' not in log, log[-2000:]
    finally:
        web.stop()


def test_datadog_client_over_the_unix_socket(stoker_factory, tmp_path):
    path = tmp_path / 'dsd.socket'
    stoker = stoker_factory(statsd_keys={'unix_socket': str(path), 'unix_socket_mode': '0620'}, schemas=SCHEMAS)
    assert oct(path.stat().st_mode & 0o777) == '0o620'
    assert 'statsd-unix=%s' % path in stoker.output()
    statsd = client(socket_path=str(path))
    for _ in range(5):
        statsd.increment('uds.views')
    statsd.gauge_with_timestamp('uds.temperature', 19.0, STAMP)
    statsd.flush()
    views = tagged_wsp(stoker, 'stats_counts.uds.views;env=test')
    wait_for(lambda: sum(points(views, ahead=2).values()) == 5, what='counts over the Unix socket')
    temperature = tagged_wsp(stoker, 'stats.gauges.uds.temperature;env=test')
    wait_for(lambda: points(temperature, seconds=10 ** 9).get(STAMP) == 19.0, what='a stamped gauge over the socket')
    assert stoker.stop() == 0
    assert not path.exists(), 'the socket file is removed at the stop'


def test_events_without_graphite_url_are_counted(stoker_factory):
    stoker = stoker_factory(schemas=SCHEMAS)
    statsd = client(host='127.0.0.1', port=stoker.ports['statsd'])
    statsd.event('Nobody listens', 'text')
    statsd.flush()
    counter = stoker.wsp('stats_counts.statsd.events_received')
    wait_for(lambda: sum(points(counter, ahead=2).values()) == 1, what='the event counted')

