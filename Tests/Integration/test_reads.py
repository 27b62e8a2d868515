"""Stoker's read API as graphite-web's cluster members (docs/reads.md): a front graphite-web
(Debian's, unmodified) with CLUSTER_SERVERS = two Stokers on separate data directories behind
carbon-c-relay, no shared directory and no graphite-web beside them, must render exactly what a
graphite-web reading the same files locally (with carbonlink) renders."""
import json
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from carbon_peers import Carbonlink, send_lines
from conftest import Stoker, wait_for
from graphite_web import GraphiteWeb, require_graphite_web
from test_scale_out import Relay, require_relay

SCHEMAS = '[default]\npattern = .*\nretentions = 10s:30m,60s:6h,10m:7d\n'
AGGREGATION = ('[counts]\npattern = \\.count$\nxFilesFactor = 0\naggregationMethod = sum\n'
               '[default]\npattern = .*\nxFilesFactor = 0.3\naggregationMethod = average\n')
# Points younger than this stay in the cache (MIN_TIMESTAMP_LAG with the timesorted strategy):
# the newest minutes of every series are served from the cache, the rest from the files.
LAG = 600


def api_get(stoker, path, **query):
    """(status, content type, body bytes) of a GET on Stoker's [api] port."""
    url = 'http://127.0.0.1:%d%s?%s' % (stoker.ports['api'], path, urllib.parse.urlencode(query, doseq=True))
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.headers.get('Content-Type'), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get('Content-Type'), error.read()


def scrape(stoker):
    """The samples of GET /metrics, as python3-prometheus-client parses them."""
    from prometheus_client.parser import text_string_to_metric_families
    status, kind, body = api_get(stoker, '/metrics')
    assert status == 200 and kind.startswith('text/plain; version=0.0.4'), (status, kind)
    return [sample for family in text_string_to_metric_families(body.decode()) for sample in family.samples]


def cache_of(stoker, metric):
    link = Carbonlink(stoker.ports['query'])
    try:
        return link.request({'type': 'cache-query', 'metric': metric})[0]['datapoints']
    finally:
        link.close()


def series_names(rng):
    names = []
    for service in ('web', 'db', 'cache', 'queue'):
        for host in sorted(rng.sample(range(1, 13), 6)):
            for kind in ('cpu', 'mem', 'req.count', 'req.time'):
                names.append('reads.%s.h%02d.%s' % (service, host, kind))
    return names + ['reads.other', 'reads.other.deep.leaf', 'edge.a-b', 'edge.x_y']


@pytest.fixture
def cluster(tmp_path):
    require_relay()
    require_graphite_web()
    stokers = {}
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        stokers[name] = Stoker(tmp_path / name, {'CACHE_WRITE_STRATEGY': 'timesorted', 'MIN_TIMESTAMP_LAG': LAG}, SCHEMAS, AGGREGATION, '', {'enabled': 'false'})
        stokers[name].start()
    relay = Relay(tmp_path / 'relay', {n: stokers[n].ports['line'] for n in ('a', 'b')}).start()
    webs = []
    yield stokers, relay, webs
    for web in webs:
        web.stop()
    relay.stop()
    for stoker in stokers.values():
        assert stoker.stop() == 0, stoker.output()


def owner(stokers, name):
    held = [s for s in stokers.values() if s.wsp(name).exists()]
    return held[0] if len(held) == 1 else None


def fill(stokers, relay, rng, names):
    """Old points (files), then the newest five minutes of half the series (cache only);
    returns the time the renders take as `now`."""
    now = int(time.time())
    history = []
    for name in names:
        stamps = {now - rng.randint(LAG + 60, 7 * 86400) for _ in range(40)}
        stamps |= set(range(now - 25 * 60, now - LAG - 60, 10 * rng.randint(1, 3)))
        for ts in sorted(stamps):
            value = rng.choice([float(rng.randint(0, 50)), round(rng.uniform(-1000, 1000), 3)])
            history.append('%s %r %d\n' % (name, value, ts))
    rng.shuffle(history)
    send_lines(relay.port, history)
    wait_for(lambda: all(owner(stokers, n) is not None and not cache_of(owner(stokers, n), n) for n in names),
             timeout=180, interval=0.5, what='every old point written')
    recent = {}
    now = int(time.time())
    for name in names[::2]:
        stamps = range(now - 300, now, 10)
        recent[name] = ['%s %r %d\n' % (name, float(rng.randint(0, 9)), ts) for ts in stamps if rng.random() < 0.8]
    send_lines(relay.port, [line for lines in recent.values() for line in lines])
    wait_for(lambda: all(len(cache_of(owner(stokers, n), n)) == len(lines) for n, lines in recent.items()),
             timeout=60, interval=0.2, what='the newest points in the caches')
    return now


