"""Scale-out with an existing engine: Debian's carbon-c-relay hashing (carbon_ch) over two Stoker
instances, per-host statsd-only Stokers forwarding their flushes to the relay, and graphite-web
reading both data directories. Everything on loopback, free ports, generated configs
(deploy/scale-out/ holds the same layout for real hosts)."""
import ast
import pathlib
import re
import shutil
import socket
import subprocess
import time

import pytest
import whisper

from carbon_peers import Carbonlink, fetch
from conftest import ROOT, Stoker, free_port, missing_reference, wait_for
from graphite_web import GraphiteWeb, require_graphite_web

RELAY = shutil.which('carbon-c-relay') or '/usr/bin/carbon-c-relay'
SCHEMAS = '[default]\npattern = .*\nretentions = 1s:10m,60s:1d\n'
GROUPS, PER_GROUP = 100, 100  # 10k metrics: scale.gNN.mNNN


RELAY_TEMPLATE = ROOT / 'deploy' / 'scale-out' / 'relay.conf'
LISTEN = re.compile(r'^(\s+)0\.0\.0\.0:2003( proto tcp)$', re.M)
MEMBER = re.compile(r'^(\s+)[\w.-]+:\d+=(\w+)( proto tcp)$', re.M)


def relay_config_from_template(text, port, members):
    """deploy/scale-out/relay.conf with loopback addresses; fails loudly when the template no
    longer has the one listener and the members (by instance name) this test expects."""
    text, listeners = LISTEN.subn(lambda m: '%s127.0.0.1:%d%s' % (m.group(1), port, m.group(2)), text)
    assert listeners == 1, 'relay template: expected one 0.0.0.0:2003 listener, found %d' % listeners
    names = MEMBER.findall(text)
    assert sorted(n for _, n, _ in names) == sorted(members), \
        'relay template members %s, test instances %s' % ([n for _, n, _ in names], sorted(members))
    return MEMBER.sub(lambda m: '%s127.0.0.1:%d=%s%s' % (m.group(1), members[m.group(2)], m.group(2), m.group(3)), text)


def require_relay():
    if not pathlib.Path(RELAY).exists():
        missing_reference('carbon-c-relay is not installed (apt-get install carbon-c-relay; `make test` does it)')


def relay_routes(config, names):
    """carbon-c-relay's test mode (-t) on `config`: {name: 'host:port' it routes the name to}.
    Its output echoes the parsed config, then per input line `* -> NAME` and the member(s)."""
    test = subprocess.run([RELAY, '-t', '-f', str(config)], input=''.join('%s 1 1\n' % n for n in names),
                          capture_output=True, text=True, timeout=60)
    assert test.returncode == 0, test.stdout + test.stderr
    routes, current = {}, None
    for line in test.stdout.splitlines():
        line = line.strip()
        if line.startswith('* -> '):
            current = line[5:]
        elif current and line[:1].isdigit():
            routes[current] = line
            current = None
    return routes


