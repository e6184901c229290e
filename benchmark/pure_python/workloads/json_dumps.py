# From pyperformance 1.14.0, bm_json_dumps/run_benchmark.py (MIT, see ../LICENSE-pyperformance).
# Changed: pyperf removed; run() dumps every case 3 times (about 0.1 s natively) and checks the
#   HUGE output.
import json


EMPTY = ({}, 2000)
SIMPLE_DATA = {'key1': 0, 'key2': True, 'key3': 'value', 'key4': 'foo',
               'key5': 'string'}
SIMPLE = (SIMPLE_DATA, 1000)
NESTED_DATA = {'key1': 0, 'key2': SIMPLE[0], 'key3': 'value', 'key4': SIMPLE[0],
               'key5': SIMPLE[0], 'key': '\u0105\u0107\u017c'}
NESTED = (NESTED_DATA, 1000)
HUGE = ([NESTED[0]] * 1000, 1)

CASES = ['EMPTY', 'SIMPLE', 'NESTED', 'HUGE']

EXPECTED_HUGE_LENGTH = 314000  # from native CPython


LOOPS = 3


def run():
    for _ in range(LOOPS):
        for case in CASES:
            obj, count = globals()[case]
            for _ in range(count):
                text = json.dumps(obj)
    # The last case is HUGE.
    if len(text) != EXPECTED_HUGE_LENGTH or json.loads(text) != HUGE[0]:
        raise AssertionError(f"json_dumps: HUGE gave {len(text)} characters, expected {EXPECTED_HUGE_LENGTH}")