def glob_of(name, rng, names):
    """A graphite path query matching `name` and some of its neighbours."""
    parts = name.split('.')
    depth = rng.randint(1, len(parts))
    parts = parts[:depth]
    for i in range(len(parts)):
        roll = rng.random()
        if roll < 0.3:
            parts[i] = '*'
        elif roll < 0.4:
            parts[i] = parts[i][:1] + '*'
        elif roll < 0.5:
            parts[i] = parts[i][:-1] + '?'
        elif roll < 0.6:
            others = sorted({n.split('.')[i] for n in names if len(n.split('.')) > i})
            parts[i] = '{%s,%s}' % (parts[i], rng.choice(others))
        elif roll < 0.65:
            parts[i] = '[%s%s]' % (parts[i][:1], 'xh') + parts[i][1:]
    return '.'.join(parts)


def test_a_front_graphite_web_over_two_stokers_answers_exactly_as_graphite_web_reading_the_files(cluster, tmp_path):
    stokers, relay, webs = cluster
    rng = random.Random(20261206)
    names = series_names(rng)
    now = fill(stokers, relay, rng, names)

    local = GraphiteWeb(tmp_path / 'local', [stokers['a'].data, stokers['b'].data],
                        ['127.0.0.1:%d:%s' % (stokers[n].ports['query'], n) for n in ('a', 'b')])
    (tmp_path / 'front-data').mkdir()
    front = GraphiteWeb(tmp_path / 'front', [tmp_path / 'front-data'], [],
                        cluster_servers=['127.0.0.1:%d' % stokers[n].ports['api'] for n in ('a', 'b')])
    webs += [local, front]
    local.start()
    front.start()

    # The whole tree, then seeded globs, as graphite-web's finders answer them.
    for query in ['*', 'reads.*', 'reads.*.*', 'reads.*.*.*.*', 'reads.**', 'edge.*', 'nothing.*']:
        assert front.find_paths(query) == local.find_paths(query), query
    queries = sorted({glob_of(rng.choice(names), rng, names) for _ in range(200)})
    for query in queries:
        expected = local.find_paths(query)
        assert front.find_paths(query) == expected, query
        assert sorted(map(json.dumps, front.find(query))) == sorted(map(json.dumps, local.find(query))), query
    assert len(front.find_paths('reads.*.*.*.*')) == 4 * 6 * 2

    # Renders: windows that pick each archive, gaps, points only in the cache, functions
    # evaluated by graphite-web over series from both Stokers.
    windows = [('-20min', 'now'), ('-15min', '-5min'), ('-3h', '-1h'), ('-5h', 'now'), ('-2d', '-1d'),
               ('-6d', 'now'), ('-8d', '-7d'), ('-1min', 'now')]
    targets = [glob_of(rng.choice(names), rng, names) for _ in range(110)]
    targets += ['sumSeries(reads.*.*.req.count)', 'averageSeries(reads.web.*.cpu)', 'maxSeries(reads.*.h0*.mem)',
                'countSeries(reads.**)', 'reads.other', 'reads.*.*.req.{count,time}']
    rendered = 0
    for target in targets:
        since, until = rng.choice(windows)
        query = {'target': target, 'format': 'json', 'from': since, 'until': until, 'now': str(now)}
        expected = local.get('/render', **query)
        answer = front.get('/render', **query)
        assert answer == expected, (target, since, until)
        rendered += sum(1 for s in expected for v, _ in s['datapoints'] if v is not None)
    assert rendered > 1000, 'the renders compared too few points to mean anything'

    # Tagged series spread over both nodes by the relay (carbon-c-relay hashes a tagged name by
    # its metric part, so each series gets a name of its own): seriesByTag resolved by each
    # Stoker's own tag index, summed and grouped by the front. Older than the lag, so the
    # writers store them and report them to the tag index.
    tagged = {'api.lat%02d;dc=%s;host=h%02d' % (h, dc, h): float(h) for dc in ('eu', 'us') for h in range(12)}
    stamp = now - LAG - 120
    send_lines(relay.port, ['%s %r %d\n' % (name, value, stamp) for name, value in tagged.items()])
    def indexed(stoker):
        return len(json.loads(api_get(stoker, '/tags/findSeries', expr='name=~api\\.lat')[2]))
    wait_for(lambda: sum(indexed(s) for s in stokers.values()) == 24, timeout=60, interval=0.2,
             what='tagged series indexed on both nodes')
    assert all(indexed(s) for s in stokers.values()), 'the relay put every tagged series on one node'
    slot = stamp - stamp % 10
    summed = front.get('/render', target="sumSeries(seriesByTag('name=~api\\.lat','dc=eu'))", format='json',
                       **{'from': '-20min', 'now': str(now)})
    assert [v for v, ts in summed[0]['datapoints'] if ts == slot] == [sum(v for n, v in tagged.items() if 'dc=eu' in n)]
    grouped = front.get('/render', target="groupByTags(seriesByTag('name=~api\\.lat'),'max','dc')", format='json',
                        **{'from': '-20min', 'now': str(now)})
    assert {s['target']: [v for v, ts in s['datapoints'] if ts == slot] for s in grouped} == \
        {'max;dc=eu': [11.0], 'max;dc=us': [11.0]}

    # graphite-web's cluster client itself, in every format it can be told to use.
    for fmt in ('pickle', 'msgpack'):
        for stoker in stokers.values():
            status, kind, body = api_get(stoker, '/metrics/find/', query='reads.*', format=fmt, local='1')
            assert status == 200 and kind == ('application/pickle' if fmt == 'pickle' else 'application/x-msgpack')


