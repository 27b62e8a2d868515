"""deploy/: the files that cannot be exercised here (containers cannot run on these machines)
are at least syntax-checked and their wiring verified; the systemd unit goes through
`systemd-analyze verify`; every Stoker config shipped under deploy/ passes `stoker check-config`."""
import ast
import json
import pathlib
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT, Stoker

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


def verify_unit(tmp_path, text):
    """systemd-analyze verify on a copy whose ExecStart binary exists here; (rc, complaints)."""
    if shutil.which('systemd-analyze') is None:
        pytest.skip('systemd-analyze is not installed')
    unit = tmp_path / 'stoker.service'
    unit.write_text(text.replace('/usr/local/bin/stoker', Stoker.binary()))
    run = subprocess.run(['systemd-analyze', 'verify', str(unit)], capture_output=True, text=True, timeout=60)
    return run.returncode, (run.stdout + run.stderr).strip()


def test_systemd_unit_verifies_cleanly(tmp_path):
    code, complaints = verify_unit(tmp_path, UNIT.read_text())
    assert code == 0 and complaints == '', complaints


def test_systemd_verify_catches_a_broken_unit_in_this_sandbox(tmp_path):
    """The check above can fail here: systemd-analyze reports an unparsable value and an
    unknown key (it only warns, so the test treats any output as a failure)."""
    broken = UNIT.read_text().replace('TimeoutStopSec=900', 'TimeoutStopSec=forever\nNoSuchSetting=1')
    code, complaints = verify_unit(tmp_path, broken)
    assert 'forever' in complaints and 'NoSuchSetting' in complaints


def test_systemd_unit_settings():
    s = unit_settings(UNIT.read_text())
    assert s[('Service', 'User')] == ['stoker'] and s[('Service', 'Group')] == ['stoker']
    assert int(s[('Service', 'LimitNOFILE')][0]) >= 65536
    assert int(s[('Service', 'TimeoutStopSec')][0]) >= 300, 'a drain needs minutes'
    assert s[('Service', 'KillSignal')] == ['SIGTERM']
    assert s[('Service', 'ExecReload')] == ['/bin/kill -HUP $MAINPID']
    assert s[('Service', 'ExecStart')][0].split()[1:] == ['serve', '--config', '/etc/stoker/stoker.conf']
    assert s[('Service', 'ExecStartPre')][0].split()[1] == 'check-config'
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
                    assert (context / source).exists(), '%s: COPY source %s missing from %s' % (path, source, context)
    return instructions


def test_stoker_containerfile():
    instructions = lint_containerfile(CONTAINERFILE, ROOT)
    froms = [rest for word, rest in instructions if word == 'FROM']
    assert len(froms) == 2, 'multi-stage: a build stage and a runtime stage'
    assert froms[0].split()[0].startswith('docker.io/library/swift:6.3') and froms[0].endswith('AS build')
    assert 'debian:bookworm-slim' in froms[1]
    runtime = instructions[[w for w, _ in instructions].index('FROM', 1):]
    runs = ' '.join(rest for word, rest in runtime if word == 'RUN')
    assert 'libssh-4' in runs and 'useradd --system' in runs
    assert any(w == 'COPY' and rest.startswith('--from=build') and '/usr/local/bin/stoker' in rest for w, rest in runtime)
    exposed = set(' '.join(rest for word, rest in runtime if word == 'EXPOSE').split())
    assert exposed == {'8125/udp', '8125/tcp', '8126/tcp', '2003/tcp', '2004/tcp', '7002/tcp'}
    users = [rest for word, rest in runtime if word == 'USER']
    assert users and users[-1] not in ('root', '0')
    assert any(word == 'VOLUME' and '/var/lib/stoker' in rest for word, rest in runtime)
    build_runs = ' '.join(rest for word, rest in instructions[:len(instructions) - len(runtime)] if word == 'RUN')
    assert 'libssh-dev' in build_runs and 'swift build -c release' in build_runs


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
    with pytest.raises(AssertionError, match='missing'):
        lint_containerfile(bad, tmp_path)


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
    assert published == {'2003', '2004', '8125/udp', '8125/tcp', '8126'}
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
