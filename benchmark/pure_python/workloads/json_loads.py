# From pyperformance 1.14.0, bm_json_loads/run_benchmark.py (MIT, see ../LICENSE-pyperformance).
# Changed: pyperf removed; sys.maxsize pinned to its 64-bit value (wasm32 has 2**31 - 1) so every
#   runtime parses the same numbers; run() does the 20 loads of each object 100 times and checks a
#   round trip.
"""Script for testing the performance of json parsing and serialization.

This will dump/load several real world-representative objects a few
thousand times. The methodology below was chosen for was chosen to be similar
to real-world scenarios which operate on single objects at a time.
"""

# Python imports
import json
import random


DICT = {
    'ads_flags': 0,
    'age': 18,
    'bulletin_count': 0,
    'comment_count': 0,
    'country': 'BR',
    'encrypted_id': 'G9urXXAJwjE',
    'favorite_count': 9,
    'first_name': '',
    'flags': 412317970704,
    'friend_count': 0,
    'gender': 'm',
    'gender_for_display': 'Male',
    'id': 302935349,
    'is_custom_profile_icon': 0,
    'last_name': '',
    'locale_preference': 'pt_BR',
    'member': 0,
    'tags': ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    'profile_foo_id': 827119638,
    'secure_encrypted_id': 'Z_xxx2dYx3t4YAdnmfgyKw',
    'session_number': 2,
    'signup_id': '201-19225-223',
    'status': 'A',
    'theme': 1,
    'time_created': 1225237014,
    'time_updated': 1233134493,
    'unread_message_count': 0,
    'user_group': '0',
    'username': 'collinwinter',
    'play_count': 9,
    'view_count': 7,
    'zip': ''}

TUPLE = (
    [265867233, 265868503, 265252341, 265243910, 265879514,
     266219766, 266021701, 265843726, 265592821, 265246784,
     265853180, 45526486, 265463699, 265848143, 265863062,
     265392591, 265877490, 265823665, 265828884, 265753032], 60)

MAXSIZE_64 = 2**63 - 1


def mutate_dict(orig_dict, random_source):
    new_dict = dict(orig_dict)
    for key, value in new_dict.items():
        rand_val = random_source.random() * MAXSIZE_64
        if isinstance(key, (int, bytes, str)):
            new_dict[key] = type(key)(rand_val)
    return new_dict


random_source = random.Random(5)  # Fixed seed.
DICT_GROUP = [mutate_dict(DICT, random_source) for _ in range(3)]

OBJS = (json.dumps(DICT), json.dumps(TUPLE), json.dumps(DICT_GROUP))
LOOPS = 100


def run():
    for _ in range(LOOPS):
        for obj in OBJS:
            # 20 loads
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
            json.loads(obj)
    if json.loads(OBJS[0]) != DICT or json.loads(OBJS[2]) != DICT_GROUP:
        raise AssertionError("json_loads: round trip changed the data")
