"""Tags end to end (docs/reads.md §7): Stoker's tag index answers graphite-web's TagDB API as
graphite-web's own database does, survives restarts, serves graphite-web's HttpTagDB, and
resolves seriesByTag for a front graphite-web whose CLUSTER_SERVERS are Stokers."""
import itertools
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from carbon_peers import send_lines
from conftest import wait_for
from graphite_web import GraphiteWeb, require_graphite_web
from test_reads import api_get

SCHEMAS = '[default]\npattern = .*\nretentions = 10s:1h\n'


def post(url, fields):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    request = urllib.request.Request(url, data=body, method='POST',
                                     headers={'Content-Type': 'application/x-www-form-urlencoded'})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


def get(url, fields):
    try:
        with urllib.request.urlopen(url + '?' + urllib.parse.urlencode(fields, doseq=True), timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'null')


def tagged_series(rng, count=80):
    names = set()
    while len(names) < count:
        tags = {'host': 'h%d' % rng.randint(1, 9), 'dc': rng.choice(['eu', 'us', 'ap']),
                'env': rng.choice(['prod', 'dev', 'qa'])}
        if rng.random() < 0.3:
            tags['shard'] = str(rng.randint(1, 4))
        if rng.random() < 0.2:
            del tags['env']
        names.add(rng.choice(['cpu', 'mem', 'disk.io']) + ''.join(';%s=%s' % kv for kv in sorted(tags.items())))
    return sorted(names)