def test_metrics_still_waiting_for_their_file_are_found_and_rendered(stoker_factory, tmp_path):
    """With MAX_CREATES_PER_MINUTE = 1 new metrics wait in the cache for their file; Stoker's
    find and render already show them (graphite-web reading the files cannot)."""
    require_graphite_web()
    stoker = stoker_factory(cache_keys={'MAX_CREATES_PER_MINUTE': '1'},
                            schemas='[default]\npattern = .*\nretentions = 10s:1h\n')
    now = int(time.time())
    names = ['fresh.m%d' % i for i in range(5)]
    send_lines(stoker.ports['line'], ['%s %d %d\n' % (n, i + 1, now - 30) for i, n in enumerate(names)])

    def found():
        status, _, body = api_get(stoker, '/metrics/find/', query='fresh.*', format='json')
        answer = json.loads(body)
        return answer if status == 200 and len(answer) == 5 else None
    answer = wait_for(found, timeout=30, interval=0.2, what='five leaves found')
    assert all(node['is_leaf'] for node in answer)
    on_disk = [n for n in names if stoker.wsp(n).exists()]
    assert len(on_disk) == 1, 'one create token a minute: one file, four waiting'

    status, _, body = api_get(stoker, '/render/', target='fresh.*', format='json', **{'from': '-5min', 'now': str(now)})
    assert status == 200
    values = {s['target']: [v for v, _ in s['datapoints'] if v is not None] for s in json.loads(body)}
    assert values == {n: [float(i + 1)] for i, n in enumerate(names)}

    (tmp_path / 'front-data').mkdir()
    front = GraphiteWeb(tmp_path / 'front', [tmp_path / 'front-data'], [],
                        cluster_servers=['127.0.0.1:%d' % stoker.ports['api']]).start()
    local = GraphiteWeb(tmp_path / 'local', [stoker.data], ['127.0.0.1:%d:a' % stoker.ports['query']]).start()
    try:
        assert sorted(front.find_paths('fresh.*')) == names
        assert sorted(local.find_paths('fresh.*')) == on_disk
        assert front.render('sumSeries(fresh.*)', since='-5min') == {'sumSeries(fresh.*)': {now - 30 - (now - 30) % 10: 15.0}}
    finally:
        front.stop()
        local.stop()


