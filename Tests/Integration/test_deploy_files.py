"""deploy/: the files that cannot be exercised here (containers cannot run on these machines)
are at least syntax-checked and their wiring verified; the systemd unit goes through
`systemd-analyze verify`; every Stoker config shipped under deploy/ passes `stoker check-config`."""
import ast
import fnmatch
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest
import yaml

from conftest import ROOT, Stoker, missing_reference

DEPLOY = ROOT / 'deploy'
UNIT = DEPLOY / 'systemd' / 'stoker.service'
CONTAINERFILE = DEPLOY / 'container' / 'Containerfile'
COMPOSE = DEPLOY / 'compose' / 'compose.yaml'
INSTRUCTIONS = {'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
                'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER'}


# --- systemd --------------------------------------------------------------------------------

def unit_settings(text):
    settings = {}
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('['):
            section = line.strip('[]')
            continue
        key, _, value = line.partition('=')
        settings.setdefault((section, key.strip()), []).append(value.strip())
    return settings


def verify_unit(tmp_path, text, unit_path=None):
    """systemd-analyze verify on a copy whose ExecStart binary exists here; (rc, complaints).
    Only complaints about this unit count: verify also loads the units it pulls in
    (multi-user.target's wants), and on a machine migrating from carbon that includes Debian's
    carbon-cache.service, whose warnings are not Stoker's to fix."""
    if shutil.which('systemd-analyze') is None:
        missing_reference('systemd-analyze is not installed (apt-get install systemd; `make test` does it)')
    unit = tmp_path / 'stoker.service'
    unit.write_text(text.replace('/usr/local/bin/stoker', Stoker.binary()))
    env = dict(os.environ)
    if unit_path:
        # a trailing ':' keeps the standard unit directories after this one
        env['SYSTEMD_UNIT_PATH'] = '%s:' % unit_path
    run = subprocess.run(['systemd-analyze', 'verify', str(unit)], capture_output=True, text=True, timeout=60, env=env)
    return run.returncode, own_complaints(run.stdout + run.stderr, unit)


def own_complaints(output, unit):
    """The lines of systemd-analyze's output that are not about another unit file."""
    foreign = re.compile(r'^(/\S+\.(service|socket|target|timer|mount|path|slice)):\d+: ')
    kept = []
    for line in output.strip().splitlines():
        match = foreign.match(line)
        if match and match.group(1) != str(unit):
            continue
        kept.append(line)
    return '\n'.join(kept)


def test_systemd_unit_verifies_cleanly(tmp_path):
    code, complaints = verify_unit(tmp_path, UNIT.read_text())
    assert code == 0 and complaints == '', complaints


def test_systemd_verify_catches_a_broken_unit_in_this_sandbox(tmp_path):
    """The check above can fail here: systemd-analyze reports an unparsable value and an
    unknown key (it only warns, so the test treats any output as a failure)."""
    broken = UNIT.read_text().replace('TimeoutStopSec=120', 'TimeoutStopSec=forever\nNoSuchSetting=1')
    code, complaints = verify_unit(tmp_path, broken)
    assert 'forever' in complaints and 'NoSuchSetting' in complaints


def test_systemd_verify_ignores_other_units_warnings(tmp_path):
    """A machine with Debian's graphite-carbon has carbon-cache.service wanted by
    multi-user.target, and verify warns about its obsolete StandardOutput=syslog. A unit like
    it, installed in a unit directory of the test's own, must not fail Stoker's check."""
    units = tmp_path / 'units'
    wants = units / 'multi-user.target.wants'
    wants.mkdir(parents=True)
    (units / 'other-daemon.service').write_text(
        '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nStandardOutput=syslog\n'
        '[Install]\nWantedBy=multi-user.target\n')
    (wants / 'other-daemon.service').symlink_to(units / 'other-daemon.service')
    unit_dir = tmp_path / 'own'
    unit_dir.mkdir()
    code, complaints = verify_unit(unit_dir, UNIT.read_text(), unit_path=units)
    assert code == 0 and complaints == '', complaints
    # the other unit's warning was printed, and only the filter set it aside
    env = dict(os.environ, SYSTEMD_UNIT_PATH='%s:' % units)
    run = subprocess.run(['systemd-analyze', 'verify', str(unit_dir / 'stoker.service')],
                         capture_output=True, text=True, timeout=60, env=env)
    assert 'other-daemon.service' in run.stdout + run.stderr


