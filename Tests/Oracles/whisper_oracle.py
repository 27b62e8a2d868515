#!/usr/bin/python3
"""Applies a list of whisper operations with the real whisper module (python3-whisper).

Stoker's differential tests write the cases as JSON, run this with /usr/bin/python3 and compare
the resulting files byte for byte, and the fetch answers value for value, with their own.

Input (argv[1]): {"cases": [{"id", "archives": [[step, points], ...], "xff", "method",
  "batches": [{"now", "points": [[ts, value_bits], ...]}],
  "fetches": [{"from", "until", "now"}]}]}
Values travel as the 64-bit IEEE pattern so -0.0 and every digit survive JSON.
Output: files <dir>/<id>.wsp and <dir>/fetches.json with, per case, a list of
null or {"from", "until", "step", "values": [bits or null]}.
"""
import json
import os
import struct
import sys

import whisper


def to_float(bits):
    return struct.unpack('!d', bits.to_bytes(8, 'big'))[0]


def to_bits(value):
    return int.from_bytes(struct.pack('!d', value), 'big')


def fetch(path, request):
    answer = whisper.fetch(path, request['from'], request['until'], now=request['now'])
    if answer is None:
        return None
    (start, end, step), values = answer
    return {'from': start, 'until': end, 'step': step,
            'values': [None if v is None else to_bits(v) for v in values]}


def main():
    spec = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    fetched = {}
    for case in spec['cases']:
        path = os.path.join(out, '%s.wsp' % case['id'])
        whisper.create(path, [tuple(a) for a in case['archives']],
                       xFilesFactor=case['xff'], aggregationMethod=case['method'])
        for batch in case['batches']:
            points = [(ts, to_float(bits)) for ts, bits in batch['points']]
            whisper.update_many(path, points, now=batch['now'])
        fetched[case['id']] = [fetch(path, f) for f in case['fetches']]
    json.dump(fetched, open(os.path.join(out, 'fetches.json'), 'w'))


if __name__ == '__main__':
    main()
