"""graphite-web (Debian's package, unmodified) reads Stoker: whisper files from LOCAL_DATA_DIR and
the newest points from Stoker's carbonlink port, merged in one render answer."""
import json
import os
import subprocess
import sys
import time

import pytest
import whisper

from carbon_peers import Carbonlink, fetch, send_lines
from conftest import ROOT, free_port, wait_for
from graphite_web import GraphiteWeb, require_graphite_web

SCHEMAS = '[default]\npattern = .*\nretentions = 1s:10m,60s:1d\n'


def cached_points(stoker, metric, count):
    """{ts: value} Stoker's cache holds for metric once it holds `count` points, else None."""
    link = Carbonlink(stoker.ports['query'])
    try:
        points = dict(link.request({'type': 'cache-query', 'metric': metric})[0]['datapoints'])
    finally:
        link.close()
    return points if len(points) == count else None


@pytest.fixture
def graphite_factory(tmp_path):
    require_graphite_web()
    started = []

    def make(data_dirs, carbonlink_hosts, name='graphite-web'):
        web = GraphiteWeb(tmp_path / name, data_dirs, carbonlink_hosts)
        started.append(web)
        return web.start()

    yield make
    for web in started:
        web.stop()


def test_render_merges_points_on_disk_with_points_only_in_stokers_cache(stoker_factory, graphite_factory):
    now = int(time.time())
    old = {now - 200 + i: float(i) for i in range(0, 60, 5)}          # on disk
    new = {now - 40 + i: 1000.0 + i for i in range(0, 30, 3)}        # only in the cache

    # 1. A Stoker without write limits puts the older points on disk, then stops.
    first = stoker_factory(schemas=SCHEMAS)
    send_lines(first.ports['line'], ['web.merge.series %r %d\n' % (v, ts) for ts, v in old.items()]
               + ['web.merge.disk_only 7 %d\n' % (now - 100)])
    path = first.wsp('web.merge.series')
    wait_for(lambda: path.exists() and len(fetch(path)) == len(old), what='older points on disk')
    wait_for(lambda: first.wsp('web.merge.disk_only').exists(), what='disk_only on disk')
    assert first.stop() == 0

    # 2. The same data directory, now with a writer that may not write during the test (a token
    #    every 1000 s, the bucket starts below one token) but drains everything at shutdown.
    second = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'},
                            schemas=SCHEMAS)
    send_lines(second.ports['line'], ['web.merge.series %r %d\n' % (v, ts) for ts, v in new.items()])
    cached = wait_for(lambda: cached_points(second, 'web.merge.series', len(new)), what='new points in the cache')
    assert cached == new
    on_disk = fetch(path)
    assert on_disk == old, 'the new points must not be on disk yet'

    web = graphite_factory([second.data], ['127.0.0.1:%d:a' % second.ports['query']])
    series = web.render('web.merge.series')
    assert list(series) == ['web.merge.series']
    points = series['web.merge.series']
    assert {ts: v for ts, v in points.items() if ts in old} == old, 'on-disk points missing from the render'
    assert {ts: v for ts, v in points.items() if ts in new} == new, 'cached points missing from the render'
    assert set(points) == set(old) | set(new)

    # A function over the series sees the merged points too.
    coarse = web.render('summarize(web.merge.series,"1min","sum")', since='-10min')
    assert sum(next(iter(coarse.values())).values()) == pytest.approx(sum(old.values()) + sum(new.values()))

    # /metrics/find lists what is on disk under Stoker's data directory.
    nodes = web.find('web.merge.*')
    assert sorted((n['text'], n['leaf']) for n in nodes) == [('disk_only', 1), ('series', 1)]
    assert sorted(n['id'] for n in web.find('web.*')) == ['web.merge']
    assert web.find('web.nothing.*') == []

    # Stopping Stoker drains the cache: the same answer now comes from the file alone.
    assert second.stop() == 0
    assert fetch(path) == {**old, **new}


