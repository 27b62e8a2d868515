#!/usr/bin/python3
"""Writes the seed corpus, Fuzz/corpus/<target>/<name>: small real inputs for each target.

Run with Debian's /usr/bin/python3 (its pickle writes what carbon-relay and graphite-web send).
Deterministic: running it again rewrites the same files. Inputs that crashed a target once are
added by hand as regression-<what> files and are not touched here.
"""
import os
import pickle
import re
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHlUeiKggFIUx9wsSjt2ZE2jv9m9vSH6/uKuRn0D+efp fuzz@stoker"
ECDSA = ("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFs5g9T/ta6tjZWrTl3XuXedejADpkdJ"
         "/SlNnSsgrBFzAd8A73y/mdBP7Bbq2cittlfHRJ3iYN8UKK4+5meggP8= fuzz@stoker")
RSA = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC3GIPSfPdILSqjQ8iVg3Ss4duACbBN188x98sMTdDPszQ+q6y4hVRSpYAa4PKEUjrxfhqkNvAl"
       "n2BZtaA2s1U6Kyk0BfGR4Pdt+F4NCz27O4aWXVwwof7GiO1RxV7orseaZfXIyrFTKWrOFQtmMBmOB2Jq4jW5MX0EzDXaaaANhQLIjNAwtu1gwC0/ca"
       "xdSlNoHIjpWtl05AofqvF500DyCJX4rencGxWLvH4UtSoHl/oT48bGAu6n3BwGex/HcpiUxny/Vdv46SkE88d9xjm3HWPyhelKJPhMuliTZiGnEkIG"
       "cPZGzHmfHQj0Pq645jicmKRKSvSSXCrUfWZif9WV fuzz@stoker")


