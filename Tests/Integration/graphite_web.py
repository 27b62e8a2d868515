"""Debian's graphite-web (apt-get install graphite-web), configured in a temporary directory and
served by Django's own server on a free loopback port, reading Stoker's whisper files and asking
Stoker's carbonlink port for points still in the cache.

Nothing under /etc/graphite or /var/lib/graphite is touched: graphite.settings imports the
module named by GRAPHITE_SETTINGS_MODULE as its local_settings, and that module lives in the
temporary directory (with a throwaway SECRET_KEY and sqlite database).
"""
import json
import os
import pathlib
import subprocess
import sys
import urllib.parse
import urllib.request

from conftest import free_port, missing_reference, wait_for

GRAPHITE_PACKAGE = pathlib.Path('/usr/lib/python3/dist-packages/graphite/settings.py')


def require_graphite_web():
    if not GRAPHITE_PACKAGE.exists():
        missing_reference('graphite-web is not installed (apt-get install graphite-web; `make test` does it)')


class GraphiteWeb:
    def __init__(self, directory, data_dirs, carbonlink_hosts, cluster_servers=(), extra_settings=()):
        """cluster_servers: graphite-web's CLUSTER_SERVERS (a front with no data of its own
        passes an empty data directory); extra_settings: more local_settings lines."""
        require_graphite_web()
        self.dir = pathlib.Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / 'log').mkdir(exist_ok=True)
        self.port = free_port()
        dirs = [str(d).rstrip('/') + '/' for d in data_dirs]
        settings = '\n'.join([
            '# written by Tests/Integration/graphite_web.py for one test run',
            'SECRET_KEY = %r' % os.urandom(24).hex(),
            'STORAGE_DIR = %r' % str(self.dir),
            'CONF_DIR = %r' % str(self.dir),
            'LOG_DIR = %r' % str(self.dir / 'log'),
            'INDEX_FILE = %r' % str(self.dir / 'index'),
            'WHISPER_DIR = %r' % dirs[0],
            'STANDARD_DIRS = %r' % dirs,
            'CARBONLINK_HOSTS = %r' % list(carbonlink_hosts),
            'CLUSTER_SERVERS = %r' % list(cluster_servers),
            'CARBONLINK_TIMEOUT = 5.0',
            # graphite-web gives a whole render 6 s by default (FETCH_TIMEOUT); reading 10k
            # whisper files on a loaded 2-core CI machine can take longer than that.
            'FETCH_TIMEOUT = 120',
            'FIND_TIMEOUT = 120',
            'DEFAULT_XFILES_FACTOR = 0',
            'ALLOWED_HOSTS = ["127.0.0.1", "localhost"]',
            'LOG_RENDERING_PERFORMANCE = False',
            'LOG_CACHE_PERFORMANCE = False',
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %r}}'
            % str(self.dir / 'graphite.db'),
        ] + list(extra_settings) + [''])
        (self.dir / 'stoker_graphite_local.py').write_text(settings)
        self.env = dict(os.environ)
        self.env.update({
            'PYTHONPATH': str(self.dir),
            'DJANGO_SETTINGS_MODULE': 'graphite.settings',
            'GRAPHITE_SETTINGS_MODULE': 'stoker_graphite_local',
            'PYTHONDONTWRITEBYTECODE': '1',
        })
        self.log = open(self.dir / 'runserver.log', 'w+')
        self.process = None

    def start(self):
        migrate = subprocess.run([sys.executable, '-m', 'django', 'migrate', '--run-syncdb', '-v', '0'],
                                 env=self.env, cwd=str(self.dir), capture_output=True, text=True, timeout=300)
        assert migrate.returncode == 0, 'graphite-web migrate failed:\n%s%s' % (migrate.stdout, migrate.stderr)
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'django', 'runserver', '--noreload', '127.0.0.1:%d' % self.port],
            env=self.env, cwd=str(self.dir), stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._answers, timeout=120, interval=0.2, what='graphite-web runserver on port %d' % self.port)
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError('graphite-web exited early:\n' + self.output())
        try:
            urllib.request.urlopen('http://127.0.0.1:%d/version' % self.port, timeout=5).read()
            return True
        except OSError:
            return False

    def output(self):
        self.log.flush()
        return (self.dir / 'runserver.log').read_text(errors='replace')

    def get(self, path, **query):
        url = 'http://127.0.0.1:%d%s?%s' % (self.port, path, urllib.parse.urlencode(query, doseq=True))
        try:
            with urllib.request.urlopen(url, timeout=120) as answer:
                return json.loads(answer.read().decode())
        except urllib.error.HTTPError as error:
            raise AssertionError('%s -> HTTP %d: %s\n%s' % (url, error.code, error.read()[:2000], self.output()[-4000:]))

    def render(self, target, since='-5min', **extra):
        """{target name: {timestamp: value}} of the non-null points."""
        series = self.get('/render', target=target, format='json', **{'from': since}, **extra)
        return {s['target']: {ts: v for v, ts in s['datapoints'] if v is not None} for s in series}

    def find(self, query):
        """The nodes /metrics/find returns (treejson): [{'id', 'text', 'leaf', ...}], one per
        distinct node name (treejson merges equal names found under different branches)."""
        return self.get('/metrics/find', query=query)

    def find_paths(self, query):
        """Every full path /metrics/find matches (format=completer): {path: is_leaf}."""
        answer = self.get('/metrics/find', query=query, format='completer')
        return {m['path'].rstrip('.'): str(m['is_leaf']) == '1' for m in answer['metrics']}

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