def test_bad_requests_get_a_clear_4xx_and_nothing_else_is_lost(stoker_factory):
    stoker = stoker_factory(api_keys={'max_series_per_request': 20, 'max_request_bytes': 4096,
                                      'max_concurrent_requests': 2})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['many.m%02d 1 %d\n' % (i, now) for i in range(30)] + ['keep.me 7 %d\n' % now])
    wait_for(lambda: stoker.wsp('keep.me').exists() and len(list((stoker.data / 'many').glob('*.wsp'))) == 30,
             what='files written')

    cases = [
        (('/metrics/find/', {}), 400, b"missing required parameter 'query'"),
        (('/metrics/find/', {'query': ''}), 400, b'is empty'),
        (('/metrics/find/', {'query': 'x', 'format': 'png'}), 400, b"Invalid value for 'format' parameter"),
        (('/metrics/find/', {'query': 'many.*'}), 422, b'matches more than 20 series'),
        (('/metrics/find/', {'query': '{a,b}' * 20}), 400, b'brace variants'),
        (('/metrics/find/', {'query': 'x', 'from': 'yesterday noon'}), 400, b"parameter 'from'"),
        (('/render/', {'target': 'sumSeries(keep.*)', 'format': 'json'}), 400, b'evaluates no functions'),
        (('/render/', {'target': 'keep.me', 'format': 'png'}), 400, b'data only'),
        (('/render/', {'target': 'keep.me', 'format': 'json', 'from': '-1h', 'until': '-1h'}), 400, b'Invalid empty time range'),
        (('/render/', {'target': 'many.*', 'format': 'json'}), 422, b'matches more than 20 series'),
        (('/render/', {'target': 'x' * 5000, 'format': 'json'}), 413, b'max_request_bytes'),
        (('/nothing/here', {}), 404, b'not found'),
    ]
    for (path, query), status, message in cases:
        got, kind, body = api_get(stoker, path, **query)
        assert (got, message in body) == (status, True), (path, query, got, body)
        assert kind.startswith('text/plain')

    # Path tricks find nothing outside the data directory.
    for query in ['..', '..*', '*/..', '%2e%2e', '../../etc/passwd', '\\.\\.']:
        status, _, body = api_get(stoker, '/metrics/find/', query=query, format='json')
        assert (status, json.loads(body)) == (200, []), query

    # A flood of concurrent requests: each is answered (200 or 503 busy), none hangs.
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: api_get(stoker, '/render/', target='many.m0*', format='json')[0], range(64)))
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses

    # ... and the server still serves everything else.
    status, _, body = api_get(stoker, '/render/', target='keep.me', format='json', **{'from': '-5min'})
    assert status == 200 and [v for v, _ in json.loads(body)[0]['datapoints'] if v is not None] == [7.0]


def test_health_tells_starting_serving_and_draining(stoker_factory):
    """Under strace, every bind after the first (the [api] listener's) is held back half a
    second: /health answers 503 `starting` until the last listener is up, 200 while serving,
    503 `draining` from SIGTERM until the cache is on disk."""
    import shutil
    import threading
    strace = shutil.which('strace')
    if not strace:
        from conftest import missing_reference
        missing_reference('strace is not installed (apt-get install strace; `make test` does it)')
    stoker = stoker_factory(cache_keys={'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': '4', 'CACHE_WRITE_STRATEGY': 'timesorted',
                                        'MIN_TIMESTAMP_LAG': '3600'}, start=False)
    seen = []

    def poll():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (seen and seen[-1][0] == 200):
            try:
                status, _, body = api_get(stoker, '/health')
                seen.append((status, body))
            except OSError:
                pass
            time.sleep(0.02)
    poller = threading.Thread(target=poll)
    poller.start()
    stoker.start(wrapper=[strace, '-f', '-qq', '-o', '/dev/null', '-e', 'trace=bind', '-e', 'inject=bind:delay_enter=500000:when=2+'])
    poller.join()
    assert (503, b'starting\n') in seen, seen[:5]
    assert seen[-1][0] == 200
    assert api_get(stoker, '/health')[:1] == (200,)
    now = int(time.time())
    send_lines(stoker.ports['line'], ['slow.m%02d 1 %d\n' % (i, now) for i in range(24)])
    wait_for(lambda: len(cache_of(stoker, 'slow.m23')) == 1, what='points cached')
    # the signal goes to the server itself, strace's child
    import subprocess
    server = int(subprocess.run(['pgrep', '-P', str(stoker.process.pid)], capture_output=True, text=True).stdout.split()[0])
    os.kill(server, 15)
    # four updates a second on shutdown: the drain of 24 metrics takes ~6 s, /health says so
    draining = wait_for(lambda: (lambda s: s if s[0] == 503 else None)(api_get(stoker, '/health')), timeout=10,
                        interval=0.05, what='503 while draining')
    assert draining[2] == b'draining\n'
    assert stoker.process.wait(timeout=90) == 0