def write(target, name, data):
    directory = os.path.join(FUZZ, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def frame(payload):
    return struct.pack("!L", len(payload)) + payload


def statsd():
    seeds = {
        "counter": "gorets:1|c",
        "counter-sampled": "gorets:1|c|@0.1",
        "counter-float-exponent": "page.views:2.5e1|c|@2e-1",
        "timer": "glork:320|ms",
        "timer-sampled": "glork:320|ms|@0.1",
        "gauge": "gaugor:333|g",
        "gauge-delta": "gaugor:-10|g\ngaugor:+4|g",
        "set": "uniques:765|s",
        "set-proto": "uniques:__proto__|s\nuniques:|s",
        "histogram-distribution": "h.api:12|h\nd.api:1.5|d",
        "tags": "tagged.metric:1|c|#env:prod,host:a",
        "tags-sampled": "tagged.timer:3|ms|@0.5|#region:eu;west,role",
        "multi-segment": "multi:1|c:2|ms:3|g",
        "packet": "a:1|c\nb:2|ms\nc:3|g\nd:x|s\n\n",
        "sanitize": "a b/c\\d:1|c\nwith\ttab:1|c",
        "bad-lines": "no-colon\nnotype:1\nbad:1|c|@0\nbad:1|c|@ 0.5\nneg:-1|ms\nbad:abc|c",
        "whitespace-number": "ws: 0x10 |c\nws:\t1e3\t|g",
        "statsd-self": "statsd.bad_lines_seen:1|c",
        "dogstatsd-packed": "page.views:1:2:3|c|@0.5|#env:prod|c:abc123\nlat:1:2|ms|card:low",
        "dogstatsd-timestamp": "temp:21.5|g|#room:a|T1700000000\nsold:3|c|T1700000000|c:ci-1",
        "dogstatsd-event": "_e{5,11}:Hello|line1\\nline2|d:1700000000|h:web1|p:low|t:warning|s:app|k:deploy|#env:prod",
        "dogstatsd-service-check": "_sc|db.up|2|d:1700000000|h:db1|#role:primary|m:replica lag | high",
        "dogstatsd-bad": "_e{99,1}:x|y\n_sc|x|7\nx:1:two|c\nx:1|c|T12x\nx:1|c|wat",
    }
    for name, text in seeds.items():
        write("statsd", name, text)


def plaintext():
    seeds = {
        "line": "a.b.c 42 1700000000\n",
        "lines": "a.b 1 1700000000\na.b 2 1700000060\nc.d 3.5 1700000000.5\n",
        "tagged": "disk.used;dc=eu;host=a 1.5 1700000000\ndisk.used;host=a;dc=eu 2 1700000000\n",
        "now": "load.shortterm 0.25 -1\n",
        "nan-inf": "x nan 1700000000\nx inf 1700000000\nx 1 inf\nx 1 nan\n",
        "python-floats": "p 1_000.5 1.7e9\np -.5 +1700000000\np 1E-3 1700000000.\n",
        "whitespace": "tabs\t1\t1700000000\r\nvt\x0b2\x0c1700000000\n",
        "unicode": "météo.température 21.5 1700000000\nideographic\u30001\u30001700000000\n",
        "bad-lines": "only two\nfour fields here 1\n\nbad value 1700000000\nbad 1 timestamp\n",
        "unterminated": "a.b 1 1700000000\na.b 2",
        "names": "a..b 1 1700000000\n.a 1 1700000000\na/../b 1 1700000000\n{a} 1 1700000000\n~x 1 1700000000\n",
    }
    for name, text in seeds.items():
        write("plaintext", name, text)
    write("plaintext", "invalid-utf8", b"ok 1 1700000000\n\xff\xfe.bad 1 1700000000\nok 2 1700000000\n")


def relay_batch():
    return [("servers.host-a.cpu.user", (1700000000.0, 12.5)),
            ("servers.host-a.cpu.system", (1700000000.0, 3.0)),
            ("servers.host-b.disk;dc=eu", (1700000060.0, 1e9))]


def py2_str_pickle():
    """What a Python 2 carbon-relay sends: protocol 2 with py2 str (SHORT_BINSTRING)."""
    out = b"\x80\x02]q\x00(U\x05a.b.cq\x01GA\xd9O\xa6\xe0\x00\x00\x00G@E\x00\x00\x00\x00\x00\x00\x86q\x02\x86q\x03e."
    assert pickle.loads(out, encoding="bytes")  # sanity: Python reads it
    return out


def pickles():
    batch = relay_batch()
    seeds = {
        "relay-protocol2": pickle.dumps(batch, protocol=2),
        "relay-protocol0": pickle.dumps(batch, protocol=0),
        "relay-protocol1": pickle.dumps(batch[:1], protocol=1),
        "relay-protocol4": pickle.dumps(batch, protocol=4),
        "relay-protocol5": pickle.dumps(batch, protocol=5),
        "relay-py2-str": py2_str_pickle(),
        "int-timestamps": pickle.dumps([("a.b", (1700000000, 1)), ("a.b", (-1, 2**70))], protocol=2),
        "string-values": pickle.dumps([("a.b", ("1700000000", "1.5")), ("c", [b"1700000000", "nan"])], protocol=2),
        "bad-entries": pickle.dumps([("a", 1), ("b", (1,)), (1, (1, 2)), None, ("c", (1e999, 1))], protocol=2),
        "shared-refs": pickle.dumps([[("a", (1, 2))] * 3, {"k": {1, 2}}, frozenset([3])], protocol=4),
        "global-refused": b"cos\nsystem\n(S'echo hi'\ntR.",
        "memo-and-dup": b"\x80\x02]q\x00(h\x00h\x00e2.",
    }
    for name, data in seeds.items():
        write("pickle", name, data)
    write("pickle-frame", "one-frame", frame(pickle.dumps(batch, protocol=2)))
    write("pickle-frame", "two-frames", frame(pickle.dumps(batch[:1], protocol=2)) + frame(pickle.dumps(batch[1:], protocol=0)))
    write("pickle-frame", "bad-then-good", frame(b"cos\nsystem\n(S'id'\ntR.") + frame(pickle.dumps(batch[:1], protocol=2)))
    write("pickle-frame", "too-long", frame(pickle.dumps(batch, protocol=2)) + struct.pack("!L", 1 << 20) + b"\x80\x02")
    write("pickle-frame", "partial", frame(pickle.dumps(batch, protocol=2))[:-5])


def carbonlink():
    requests = {
        "cache-query": {"type": "cache-query", "metric": "fuzz.metric"},
        "cache-query-tagged": {"type": "cache-query", "metric": "fuzz.tagged;dc=x"},
        "cache-query-bulk": {"type": "cache-query-bulk", "metrics": ["fuzz.metric", "fuzz.other", "a..b"]},
        "get-metadata": {"type": "get-metadata", "metric": "fuzz.metric", "key": "aggregationMethod"},
        "set-metadata": {"type": "set-metadata", "metric": "fuzz.metric", "key": "aggregationMethod", "value": "max"},
        "set-metadata-bad": {"type": "set-metadata", "metric": "fuzz.metric", "key": "aggregationMethod", "value": "median"},
        "unknown-type": {"type": "flush", "metric": "x"},
    }
    for name, request in requests.items():
        # graphite-web: pickle.dumps(request, protocol=-1), the highest protocol (5).
        write("carbonlink", name, pickle.dumps(request, protocol=5))
    write("carbonlink", "cache-query-protocol2", pickle.dumps(requests["cache-query"], protocol=2))
    write("carbonlink", "not-a-dict", pickle.dumps(["cache-query", "fuzz.metric"], protocol=5))


def config():
    with open(os.path.join(ROOT, "conf", "stoker.conf")) as f:
        text = f.read()
    # conf/stoker.conf with every documented key set to its default, comments dropped.
    every_key = []
    for line in text.splitlines():
        match = re.match(r"^# ?([A-Za-z_]+ *=.*)$", line)
        if match:
            every_key.append(match.group(1))
        elif line.startswith("["):
            every_key.append(line)
    write("config", "stoker-conf-every-key", "\n".join(every_key) + "\n")
    write("config", "manhole", f"""[cache]
STORAGE_DIR = /var/lib/stoker/
ENABLE_MANHOLE = True
MANHOLE_USER = admin
MANHOLE_PUBLIC_KEY = {ED25519}
MANHOLE_PORT = 7222
""")
    write("config", "manhole-rsa", f"""[cache]
ENABLE_MANHOLE = yes
MANHOLE_USER = admin
MANHOLE_RSA_MIN_SIZE = 2048
MANHOLE_PUBLIC_KEY = {RSA}
""")
    write("config", "manhole-ecdsa-instance", f"""[cache]
enable_manhole = on
manhole_user = ops
manhole_public_key = None

[cache:b]
MANHOLE_PUBLIC_KEY = {ECDSA}
LINE_RECEIVER_PORT = 2103
""")
    write("config", "instances", """[cache]
LINE_RECEIVER_PORT = 2003
MAX_CACHE_SIZE = 5e6
MAX_UPDATES_PER_SECOND = 500
MAX_CREATES_PER_MINUTE = inf
CACHE_WRITE_STRATEGY = timesorted
MIN_TIMESTAMP_LAG = 30
LOG_LEVEL = Warning
UNKNOWN_KEY = 1

[cache:b]
LINE_RECEIVER_PORT = 2103
PICKLE_RECEIVER_PORT = 2104
CACHE_QUERY_PORT = 7102
""")
    write("config", "statsd", """[statsd]
flushInterval = 10000
percentThreshold = 90, 95, -10, 99.9
histogram = api.:10,100,inf; :1,10
calculatedTimerMetrics = count, mean, upper
deleteIdleStats = true
deleteGauges = false
gaugesMaxTTL = 3
legacyNamespace = false
globalPrefix = stats
globalSuffix =
graphiteHost = relay.example
graphitePort = 2013
keyNameSanitize = false
""")
    write("config", "bad-values", """[cache]
MAX_CACHE_SIZE = -1
USE_INSECURE_UNPICKLER = True
[statsd]
percentThreshold = 0
""")
    write("config", "continuation", "[cache]\nLOG_LEVEL =\n    info\n  ; comment\nSTORAGE_DIR: /tmp\r\n[statsd]\r\nport=8125\r\n")


def storage_rules():
    for name in ("storage-schemas.conf", "storage-aggregation.conf"):
        with open(os.path.join(ROOT, "conf", name)) as f:
            write("storage-rules", name, f.read())
    write("storage-rules", "schemas-units", """[a]
pattern = ^servers\\.(?P<host>[a-z-]+)\\.cpu
retentions = 10s:6h, 1m:7d,10m:5y
[b]
pattern = (?i)^STATS\\.
retentions = 60:1440,1h:1y
[bad-unit]
pattern = x
retentions = 1min:1d
""")
    write("storage-rules", "schemas-invalid", """[zero]
pattern = .
retentions = 0:10
[overlap]
pattern = [a-z]+\\d*$
retentions = 60:10,10:100
[lookbehind]
pattern = (?<=a)b
retentions = 60:10
""")
    write("storage-rules", "aggregation-edge", """[nan]
pattern = \\.nan$
xFilesFactor = nan
aggregationMethod = avg_zero
[text]
pattern = ^a
xFilesFactor = half
[abs]
pattern = [^.]+\\.(max|min)_?\\d{1,3}$
xFilesFactor = 1e-1
aggregationMethod = absmax
""")
    write("storage-rules", "whitelist", "^stats\\.\n# a comment\n\n^carbon\\.agents\\.[^.]+\\.cpu\n.*;dc=eu\n(unclosed\n")
    write("storage-rules", "quotas", """[*]
metrics = 1,000
throughput = 600_000
[stats.{timers,gauges}.*]
new-series-per-minute = 2
dropping-policy = none
[/]
metrics = 3
new-series-per-minute = max
""")


def manhole():
    # The README's session and `help`'s commands, as an operator types them.
    script = """from carbon.cache import MetricCache
print MetricCache['PROD.apps.xxx.yyy.zzz']
MetricCache.counts()
from carbon.writer import writeCachedDataPoints
writeCachedDataPoints()
"""
    write("manhole", "readme-session", script)
    write("manhole", "carbon-11-spellings",
          "import carbon.cache\ncarbon.cache.MetricCache()['x']\ncarbon.cache.MetricCache().counts\n"
          "carbon.cache.MetricCache.size; len(carbon.cache.MetricCache)\ncarbon.conf.settings.MAX_CACHE_SIZE\n")
    write("manhole", "stoker-commands",
          "help()\ncache.size, cache.largest(10), cache.names('a.*.c')\nwatch('a.*.c', seconds=1)\n"
          "writer.stats\nwriter.rates(seconds=1)\nconfig\nconfig['MAX_CACHE_SIZE']\n"
          "whisper.info('a.b.c')\nwhisper.fetch('a.b.c', -3600, until=None)\nwhisper.path('a.b;x=1')\n"
          "statsd.counters('glob'); statsd.flush()\nflush()\ntime.time()\ndir()\nhelp(cache)\n")
    write("manhole", "expressions",
          "x = 'ab' * 3; print x[1:], len(x), x[-1]\n{'a': 1, 'b': [1, 2.5, None, True]}['b'][1:3]\n"
          "1 + 2 * 3 ** 2 // 4 % 5 - -7 / 2.0\nsorted([3, 1, 2], reverse=True); sum((1, 2), 10); min(3, 1); max([])\n"
          "not 1 == 1.0 != 2 <= 3\nint('12'); float('1e3'); str(None); repr('it\\'s'); abs(-4); round(2.675, 2)\n"
          "type(1); list('abc'); 1e308 * 10; 9223372036854775807 + 1\nprint('a', 'b', sep='-', end='!\\n')\n")
    write("manhole", "errors",
          "1/0\nundefined\nimport os\nfrom carbon import nothing\n'a' + 1\n(1, 2)[5]\nx = \ndef f(): pass\n"
          "'unterminated\n0x10\n[1, 2\nexit()\nnever reached\n")
    # Keystrokes on a terminal: typing, Tab completion, arrows, history, Ctrl-C, Ctrl-D.
    write("manhole", "terminal-keys",
          "Metr\tcou\t()\r\x1b[A\x1b[D\x1b[D\x7f\x7f\r\x1b[B\x1b[C\x01\x05\x0b\x15cache.\t\t\x03help()\r\x04")
    write("manhole", "terminal-escapes", "\x1b[1;5C\x1bOH\x1b[3~\x1b[200~pasted\x1b[201~\r\x1b\x1b[Z\xc3\xa9\r\x04")


def read_queries():
    # What graphite-web's cluster client, its TagDB client and dashboards send to [api].
    write("read-queries", "find-json", "query=a.*&format=json")
    write("read-queries", "find-globs", "query=%7Ba%2Cb%7D.%5B%21x%5D*.**&format=pickle")
    write("read-queries", "render",
          "target=a.b.*&target=seriesByTag('dc=~e.*','host!=b')&format=msgpack&from=-1h&until=now&now=1700000100")
    write("read-queries", "tags", "expr=dc=eu&expr=host=~a|b&expr=env!=&tag=host&valuePrefix=a&limit=2")
    write("read-queries", "braces", "query={a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}&from=20261206")


def main():
    statsd()
    plaintext()
    pickles()
    carbonlink()
    config()
    storage_rules()
    manhole()
    read_queries()


if __name__ == "__main__":
    sys.exit(main())