class Relay:
    def __init__(self, directory, members, template=RELAY_TEMPLATE):
        """members: {instance name: port} of Stokers on 127.0.0.1. The config is the shipped
        example (deploy/scale-out/relay.conf) with only its addresses replaced: the relay
        listens on a free loopback port, and each `HOST:PORT=NAME` member of the carbon_ch
        cluster becomes `127.0.0.1:PORT=NAME`, keeping the instance names the ring hashes."""
        self.dir = pathlib.Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.config = self.dir / 'relay.conf'
        self.config.write_text(relay_config_from_template(template.read_text(), self.port, members))
        self.log = self.dir / 'relay.log'
        self.process = None

    def route(self, names):
        """What `carbon-c-relay -t` says each name is routed to: {name: 'host:port'}."""
        return relay_routes(self.config, names)

    def start(self):
        # -s: submission mode, no relay statistics mixed into the stream; -E: keep idle
        # connections; -l: log to a file.
        self.process = subprocess.Popen([RELAY, '-f', str(self.config), '-s', '-E', '-w', '2', '-l', str(self.log)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(self._accepts, what='carbon-c-relay listening')
        return self

    def _accepts(self):
        if self.process.poll() is not None:
            raise AssertionError('carbon-c-relay exited early:\n' + self.output())
        try:
            socket.create_connection(('127.0.0.1', self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def output(self):
        return self.log.read_text(errors='replace') if self.log.exists() else ''

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def cluster_factory(tmp_path):
    """make(cache_keys) -> (stokers, relay, agents): two storage Stokers (a, b) with the same
    extra [cache] keys behind a started relay; agents (statsd-only Stokers) a test adds are
    stopped with them."""
    require_relay()
    started = []

    def make(cache_keys=None):
        stokers = {}
        for name in ('a', 'b'):
            (tmp_path / name).mkdir()
            stokers[name] = Stoker(tmp_path / name, dict(cache_keys or {}), SCHEMAS, '', '', {'enabled': 'false'})
            started.append(stokers[name])
            stokers[name].start()
        relay = Relay(tmp_path / 'relay', {n: stokers[n].ports['line'] for n in ('a', 'b')})
        relays.append(relay)
        relay.start()
        return stokers, relay, started

    relays = []
    yield make
    for relay in relays:
        relay.stop()
    for instance in reversed(started):  # agents first, then the storage nodes
        code = instance.stop()
        assert code == 0, 'stoker exited with %s:\n%s' % (code, instance.output())


@pytest.fixture
def cluster(cluster_factory):
    """Two storage Stokers (a, b) behind a started relay."""
    return cluster_factory()


def names():
    return ['scale.g%02d.m%03d' % (g, m) for g in range(GROUPS) for m in range(PER_GROUP)]


def send_through(port, lines, chunk=2000):
    with socket.create_connection(('127.0.0.1', port)) as s:
        for i in range(0, len(lines), chunk):
            s.sendall(''.join(lines[i:i + chunk]).encode())


def wsp_files(stoker, prefix='scale'):
    root = stoker.data / prefix
    return {'.'.join(p.relative_to(stoker.data).with_suffix('').parts) for p in root.rglob('*.wsp')} if root.exists() else set()


def test_ten_thousand_metrics_through_carbon_c_relay_land_once_and_graphite_web_sees_all(cluster, tmp_path):
    stokers, relay, _ = cluster
    metrics = names()
    ts = int(time.time()) - 60
    values = {name: float(i) for i, name in enumerate(metrics)}
    send_through(relay.port, ['%s %r %d\n' % (name, values[name], ts) for name in metrics])

    landed = wait_for(lambda: (lambda a, b: (a, b) if len(a) + len(b) >= len(metrics) else None)(
        wsp_files(stokers['a']), wsp_files(stokers['b'])), timeout=180, interval=0.5, what='10k files')
    on_a, on_b = landed
    # exactly one instance each, and nothing else
    assert on_a.isdisjoint(on_b), 'metrics on both instances: %s' % sorted(on_a & on_b)[:5]
    assert on_a | on_b == set(metrics)
    # carbon_ch spreads them (a real hash ring, not everything on one member)
    assert 3000 < len(on_a) < 7000, (len(on_a), len(on_b))
    # and each went where carbon-c-relay's own test mode says carbon_ch routes it
    port_of = {stokers[n].ports['line']: n for n in stokers}
    sample = metrics[::97]
    routes = relay.route(sample)
    assert len(routes) == len(sample)
    for name in sample:
        expected = port_of[int(routes[name].split(':')[1])]
        assert name in (on_a if expected == 'a' else on_b), name

    # All 10k found with whisper.py, with their values (wait for each file's point).
    def all_points_on_disk():
        missing = []
        for name in metrics:
            stoker = stokers['a'] if name in on_a else stokers['b']
            if fetch(stoker.wsp(name)).get(ts) != values[name]:
                missing.append(name)
        return not missing or None
    wait_for(all_points_on_disk, timeout=120, interval=0.5, what='every point on disk')
    for name in metrics[::500]:
        other = stokers['b'] if name in on_a else stokers['a']
        assert not other.wsp(name).exists()
        info = whisper.info(str((stokers['a'] if name in on_a else stokers['b']).wsp(name)))
        assert [a['secondsPerPoint'] for a in info['archives']] == [1, 60]

    # graphite-web over both data directories (and both carbonlink ports, hashed like the relay).
    require_graphite_web()
    web = GraphiteWeb(tmp_path / 'graphite-web', [stokers['a'].data, stokers['b'].data],
                      ['127.0.0.1:%d:%s' % (stokers[n].ports['query'], n) for n in ('a', 'b')]).start()
    try:
        groups = web.find('scale.*')
        assert sorted(n['text'] for n in groups) == ['g%02d' % g for g in range(GROUPS)]
        leaves = web.find_paths('scale.*.*')
        assert len(leaves) == len(metrics)
        assert set(leaves) == set(metrics) and all(leaves.values())
        # every series, counted and summed by graphite-web itself
        (count,) = web.render('countSeries(scale.*.*)').values()
        assert count[ts] == len(metrics)
        (total,) = web.render('sumSeries(scale.*.*)').values()
        assert total[ts] == sum(values.values())
        # a sample from each instance, value by value
        for name in sorted(on_a)[:20:3] + sorted(on_b)[:20:3]:
            assert web.render(name) == {name: {ts: values[name]}}
    finally:
        web.stop()


def test_statsd_only_stoker_forwards_counters_through_the_relay(cluster, tmp_path):
    stokers, relay, agents = cluster
    (tmp_path / 'agent').mkdir()
    agent = Stoker(tmp_path / 'agent', {'ENABLED': 'false'}, SCHEMAS, '', '',
                   {'graphiteHost': '127.0.0.1', 'graphitePort': relay.port, 'prefixStats': 'statsd.agent1'})
    agents.append(agent)
    agent.start()
    assert not agent.data.exists(), 'statsd-only mode writes no whisper files'
    counters = {'app.requests': 40, 'app.errors': 3, 'app.logins': 7}
    with socket.create_connection(('127.0.0.1', agent.ports['statsd_tcp'])) as s:
        s.sendall(''.join('%s:1|c\n' % name for name, n in counters.items() for _ in range(n)).encode())

    def counted(name):
        holders = [n for n in ('a', 'b') if stokers[n].wsp('stats_counts.' + name).exists()]
        if len(holders) != 1:
            return None
        total = sum(fetch(stokers[holders[0]].wsp('stats_counts.' + name), ahead=5).values())
        return holders[0] if total == counters[name] else None

    holders = {name: wait_for(lambda: counted(name), timeout=60, interval=0.2, what='stats_counts.' + name)
               for name in counters}
    # Three later flushes (zeros) reached the holder: anything sent elsewhere has arrived too.
    for name, holder in holders.items():
        wait_for(lambda: len(fetch(stokers[holder].wsp('stats_counts.' + name), ahead=5)) >= 4,
                 timeout=30, interval=0.2, what='later flushes of ' + name)
    routes = relay.route(['stats_counts.' + name for name in counters])
    port_of = {stokers[n].ports['line']: n for n in stokers}
    for name in counters:
        # on exactly one instance, the one carbon_ch picks, and never on the other
        assert holders[name] == port_of[int(routes['stats_counts.' + name].split(':')[1])]
        other = 'b' if holders[name] == 'a' else 'a'
        assert not stokers[other].wsp('stats_counts.' + name).exists()
        assert not stokers[other].wsp('stats.' + name).exists()
    # statsd's own metrics came through as well, under this agent's prefix
    wait_for(lambda: any(s.wsp('statsd.agent1.numStats').exists() for s in stokers.values()), what='numStats')


def cached_points(stoker, metric):
    """{ts: value} Stoker's cache holds for metric (carbonlink cache-query)."""
    link = Carbonlink(stoker.ports['query'])
    try:
        return dict(link.request({'type': 'cache-query', 'metric': metric})[0]['datapoints'])
    finally:
        link.close()


def test_graphite_webs_carbonlink_ring_asks_the_instance_the_relay_chose(cluster_factory, tmp_path):
    """CARBONLINK_HOSTS with the relay's hosts and instance names: graphite-web's own hash ring
    finds each metric's cached points on the Stoker carbon_ch sent them to. Writers held still
    (a token every 1000 s) so the newest points exist only in the caches."""
    stokers, relay, _ = cluster_factory({'MAX_UPDATES_PER_SECOND': '0.001',
                                         'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    metrics = ['ring.m%02d' % i for i in range(24)]
    routes = relay.route(metrics)
    holder = {name: {s.ports['line']: n for n, s in stokers.items()}[int(routes[name].split(':')[1])]
              for name in metrics}
    assert set(holder.values()) == {'a', 'b'}, 'the sample must use both instances: %s' % holder
    now = int(time.time())
    old, new = now - 200, now - 30
    # graphite-web asks carbonlink only for metrics it found on disk: one older point in a file
    # on the holder (whisper.py), the newer one through the relay into the holder's cache.
    for i, name in enumerate(metrics):
        path = stokers[holder[name]].wsp(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        whisper.create(str(path), [(1, 600), (60, 1440)], xFilesFactor=0)
        whisper.update(str(path), float(i), old)
    send_through(relay.port, ['%s %d %d\n' % (name, 100 + i, new) for i, name in enumerate(metrics)])
    for i, name in enumerate(metrics):
        wait_for(lambda: cached_points(stokers[holder[name]], name) == {new: 100.0 + i},
                 timeout=30, what='%s in the cache of %s' % (name, holder[name]))
        other = 'b' if holder[name] == 'a' else 'a'
        assert cached_points(stokers[other], name) == {}
        assert fetch(stokers[holder[name]].wsp(name)) == {old: float(i)}, 'the new point must not be on disk yet'

    require_graphite_web()
    dirs = [stokers['a'].data, stokers['b'].data]
    ports = {n: stokers[n].ports['query'] for n in stokers}
    web = GraphiteWeb(tmp_path / 'graphite-web', dirs, ['127.0.0.1:%d:a' % ports['a'], '127.0.0.1:%d:b' % ports['b']])
    # The control: the same two ports with the instance names swapped, so graphite-web's ring
    # asks the Stoker that does not hold the metric and gets nothing back.
    swapped = GraphiteWeb(tmp_path / 'swapped', dirs, ['127.0.0.1:%d:b' % ports['a'], '127.0.0.1:%d:a' % ports['b']])
    try:
        web.start()
        swapped.start()
        assert web.render('ring.*') == {name: {old: float(i), new: 100.0 + i} for i, name in enumerate(metrics)}
        assert swapped.render('ring.*') == {name: {old: float(i)} for i, name in enumerate(metrics)}
    finally:
        web.stop()
        swapped.stop()


def test_relay_config_shipped_in_deploy_routes_to_both_members():
    """deploy/scale-out/relay.conf parses and its carbon_ch cluster uses both storage nodes."""
    require_relay()
    config = ROOT / 'deploy' / 'scale-out' / 'relay.conf'
    sample = names()[:200]
    routes = relay_routes(config, sample)
    assert set(routes) == set(sample)
    assert set(routes.values()) == {'10.0.0.11:2003', '10.0.0.12:2003'}


def test_shipped_graphite_web_settings_hash_like_the_shipped_relay():
    """deploy/scale-out/graphite-web-shared-disk_settings.py and relay.conf describe the same ring:
    for every sample name, graphite-web's own ConsistentHashRing (Debian's graphite-web, the
    class CarbonLinkPool uses) picks the carbonlink host on the node where carbon-c-relay's
    test mode sends the metric. Nothing runs; the 10.0.0.x addresses stay as shipped."""
    require_relay()
    require_graphite_web()
    from graphite.render.hashing import ConsistentHashRing
    settings_file = ROOT / 'deploy' / 'scale-out' / 'graphite-web-shared-disk_settings.py'
    values = {t.id: node.value for node in ast.parse(settings_file.read_text()).body
              if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    hosts = [h.split(':') for h in ast.literal_eval(values['CARBONLINK_HOSTS'])]
    assert ast.literal_eval(values['CARBONLINK_HASHING_TYPE']) == 'carbon_ch'
    ring = ConsistentHashRing([(server, instance) for server, _, instance in hosts], hash_type='carbon_ch')
    members = {(host, name) for _, host, name in
               re.findall(r'^(\s+)([\w.-]+):\d+=(\w+) proto tcp$', RELAY_TEMPLATE.read_text(), re.M)}
    assert {(server, instance) for server, _, instance in hosts} == members
    sample = names()[:300] + ['stats_counts.app.requests', 'stats.timers.api.upper_90']
    routes = relay_routes(RELAY_TEMPLATE, sample)
    picked = {name: ring.get_node(name)[0] for name in sample}
    assert {name: routes[name].split(':')[0] for name in sample} == picked
    assert set(picked.values()) == {'10.0.0.11', '10.0.0.12'}


def test_shipped_cluster_settings_name_every_storage_nodes_api_port():
    """deploy/scale-out/graphite-web-local_settings.py lists, in CLUSTER_SERVERS, the [api]
    listener each shipped storage node config opens (Tests/Integration/test_reads.py runs the
    layout itself)."""
    import configparser
    settings_file = ROOT / 'deploy' / 'scale-out' / 'graphite-web-local_settings.py'
    values = {t.id: ast.literal_eval(node.value) for node in ast.parse(settings_file.read_text()).body
              if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    ports = set()
    for name in ('stoker-a.conf', 'stoker-b.conf'):
        config = configparser.ConfigParser()
        config.read(ROOT / 'deploy' / 'scale-out' / name)
        assert config['api']['interface'] == '0.0.0.0'
        ports.add(config['api']['port'])
    assert [server.split(':')[1] for server in values['CLUSTER_SERVERS']] == sorted(ports) * 2
    assert [server.split(':')[0] for server in values['CLUSTER_SERVERS']] == ['10.0.0.11', '10.0.0.12']