def test_systemd_unit_exposure_is_at_most_two(tmp_path):
    """`systemd-analyze security` rates the unit's hardening; the unit's header records it."""
    unit = tmp_path / 'stoker.service'
    unit.write_text(UNIT.read_text())
    run = subprocess.run(['systemd-analyze', 'security', '--offline=yes', str(unit)],
                         capture_output=True, text=True, timeout=60)
    exposure = float(re.search(r'Overall exposure level for stoker\.service: ([0-9.]+)', run.stdout).group(1))
    assert exposure <= 2.0, run.stdout
    assert 'systemd 252): %.1f.' % exposure in UNIT.read_text(), 'the header records %.1f' % exposure


def test_systemd_unit_settings():
    s = unit_settings(UNIT.read_text())
    assert s[('Service', 'Type')] == ['notify']
    assert s[('Service', 'User')] == ['stoker'] and s[('Service', 'Group')] == ['stoker']
    assert int(s[('Service', 'LimitNOFILE')][0]) >= 65536
    # a drain that makes progress extends the stop timeout itself (EXTEND_TIMEOUT_USEC)
    assert int(s[('Service', 'TimeoutStopSec')][0]) >= 60
    assert s[('Service', 'KillSignal')] == ['SIGTERM']
    assert s[('Service', 'ExecReload')] == ['/bin/kill -HUP $MAINPID']
    assert s[('Service', 'ExecStart')][0].split()[1:] == ['serve', '--config', '/etc/stoker/stoker.conf']
    assert s[('Service', 'ExecStartPre')][0].split()[1] == 'check-config'
    assert 'AF_UNIX' in s[('Service', 'RestrictAddressFamilies')][0].split(), 'the notify socket'
    assert s[('Install', 'WantedBy')] == ['multi-user.target']


# --- Containerfiles -------------------------------------------------------------------------

def containerfile_instructions(path):
    """[(INSTRUCTION, arguments)] with continuation lines joined and comments dropped."""
    instructions = []
    pending = ''
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith('#')):
            continue
        if line.startswith('#'):
            continue
        if line.endswith('\\'):
            pending += line[:-1] + ' '
            continue
        line = pending + line
        pending = ''
        word, _, rest = line.partition(' ')
        instructions.append((word, rest.strip()))
    assert pending == '', 'dangling line continuation in %s' % path
    return instructions


def lint_containerfile(path, context):
    """A minimal lint: known instructions in upper case, FROM first, named stages referenced by
    COPY --from exist, exec-form CMD/ENTRYPOINT/HEALTHCHECK are JSON arrays, COPY sources
    exist in the build context. Returns the instructions."""
    instructions = containerfile_instructions(path)
    assert instructions and instructions[0][0] == 'FROM', '%s must start with FROM' % path
    stages = set()
    for word, rest in instructions:
        assert word in INSTRUCTIONS, '%s: unknown instruction %r' % (path, word)
        assert rest, '%s: %s without arguments' % (path, word)
        if word == 'FROM':
            parts = rest.split()
            if len(parts) == 3:
                assert parts[1].upper() == 'AS'
                stages.add(parts[2])
        if word in ('CMD', 'ENTRYPOINT') and rest.startswith('['):
            assert all(isinstance(a, str) for a in json.loads(rest))
        if word == 'HEALTHCHECK':
            json.loads(rest[rest.index('CMD') + 3:].strip())
        if word == 'COPY':
            args = rest.split()
            options = [a for a in args if a.startswith('--')]
            sources = [a for a in args if not a.startswith('--')][:-1]
            source_stage = [o.split('=', 1)[1] for o in options if o.startswith('--from=')]
            if source_stage:
                assert source_stage[0] in stages, '%s: COPY from unknown stage %s' % (path, source_stage[0])
            else:
                for source in sources:
                    assert in_fresh_clone(context / source), '%s: COPY source %s is not in a fresh clone' % (path, source)
                    assert not ignored_by_containerignore(context, source), \
                        '%s: COPY source %s is excluded by .containerignore' % (path, source)
    return instructions