def test_metrics_read_by_prometheus_client_equal_what_was_sent(stoker_factory):
    stoker = stoker_factory(statsd_keys={'flushInterval': 500})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['prom.m%d %d %d\n' % (i, i, now) for i in range(25)])
    with socket.create_connection(('127.0.0.1', stoker.ports['statsd_tcp'])) as s:
        s.sendall(b''.join(b'prom.requests:1|c\n' for _ in range(7)) + b'prom.bad line\n')

    def values():
        return {sample.name: sample.value for sample in scrape(stoker)}
    # statsd counts every line it reads as received, the bad one too (as Etsy statsd does)
    values = wait_for(lambda: (lambda v: v if v.get('stoker_statsd_metrics_received_total') == 8
                               and v['stoker_carbon_committed_points_total'] >= 25 else None)(values()),
                      timeout=30, interval=0.2, what='statsd lines and points counted')
    assert values['stoker_statsd_bad_lines_seen_total'] == 1
    assert values['stoker_carbon_metrics_received_total'] >= 25
    assert values['stoker_carbon_creates_total'] >= 25
    assert values['stoker_index_leaves'] >= 25
    assert values['stoker_process_resident_memory_bytes'] > 1e6
    assert values['stoker_api_requests_total'] == 0, 'scrapes are not read requests'
    # the timestamp the last flush stamped its datapoints with, moving on with the flushes
    stamp = values['stoker_statsd_last_flush_timestamp_seconds']
    assert now - 1 <= stamp <= time.time() + 1
    wait_for(lambda: {sample.name: sample.value for sample in scrape(stoker)}['stoker_statsd_last_flush_timestamp_seconds'] > stamp,
             timeout=10, interval=0.2,
             what='a later flush timestamp')


def chromium(*arguments):
    import shutil
    import subprocess
    binary = shutil.which('chromium')
    if not binary:
        from conftest import missing_reference
        missing_reference('chromium is not installed (apt-get install chromium; `make test` does it)')
    return subprocess.run([binary, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                           '--user-data-dir=/tmp/stoker-chromium-%d' % os.getpid()] + list(arguments),
                          capture_output=True, text=True, timeout=120)


def test_status_page_in_chromium_shows_the_numbers_of_metrics(stoker_factory, tmp_path):
    stoker = stoker_factory(cache_keys={'CACHE_WRITE_STRATEGY': 'timesorted', 'MIN_TIMESTAMP_LAG': '3600'},
                            statsd_keys={'enabled': 'false'})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['page.busy %d %d\n' % (i, now - i) for i in range(30)]
               + ['page.quiet%d 1 %d\n' % (i, now) for i in range(3)])
    wait_for(lambda: len(cache_of(stoker, 'page.busy')) == 30, what='points cached')
    url = 'http://127.0.0.1:%d/' % stoker.ports['api']
    page = chromium('--virtual-time-budget=5000', '--dump-dom', url)
    assert page.returncode == 0, page.stderr
    shown = {}
    for element_id in ('stoker_carbon_cache_size', 'stoker_carbon_cache_queues', 'stoker_carbon_metrics_received_total',
                       'stoker_carbon_committed_points_total', 'stoker_index_waiting_for_create'):
        import re
        match = re.search(r'id="%s">([^<]*)<' % element_id, page.stdout)
        assert match, (element_id, page.stdout[:3000])
        shown[element_id] = float(match.group(1).replace(',', ''))
    metrics = {s.name: s.value for s in scrape(stoker)}
    assert shown == {k: metrics[k] for k in shown}
    assert shown['stoker_carbon_cache_size'] == 33 and shown['stoker_carbon_cache_queues'] == 4
    assert '<td>page.busy</td><td class="n">30</td>' in page.stdout
    screenshot = tmp_path / 'status.png'
    shot = chromium('--virtual-time-budget=5000', '--window-size=1200,900', '--screenshot=%s' % screenshot, url)
    assert shot.returncode == 0 and screenshot.stat().st_size > 10000, shot.stderr
    # the page has no external asset: every src/href is local
    assert 'http' not in page.stdout.replace(url, '').split('<script>')[0]
