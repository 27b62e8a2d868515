"""Peers that talk to Stoker exactly as the real tools do: plaintext senders, carbon-relay's
pickle batches (protocol 2), graphite-web's carbonlink client (highest protocol)."""
import pickle
import socket
import struct
import time

import whisper


def send_lines(port, lines, close=True):
    with socket.create_connection(('127.0.0.1', port)) as s:
        s.sendall(''.join(lines).encode() if isinstance(lines[0], str) else b''.join(lines))
        if close:
            s.shutdown(socket.SHUT_WR)
            s.recv(1)  # wait for Stoker to close its side: everything was read


def send_udp(port, payload):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(payload, ('127.0.0.1', port))


def relay_frame(datapoints, protocol=2):
    """carbon-relay's PickleClient: pickle.dumps(list of (metric, (ts, value))), protocol 2."""
    body = pickle.dumps(datapoints, protocol=protocol)
    return struct.pack('!L', len(body)) + body


def send_pickle(port, frames):
    with socket.create_connection(('127.0.0.1', port)) as s:
        s.sendall(b''.join(frames))
        s.shutdown(socket.SHUT_WR)
        s.recv(1)


class Carbonlink:
    """graphite-web's CarbonLinkPool wire format: length-prefixed pickles both ways."""

    def __init__(self, port, protocol=pickle.HIGHEST_PROTOCOL):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=5)
        self.protocol = protocol

    def request(self, req):
        body = pickle.dumps(req, protocol=self.protocol)
        self.sock.sendall(struct.pack('!L', len(body)) + body)
        return self.read_answer()

    def read_answer(self):
        (length,) = struct.unpack('!L', self._read(4))
        raw = self._read(length)
        return pickle.loads(raw), raw

    def _read(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError('carbonlink closed the connection')
            data += chunk
        return data

    def close(self):
        self.sock.close()


def fetch(path, seconds=600, ahead=0):
    """{timestamp: value} of the known points; `ahead` also shows points stamped up to that
    many seconds in the future (statsd stamps a flush with the rounded current second)."""
    now = int(time.time()) + ahead
    (start, end, step), values = whisper.fetch(str(path), now - seconds, now, now=now)
    return {start + i * step: v for i, v in enumerate(values) if v is not None}
