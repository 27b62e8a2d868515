"""quotas.conf end to end (docs/quotas.md): series per namespace, the global cap on new series,
throughput, what is reported (log, /metrics read by prometheus_client, check-config), the
count of existing files after a restart and a SIGHUP reload."""
import signal
import subprocess
import time

from carbon_peers import fetch, send_lines
from conftest import Stoker, wait_for
from test_reads import scrape


def quota_samples(stoker):
    """{(sample name, rule): value} of the quota families in /metrics."""
    return {(s.name, s.labels.get('rule')): s.value for s in scrape(stoker) if s.name.startswith('stoker_quota')}


def files_under(stoker, namespace):
    return sorted(p.stem for p in (stoker.data / namespace).glob('*.wsp'))


def test_series_quota_per_namespace_and_a_global_cap_on_new_series(stoker_factory, tmp_path):
    (tmp_path / 'quotas.conf').write_text('[*]\nmetrics = 3\n\n[/]\nnew-series-per-minute = 5\n')
    # statsd off: its own metrics would be new series too.
    stoker = stoker_factory(statsd_keys={'enabled': 'false'})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['busy.m%d 1 %d\n' % (i, now) for i in range(6)])
    wait_for(lambda: quota_samples(stoker).get(('stoker_quota_refused_creates_total', '*'), 0) >= 3,
             what='three creates refused under [*]')
    assert len(files_under(stoker, 'busy')) == 3
    # The global cap: two more series fit this minute, whatever their namespace.
    send_lines(stoker.ports['line'], ['calm.m%d 1 %d\n' % (i, now) for i in range(4)])
    wait_for(lambda: quota_samples(stoker).get(('stoker_quota_refused_creates_total', '/'), 0) >= 2,
             what='the global cap reached')
    assert len(files_under(stoker, 'calm')) == 2
    samples = quota_samples(stoker)
    assert samples[('stoker_quota_series', '*')] == 5
    assert samples[('stoker_quota_series', '/')] == 5
    assert samples[('stoker_quota_refused_points_total', '*')] == 3
    assert samples[('stoker_quota_refused_points_total', '/')] == 2
    log = stoker.output()
    assert 'event=quota_refused rule="*" namespace="busy" limit=metrics' in log
    assert 'event=quota_refused rule="/" namespace="" limit=new-series-per-minute' in log
    # Existing series are still written.
    kept = 'busy.' + files_under(stoker, 'busy')[0]
    send_lines(stoker.ports['line'], ['%s 2 %d\n' % (kept, now - 1)])
    wait_for(lambda: fetch(stoker.wsp(kept)).get(now - 1) == 2.0, what='a point for an existing series')

    # After a restart the files on disk are counted: busy is still full.
    assert stoker.stop() == 0
    stoker.start()
    wait_for(lambda: 'event=quota_series_counted series=5' in stoker.output()[stoker.log_offset:], what='the walk')
    send_lines(stoker.ports['line'], ['busy.late 1 %d\n' % now, 'other.late 1 %d\n' % now])
    wait_for(stoker.wsp('other.late').exists, what='a namespace with room')
    wait_for(lambda: quota_samples(stoker).get(('stoker_quota_refused_creates_total', '*'), 0) >= 1)
    assert not stoker.wsp('busy.late').exists()

    # SIGHUP with a larger quota: the namespace has room again.
    (tmp_path / 'quotas.conf').write_text('[*]\nmetrics = 10\n')
    stoker.process.send_signal(signal.SIGHUP)
    wait_for(lambda: 'files=storage-schemas,storage-aggregation,whitelist,blacklist,quotas' in stoker.output()[stoker.log_offset:])
    wait_for(lambda: stoker.output()[stoker.log_offset:].count('event=quota_series_counted') == 2, what='the recount')
    send_lines(stoker.ports['line'], ['busy.later 1 %d\n' % now])
    wait_for(stoker.wsp('busy.later').exists, what='room after the reload')


def test_throughput_quota_drops_points_over_the_minutes_allowance(stoker_factory, tmp_path):
    (tmp_path / 'quotas.conf').write_text('[noisy]\nthroughput = 50\n')
    stoker = stoker_factory(statsd_keys={'enabled': 'false'})
    now = int(time.time())
    send_lines(stoker.ports['line'], ['noisy.m%d 1 %d\n' % (i, now - i) for i in range(80)]
               + ['quiet.m 1 %d\n' % now])
    wait_for(stoker.wsp('quiet.m').exists)
    wait_for(lambda: quota_samples(stoker).get(('stoker_quota_refused_points_total', 'noisy')) == 30)
    wait_for(lambda: len(files_under(stoker, 'noisy')) == 50, what='the first 50 points stored')
    assert 'limit=throughput' in stoker.output()


def test_check_config_shows_the_rules_and_refuses_a_bad_file(stoker_factory, tmp_path):
    (tmp_path / 'quotas.conf').write_text('[sys.app.*]\nmetrics = 1_000\ndropping-policy = none\n[/]\nnew-series-per-minute = 20,000\n')
    stoker = stoker_factory(start=False)
    run = subprocess.run([Stoker.binary(), 'check-config', '--config', str(stoker.config), 'sys.app.web.cpu'],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert 'quotas.conf = %s' % (tmp_path / 'quotas.conf') in run.stdout
    assert '[sys.app.*] metrics = 1000 throughput = max/min new-series-per-minute = max dropping-policy = none' in run.stdout
    assert '[/] metrics = max throughput = max/min new-series-per-minute = 20000 dropping-policy = new' in run.stdout
    assert 'quota = [sys.app.*] namespace = sys.app.web' in run.stdout
    assert 'quota = [/] namespace = (server)' in run.stdout

    (tmp_path / 'quotas.conf').write_text('[*]\nmetrics = lots\n')
    refused = stoker.run_expecting_exit()
    assert refused.returncode == 2
    assert "Invalid metrics 'lots' in section [*] in %s" % (tmp_path / 'quotas.conf') in refused.stderr