def in_fresh_clone(path):
    """Whether git tracks the file, or any file under the directory: what a clone has."""
    run = subprocess.run(['git', 'ls-files', '--', str(path)], capture_output=True, text=True, cwd=str(ROOT))
    return run.returncode == 0 and run.stdout.strip() != ''


def ignored_by_containerignore(context, source):
    """Whether a top-level pattern of the context's .containerignore excludes `source`."""
    ignore = context / '.containerignore'
    if not ignore.exists():
        return False
    patterns = [l.strip() for l in ignore.read_text().splitlines() if l.strip() and not l.startswith('#')]
    first = source.strip('./').split('/')[0]
    return any(fnmatch.fnmatch(source.strip('./'), p) or fnmatch.fnmatch(first, p) for p in patterns)


def test_stoker_containerfile():
    instructions = lint_containerfile(CONTAINERFILE, ROOT)
    froms = [rest for word, rest in instructions if word == 'FROM']
    assert len(froms) == 2, 'multi-stage: a build stage and a runtime stage'
    assert froms[0].split()[0].startswith('docker.io/library/swift:6.3') and froms[0].endswith('AS build')
    assert 'debian:bookworm-slim' in froms[1]
    runtime = instructions[[w for w, _ in instructions].index('FROM', 1):]
    runs = ' '.join(rest for word, rest in runtime if word == 'RUN')
    assert 'libssh-4' in runs and 'useradd --system' in runs
    # graphite-web's container (another user) reads the whisper files on the shared volume
    assert '-m 0711 /var/lib/stoker ' in runs and '-m 0755 /var/lib/stoker/whisper' in runs
    assert any(w == 'COPY' and rest.startswith('--from=build') and '/usr/local/bin/stoker' in rest for w, rest in runtime)
    exposed = set(' '.join(rest for word, rest in runtime if word == 'EXPOSE').split())
    assert exposed == {'8125/udp', '8125/tcp', '8126/tcp', '2003/tcp', '2004/tcp', '7002/tcp'}
    users = [rest for word, rest in runtime if word == 'USER']
    assert users and users[-1] not in ('root', '0')
    assert any(word == 'VOLUME' and '/var/lib/stoker' in rest for word, rest in runtime)
    build_runs = ' '.join(rest for word, rest in instructions[:len(instructions) - len(runtime)] if word == 'RUN')
    assert 'libssh-dev' in build_runs and 'swift build -c release' in build_runs
    assert 'sh deploy/container/repin Package.resolved && swift package resolve' in build_runs


def test_graphite_web_containerfile():
    context = DEPLOY / 'compose' / 'graphite-web'
    instructions = lint_containerfile(context / 'Containerfile', context)
    runs = ' '.join(rest for word, rest in instructions if word == 'RUN')
    assert 'graphite-web' in runs and 'gunicorn' in runs
    assert [rest for word, rest in instructions if word == 'USER'] == ['_graphite']


def test_containerfile_lint_can_fail(tmp_path):
    bad = tmp_path / 'Containerfile'
    bad.write_text('FROM debian AS base\nCOPY --from=builder /x /y\n')
    with pytest.raises(AssertionError, match='unknown stage'):
        lint_containerfile(bad, tmp_path)
    bad.write_text('FROM debian\nRUNN true\n')
    with pytest.raises(AssertionError, match='unknown instruction'):
        lint_containerfile(bad, tmp_path)
    bad.write_text('FROM debian\nCOPY missing.txt /x\n')
    with pytest.raises(AssertionError, match='not in a fresh clone'):
        lint_containerfile(bad, tmp_path)
    # a file the work tree has but git ignores (as Package.resolved once was) is not in a clone
    ignored = ROOT / '.build' / 'containerfile-lint-probe'
    ignored.parent.mkdir(exist_ok=True)
    ignored.write_text('x')
    try:
        bad.write_text('FROM debian\nCOPY .build/containerfile-lint-probe /x\n')
        with pytest.raises(AssertionError, match='not in a fresh clone'):
            lint_containerfile(bad, ROOT)
    finally:
        ignored.unlink()
    # a tracked path the build context leaves out
    bad.write_text('FROM debian\nCOPY Fuzz/run /x\n')
    with pytest.raises(AssertionError, match='excluded by .containerignore'):
        lint_containerfile(bad, ROOT)