def test_render_without_carbonlink_sees_only_the_disk(stoker_factory, graphite_factory):
    """The control: the cached points above come from carbonlink, not from anywhere else."""
    now = int(time.time())
    stoker = stoker_factory({'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'},
                            schemas=SCHEMAS)
    path = stoker.wsp('web.control.series')
    path.parent.mkdir(parents=True)
    whisper.create(str(path), [(1, 600), (60, 1440)], xFilesFactor=0)
    whisper.update(str(path), 5.0, now - 100)
    send_lines(stoker.ports['line'], ['web.control.series 9 %d\n' % (now - 30)])
    wait_for(lambda: cached_points(stoker, 'web.control.series', 1), what='point in the cache')
    # graphite-web pointed at a carbonlink port where nothing listens.
    blind = graphite_factory([stoker.data], ['127.0.0.1:%d:a' % free_port()], name='blind')
    assert blind.render('web.control.series') == {'web.control.series': {now - 100: 5.0}}
    seeing = graphite_factory([stoker.data], ['127.0.0.1:%d:a' % stoker.ports['query']], name='seeing')
    assert seeing.render('web.control.series') == {'web.control.series': {now - 100: 5.0, now - 30: 9.0}}


def test_compose_examples_local_settings_load_in_debians_graphite_web(tmp_path):
    """deploy/compose/graphite-web/local_settings.py (containers cannot run here) is imported by
    Debian's graphite.settings as the container would, and the values graphite-web ends up with
    point at Stoker: its data directory and the stoker service's carbonlink port. Only the
    directories graphite-web writes to are moved into tmp_path (a wrapper module re-exports the
    example and overrides them), so nothing on this machine is touched."""
    require_graphite_web()
    example = ROOT / 'deploy' / 'compose' / 'graphite-web' / 'local_settings.py'
    (tmp_path / 'log').mkdir()
    (tmp_path / 'compose_settings.py').write_text(
        'exec(compile(open(%r).read(), %r, "exec"))\n' % (str(example), str(example))
        + 'LOG_DIR = %r\nSTORAGE_DIR = %r\nINDEX_FILE = %r\n' % (str(tmp_path / 'log'), str(tmp_path), str(tmp_path / 'index'))
        + 'DATABASES["default"]["NAME"] = %r\n' % str(tmp_path / 'graphite.db'))
    probe = ('import django, json; django.setup(); from django.conf import settings as s; '
             'print(json.dumps({k: getattr(s, k) for k in ("WHISPER_DIR", "STANDARD_DIRS", "CARBONLINK_HOSTS", '
             '"SECRET_KEY", "ALLOWED_HOSTS", "GRAPHITE_ROOT")}))')
    env = dict(os.environ, PYTHONPATH=str(tmp_path), DJANGO_SETTINGS_MODULE='graphite.settings',
               GRAPHITE_SETTINGS_MODULE='compose_settings', GRAPHITE_SECRET_KEY='from-the-environment',
               PYTHONDONTWRITEBYTECODE='1')
    run = subprocess.run([sys.executable, '-c', probe], env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert 'Could not import' not in run.stderr, run.stderr
    loaded = json.loads(run.stdout)
    assert loaded == {'WHISPER_DIR': '/var/lib/stoker/whisper/', 'STANDARD_DIRS': ['/var/lib/stoker/whisper/'],
                      'CARBONLINK_HOSTS': ['stoker:7002:a'], 'SECRET_KEY': 'from-the-environment',
                      'ALLOWED_HOSTS': ['*'], 'GRAPHITE_ROOT': '/usr/share/graphite-web'}
    # The instance name graphite-web hashes on is the one the container's Stoker uses (--instance
    # defaults to a; deploy/container/Containerfile passes none).
    assert '--instance' not in (ROOT / 'deploy' / 'container' / 'Containerfile').read_text()
