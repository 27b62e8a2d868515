"""The manhole inside a running `stoker serve`, driven by the real OpenSSH client."""
import subprocess
import time

import whisper

from carbon_peers import send_lines
from conftest import free_port, wait_for


def keypair(directory, kind='ed25519'):
    key = directory / ('id_' + kind)
    subprocess.run(['ssh-keygen', '-q', '-t', kind, '-N', '', '-f', str(key)], check=True)
    return key, (directory / ('id_%s.pub' % kind)).read_text().strip()


def ssh(port, key, *command, user='admin', stdin=None, tty=False):
    args = ['ssh', '-p', str(port), '-i', str(key), '-o', 'StrictHostKeyChecking=no',
            '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR']
    if tty:
        args.append('-tt')
    return subprocess.run(args + ['%s@127.0.0.1' % user] + list(command), input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_classic_session_in_the_live_process(stoker_factory, tmp_path):
    key, public = keypair(tmp_path)
    port = free_port()
    stoker = stoker_factory({'ENABLE_MANHOLE': 'True', 'MANHOLE_PORT': port, 'MANHOLE_USER': 'admin',
                             'MANHOLE_PUBLIC_KEY': public, 'MANHOLE_HOST_KEY_DIR': str(tmp_path / 'hostkeys'),
                             'MAX_UPDATES_PER_SECOND': '0.001', 'MAX_UPDATES_PER_SECOND_ON_SHUTDOWN': 'inf'})
    assert 'manhole=127.0.0.1:%d' % port in stoker.output()
    now = int(time.time())
    send_lines(stoker.ports['line'], ['first.metric 0 %d\n' % now, 'PROD.apps.x 93800 %d\n' % (now - 20),
                                      'PROD.apps.x 98200 %d\n' % (now - 10), 'PROD.apps.x 91900 %d\n' % now])
    result = ssh(port, key, 'MetricCache.counts()')
    assert result.returncode == 0, result.stderr
    assert "('PROD.apps.x', 3)" in result.stdout
    session = '\n'.join([
        'from carbon.cache import MetricCache',
        "print MetricCache['PROD.apps.x']",
        'from carbon.writer import writeCachedDataPoints',
        'writeCachedDataPoints()',
        'exit()',
    ]) + '\n'
    result = ssh(port, key, stdin=session, tty=True)
    expected = '[(%d.0, 93800.0), (%d.0, 98200.0), (%d.0, 91900.0)]' % (now - 20, now - 10, now)
    assert expected in result.stdout, result.stdout
    path = stoker.wsp('PROD.apps.x')
    wait_for(path.exists, what='written by writeCachedDataPoints')
    (start, end, step), values = whisper.fetch(str(path), now - 60, now, now=now)
    assert [v for v in values if v is not None] == [93800.0, 98200.0, 91900.0]
    # errors exit 1 and read like Python
    result = ssh(port, key, "MetricCache['no.such']")
    assert result.returncode == 1 and 'KeyError' in result.stderr
    # a wrong user is refused
    assert ssh(port, key, 'MetricCache.size', user='root').returncode != 0


def test_enabling_without_a_key_is_refused(stoker_factory):
    result = stoker_factory({'ENABLE_MANHOLE': 'True', 'MANHOLE_USER': 'admin'}, start=False).run_expecting_exit()
    assert result.returncode != 0
    assert 'MANHOLE_PUBLIC_KEY' in result.stderr