def without_ids(value):
    """graphite-web's sqlite database adds its row ids to tags and values; nothing else does."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != 'id'}
    if isinstance(value, (list, tuple)):
        return type(value)(without_ids(v) for v in value)
    return value


EXPRESSIONS = ['name=cpu', 'name=disk.io', 'host=h1', 'host!=h1', 'dc=eu', 'dc!=us', 'env=prod', 'env=', 'env!=',
               'shard=', 'shard!=', 'shard=2', 'env=~pr', 'env=~^d', 'env!=~q', 'host=~h[12]$', 'host=~h1|h2',
               'name=~c', 'name!=~^d', 'nosuch=', 'nosuch=x', 'dc=~.*', 'dc!=~.*', 'env=~']


def test_tag_api_answers_exactly_as_graphite_webs_own_tagdb(stoker_factory, tmp_path):
    require_graphite_web()
    stoker = stoker_factory(schemas=SCHEMAS)
    web = GraphiteWeb(tmp_path / 'web', [stoker.data], []).start()
    try:
        rng = random.Random(61)
        series = tagged_series(rng)
        stoker_url = 'http://127.0.0.1:%d' % stoker.ports['api']
        web_url = 'http://127.0.0.1:%d' % web.port
        for base in (stoker_url, web_url):
            status, answer = post(base + '/tags/tagMultiSeries', {'path': series})
            assert status == 200 and answer == series, (base, status, answer)
        for path, canonical in [('x;b=2;a=1', 'x;a=1;b=2'), ('plain.name', 'plain.name')]:
            assert post(stoker_url + '/tags/tagSeries', {'path': path}) == (200, canonical)
            assert post(web_url + '/tags/tagSeries', {'path': path}) == (200, canonical)

        queries = [[e] for e in EXPRESSIONS] + [list(c) for c in itertools.combinations(EXPRESSIONS, 2)][::7]
        queries += [rng.sample(EXPRESSIONS, 3) for _ in range(40)]
        compared = 0
        for exprs in queries:
            expected = get(web_url + '/tags/findSeries', {'expr': exprs})
            answer = get(stoker_url + '/tags/findSeries', {'expr': exprs})
            assert answer[0] == expected[0], (exprs, answer, expected)
            if expected[0] == 200:
                assert answer[1] == expected[1], exprs
                compared += len(expected[1])
        assert compared > 500

        for path, fields in [('/tags', {}), ('/tags', {'filter': 'h'}), ('/tags/host', {}), ('/tags/dc', {'filter': 'e'}),
                             ('/tags/autoComplete/tags', {}), ('/tags/autoComplete/tags', {'tagPrefix': 'd'}),
                             ('/tags/autoComplete/tags', {'expr': ['name=cpu']}),
                             ('/tags/autoComplete/values', {'tag': 'host'}),
                             ('/tags/autoComplete/values', {'tag': 'env', 'expr': ['dc=eu'], 'valuePrefix': 'p'}),
                             ('/tags/autoComplete/values', {'tag': 'host', 'limit': '3'})]:
            expected = get(web_url + path, fields)
            answer = get(stoker_url + path, fields)
            assert answer == without_ids(expected), (path, fields)

        # deleting: gone from both
        for base in (stoker_url, web_url):
            assert post(base + '/tags/delSeries', {'path': series[:5]}) == (200, True)
        assert get(stoker_url + '/tags/findSeries', {'expr': 'dc!='}) == get(web_url + '/tags/findSeries', {'expr': 'dc!='})
        # what graphite-web refuses, Stoker refuses
        assert get(stoker_url + '/tags/findSeries', {})[0] == 400
        assert get(stoker_url + '/tags/tagSeries', {'path': 'a;b=c'})[0] == 405
    finally:
        web.stop()


def test_tagged_series_written_are_indexed_and_survive_a_restart(stoker_factory):
    stoker = stoker_factory(schemas=SCHEMAS)
    now = int(time.time())
    send_lines(stoker.ports['line'], ['app.req;dc=eu;host=a 1 %d\n' % now, 'app.req;host=b;dc=us 2 %d\n' % now,
                                      'plain.metric 3 %d\n' % now])
    base = 'http://127.0.0.1:%d' % stoker.ports['api']
    wait_for(lambda: get(base + '/tags/findSeries', {'expr': 'name=app.req'})[1] == ['app.req;dc=eu;host=a', 'app.req;dc=us;host=b'],
             what='tagged series indexed')
    assert stoker.stop() == 0
    stoker.start()
    base = 'http://127.0.0.1:%d' % stoker.ports['api']
    assert get(base + '/tags/findSeries', {'expr': 'dc=us'}) == (200, ['app.req;dc=us;host=b'])
    status, _, body = api_get(stoker, '/render/', target="seriesByTag('name=app.req')", format='json', **{'from': '-5min'})
    assert status == 200
    assert {s['target']: [v for v, _ in s['datapoints'] if v is not None] for s in json.loads(body)} == \
        {'app.req;dc=eu;host=a': [1.0], 'app.req;dc=us;host=b': [2.0]}
    assert [s['tags'] for s in json.loads(body)][0] == {'dc': 'eu', 'host': 'a', 'name': 'app.req'}


def test_graphite_web_renders_series_by_tag_through_stoker_as_its_tagdb_and_as_cluster_members(stoker_factory, tmp_path):
    require_graphite_web()
    stoker = stoker_factory(schemas=SCHEMAS)
    now = int(time.time())
    lines = ['svc.lat;dc=%s;host=h%d %d %d\n' % (dc, h, h * 10 + i, now - 10 * i)
             for dc in ('eu', 'us') for h in range(3) for i in range(6)]
    send_lines(stoker.ports['line'], lines)
    base = 'http://127.0.0.1:%d' % stoker.ports['api']
    wait_for(lambda: len(get(base + '/tags/findSeries', {'expr': 'name=svc.lat'})[1]) == 6, what='six series indexed')
    target = "sumSeries(seriesByTag('name=svc.lat','dc=eu'))"
    expected = {sum(h * 10 + i for h in range(3)): None for i in range(6)}

    # graphite-web reading the files, with Stoker as its tag database (no database of its own)
    local = GraphiteWeb(tmp_path / 'local', [stoker.data], ['127.0.0.1:%d:a' % stoker.ports['query']],
                        extra_settings=["TAGDB = 'graphite.tags.http.HttpTagDB'", 'TAGDB_HTTP_URL = %r' % base]).start()
    (tmp_path / 'front-data').mkdir()
    front = GraphiteWeb(tmp_path / 'front', [tmp_path / 'front-data'], [],
                        cluster_servers=['127.0.0.1:%d' % stoker.ports['api']]).start()
    try:
        for web in (local, front):
            (series,) = web.render(target, since='-3min').values()
            assert sorted(series.values()) == sorted(expected), web.dir
        assert local.render(target, since='-3min') == front.render(target, since='-3min')
        grouped = front.render("groupByTags(seriesByTag('name=svc.lat'),'sum','dc')", since='-3min')
        assert sorted(grouped) == ['svc.lat;dc=eu', 'svc.lat;dc=us']
        # graphite-web's autocomplete through the cluster client
        assert front.get('/tags/autoComplete/values', tag='dc', expr='name=svc.lat') == ['eu', 'us']
        assert front.get('/tags/autoComplete/tags', expr='name=svc.lat') == ['dc', 'host']
    finally:
        local.stop()
        front.stop()


def test_new_series_are_posted_to_graphite_webs_tag_database_as_carbon_posts_them(stoker_factory, tmp_path):
    """ENABLE_TAGS (carbon's default) with GRAPHITE_URL: graphite-web's own tag database learns
    every series Stoker creates, tagged or not, from /tags/tagMultiSeries posts."""
    require_graphite_web()
    from conftest import Stoker
    web = GraphiteWeb(tmp_path / 'web', [tmp_path], []).start()
    try:
        stoker = stoker_factory(schemas=SCHEMAS, cache_keys={'GRAPHITE_URL': 'http://127.0.0.1:%d' % web.port,
                                                             'TAG_BATCH_SIZE': '3'})
        now = int(time.time())
        names = ['disk.free;host=a;dc=eu', 'disk.free;host=b;dc=eu', 'disk.free;host=c;dc=us', 'plain.series']
        send_lines(stoker.ports['line'], ['%s 1 %d\n' % (name, now) for name in names])
        web_url = 'http://127.0.0.1:%d' % web.port
        found = wait_for(lambda: (lambda r: r if r[0] == 200 and len(r[1]) == 2 else None)(
            get(web_url + '/tags/findSeries', {'expr': ['name=disk.free', 'dc=eu']})), timeout=30, interval=0.2,
            what='graphite-web told of the new series')
        assert found[1] == ['disk.free;dc=eu;host=a', 'disk.free;dc=eu;host=b']
        assert get(web_url + '/tags/findSeries', {'expr': 'name=plain.series'}) == (200, ['plain.series'])
    finally:
        web.stop()