def test_repin_takes_each_pinned_versions_commit_from_its_remote(tmp_path):
    """Package.resolved comes from machines that resolve packages from local mirrors, whose
    commits differ from upstream's; the container build re-pins every version to the commit its
    tag has at the remote. Here the remotes are repositories of the test's own, reached through
    git's insteadOf as the real hosts would be."""
    resolved = json.loads((ROOT / 'Package.resolved').read_text())
    pins = [p for p in resolved['pins'] if 'version' in p['state']]
    assert len(pins) >= 5
    remotes = tmp_path / 'remotes'
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=str(tmp_path / 'gitconfig'),
               GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@t', GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@t')
    (tmp_path / 'gitconfig').write_text('[url "%s/"]\n\tinsteadOf = https://github.com/\n' % remotes)
    expected = {}
    for index, pin in enumerate(pins):
        repository = remotes / pin['location'].replace('https://github.com/', '')
        subprocess.run(['git', 'init', '-q', str(repository)], check=True, env=env)
        subprocess.run(['git', 'commit', '-q', '--allow-empty', '-m', 'release'], check=True, cwd=repository, env=env)
        # annotated and lightweight tags both occur upstream
        tag = ['git', 'tag', '-a', '-m', 'v'] if index % 2 else ['git', 'tag']
        subprocess.run(tag + [pin['state']['version']], check=True, cwd=repository, env=env)
        expected[pin['identity']] = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True,
                                                   cwd=repository, env=env, check=True).stdout.strip()
    copy = tmp_path / 'Package.resolved'
    shutil.copy(ROOT / 'Package.resolved', copy)
    run = subprocess.run(['sh', str(DEPLOY / 'container' / 'repin'), str(copy)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    repinned = json.loads(copy.read_text())
    for before, after in zip(resolved['pins'], repinned['pins']):
        assert after['state'].get('version') == before['state'].get('version')
        if before['identity'] in expected:
            assert after['state']['revision'] == expected[before['identity']], before['identity']
    # a remote without the tested version fails the build instead of resolving something else
    missing = remotes / pins[0]['location'].replace('https://github.com/', '')
    subprocess.run(['git', 'tag', '-d', pins[0]['state']['version']], check=True, cwd=missing, env=env,
                   capture_output=True)
    shutil.copy(ROOT / 'Package.resolved', copy)
    run = subprocess.run(['sh', str(DEPLOY / 'container' / 'repin'), str(copy)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode != 0 and 'has no tag %s' % pins[0]['state']['version'] in run.stderr


# --- compose and Grafana --------------------------------------------------------------------

def test_compose_file_wiring():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose['services']
    assert set(services) == {'stoker', 'graphite-web', 'grafana'}
    stoker, web, grafana = services['stoker'], services['graphite-web'], services['grafana']
    # Build contexts and Containerfiles exist.
    for service in (stoker, web):
        context = (COMPOSE.parent / service['build']['context']).resolve()
        assert (context / service['build']['dockerfile']).is_file()
    # Both see the same data volume; graphite-web only reads it.
    assert 'stoker-data:/var/lib/stoker' in stoker['volumes']
    assert 'stoker-data:/var/lib/stoker:ro' in web['volumes']
    assert set(compose['volumes']) >= {'stoker-data'}
    published = {p.split(':', 1)[1] for p in stoker['ports']}
    # only the ingest ports are published; carbonlink and statsd's admin stay on the compose network
    assert published == {'2003', '2004', '8125/udp', '8125/tcp'}
    assert {'7002', '8126'} <= {str(p) for p in stoker['expose']}
    assert stoker['stop_grace_period'] == '10m'
    # graphite-web reads Stoker's data directory and asks the stoker service's carbonlink port.
    settings = ast.parse((DEPLOY / 'compose' / 'graphite-web' / 'local_settings.py').read_text())
    values = {t.id: node.value for node in settings.body if isinstance(node, ast.Assign)
              for t in node.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(values['CARBONLINK_HOSTS']) == ['stoker:7002:a']
    assert '7002' in [str(p) for p in stoker['expose']]
    container_conf = (DEPLOY / 'container' / 'stoker.conf').read_text()
    assert 'LOCAL_DATA_DIR = /var/lib/stoker/whisper' in container_conf
    assert ast.literal_eval(values['WHISPER_DIR']) == '/var/lib/stoker/whisper/'
    # Grafana's provisioned datasource points at the graphite-web service.
    mount = [v for v in grafana['volumes'] if v.endswith('/etc/grafana/provisioning:ro')][0]
    provisioning = (COMPOSE.parent / mount.split(':')[0]).resolve()
    datasources = yaml.safe_load((provisioning / 'datasources' / 'stoker.yaml').read_text())
    assert datasources['apiVersion'] == 1
    (source,) = datasources['datasources']
    assert source['type'] == 'graphite' and source['url'] == 'http://graphite-web:8080'
    assert any(p.startswith('8080:') for p in web['ports'])


def test_compose_parse_fails_on_broken_yaml():
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load('services:\n  stoker:\n    ports: [2003\n')


# --- every Stoker config under deploy/ is valid ----------------------------------------------

def stoker_configs():
    return sorted(p for p in DEPLOY.rglob('*.conf') if p.read_text().lstrip().startswith(('#', '[')) and '[cache' in p.read_text())


@pytest.mark.parametrize('config', stoker_configs(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_shipped_stoker_configs_pass_check_config(config, tmp_path):
    # The rule files the config would find next to it: its own, else the repository's conf/.
    shutil.copy(config, tmp_path / 'stoker.conf')
    for rules in ('storage-schemas.conf', 'storage-aggregation.conf'):
        source = config.parent / rules if (config.parent / rules).exists() else ROOT / 'conf' / rules
        shutil.copy(source, tmp_path / rules)
    run = subprocess.run([Stoker.binary(), 'check-config', '--config', str(tmp_path / 'stoker.conf'),
                          'stats.page.views', 'carbon.agents.host-a.cpuUsage'],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert ': valid' in run.stdout.splitlines()[0]
    assert 'warning:' not in run.stdout, run.stdout


# --- the unit's system call filter against a real server -------------------------------------

def expand_syscall_group(name, seen=None):
    """The system calls of a SystemCallFilter group as systemd-analyze lists them, nested
    groups expanded."""
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    run = subprocess.run(['systemd-analyze', 'syscall-filter', name], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    calls = set()
    for line in run.stdout.splitlines()[1:]:
        entry = line.strip()
        if not entry or entry.startswith('#'):
            continue
        calls |= expand_syscall_group(entry, seen) if entry.startswith('@') else {entry}
    return calls


def unit_syscall_filter():
    """What the unit's SystemCallFilter lines allow, read in order as systemd does when the
    first is an allow list: a later line adds to it, a `~` line takes away."""
    values = unit_settings(UNIT.read_text())[('Service', 'SystemCallFilter')]
    assert not values[0].startswith('~'), 'an allow list'
    allowed = set()
    for value in values:
        calls = set()
        for entry in value.lstrip('~').split():
            calls |= expand_syscall_group(entry) if entry.startswith('@') else {entry}
        allowed = allowed - calls if value.startswith('~') else allowed | calls
    return allowed


def traced_syscalls(output):
    """System call names from the summary table `strace -C` ends its output with."""
    names = set()
    for line in output[output.rindex('% time'):].splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[-1] not in ('syscall', 'total') and not fields[-1].startswith('-'):
            names.add(fields[-1])
    return names


def test_every_system_call_a_working_server_makes_passes_the_units_filter(stoker_factory, tmp_path):
    """The unit's SystemCallFilter is checked against what Stoker really calls: a server under
    strace takes every kind of input (plaintext TCP and UDP, pickle, statsd UDP, TCP and admin,
    carbonlink, a manhole session, the read API's finds, renders, tags, metrics and pages),
    logs to its write-ahead log, reloads on SIGHUP and drains at SIGTERM; every system call it
    made must be one the filter allows."""
    from carbon_peers import Carbonlink, relay_frame, send_lines, send_pickle, send_udp
    from conftest import free_port, wait_for
    from test_manhole import keypair, ssh
    from test_statsd import admin
    if shutil.which('strace') is None or shutil.which('systemd-analyze') is None:
        pytest.fail('strace and systemd-analyze are test packages (make deps-test)')
    allowed = unit_syscall_filter()
    assert {'sendto', 'pwrite64', 'openat', 'prlimit64', 'fdatasync'} <= allowed
    assert not {'mount', 'reboot', 'setrlimit', 'setuid', 'sched_setscheduler'} & allowed, 'the check can fail'

    key, public = keypair(tmp_path)
    manhole = free_port()
    stoker = stoker_factory({'ENABLE_MANHOLE': 'True', 'MANHOLE_PORT': manhole, 'MANHOLE_USER': 'admin',
                             'MANHOLE_PUBLIC_KEY': public, 'WAL_DIR': str(tmp_path / 'wal'),
                             'CARBON_METRIC_INTERVAL': '1'}, start=False)
    summary = tmp_path / 'strace.txt'
    stoker.start(wrapper=['strace', '-f', '-qq', '-C', '-e', 'signal=none', '-o', str(summary)])
    traced = stoker.process
    server = int(subprocess.run(['pgrep', '-P', str(traced.pid)], capture_output=True, text=True).stdout.split()[0])
    now = int(time.time())
    send_lines(stoker.ports['line'], [b'traced.plain 1 %d\n' % now])
    send_udp(stoker.ports['udp'], b'traced.udp 1 %d\n' % now)
    send_pickle(stoker.ports['pickle'], [relay_frame([('traced.pickle', (now, 1.0))])])
    send_udp(stoker.ports['statsd'], b'traced.counter:1|c\ntraced.timer:5|ms\n')
    with socket.create_connection(('127.0.0.1', stoker.ports['statsd_tcp']), timeout=10) as statsd_tcp:
        statsd_tcp.sendall(b'traced.gauge:3|g\n')
    assert 'uptime' in admin(stoker, 'stats')
    wait_for(lambda: stoker.wsp('traced.plain').exists() and stoker.wsp('stats_counts.traced.counter').exists(),
             timeout=30, what='points on disk')
    link = Carbonlink(stoker.ports['query'])
    link.request({'type': 'cache-query', 'metric': 'traced.plain'})
    link.close()
    session = ssh(manhole, key, 'MetricCache.counts()')
    assert session.returncode == 0, session.stderr
    # the read API: finds, renders, tags written and found, the metrics and the status page
    import urllib.request
    base = 'http://127.0.0.1:%d' % stoker.ports['api']
    for path in ['/metrics/find/?query=traced.*&format=json', '/metrics/find/?query=traced.*&format=pickle&local=1',
                 '/render/?target=traced.*&format=json&from=-5min', "/render/?target=seriesByTag('name=x')&format=msgpack",
                 '/metrics/index.json', '/metrics', '/', '/status/busiest', '/health', '/tags/autoComplete/tags']:
        with urllib.request.urlopen(base + path, timeout=30) as answer:
            assert answer.status == 200, path
    tagged = urllib.request.Request(base + '/tags/tagMultiSeries', data=b'path=a;b=c&path=d;e=f', method='POST')
    with urllib.request.urlopen(tagged, timeout=30) as answer:
        assert answer.status == 200
    os.kill(server, signal.SIGHUP)
    wait_for(lambda: 'event=reloaded' in stoker.output(), what='the reload')
    os.kill(server, signal.SIGTERM)
    assert traced.wait(timeout=120) == 0, stoker.output()[-3000:]
    output = summary.read_text()
    used = traced_syscalls(output)
    assert len(used) > 30, output[-5000:]
    assert used - allowed == set(), 'system calls the unit would refuse: %s' % sorted(used - allowed)
    # MemoryDenyWriteExecute=true refuses memory both writable and executable
    calls = [l for l in output.splitlines() if re.search(r'\b(mmap|mprotect|pkey_mprotect)\(', l)]
    assert calls, 'the trace shows memory mappings'
    both = [l for l in calls if 'PROT_WRITE' in l and 'PROT_EXEC' in l]
    assert both == [], both[:5]
