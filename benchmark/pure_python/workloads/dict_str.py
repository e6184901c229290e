"""Dict- and str-heavy: parse generated access-log lines, aggregate, format a report.

Written for Kiln. Splits, partitions, dict lookups and updates, f-strings, joins.
"""

import random

LINES = 8000
USERS = [f"user{n:03d}" for n in range(150)]
SECTIONS = ["api", "static", "docs", "blog", "shop", "admin"]
PAGES = ["index", "search", "item", "cart", "login", "list", "view", "edit"]
STATUSES = [200, 200, 200, 200, 301, 304, 404, 500]


def make_log(rng):
    return [
        f"2024-03-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d} "
        f"user={rng.choice(USERS)} path=/{rng.choice(SECTIONS)}/{rng.choice(PAGES)} "
        f"status={rng.choice(STATUSES)} bytes={rng.randrange(100, 50000)} ua=Mozilla/5.0"
        for _ in range(LINES)
    ]


def parse(line):
    stamp, _, rest = line.partition(" ")
    fields = {"day": stamp[:10], "hour": stamp[11:13]}
    for pair in rest.split():
        key, _, value = pair.partition("=")
        fields[key] = value
    return fields


def aggregate(records):
    hits, volume, errors, by_hour = {}, {}, {}, {}
    for r in records:
        section = r["path"].split("/")[1]
        user = r["user"]
        hits[section] = hits.get(section, 0) + 1
        volume[user] = volume.get(user, 0) + int(r["bytes"])
        if r["status"].startswith(("4", "5")):
            errors.setdefault(r["path"], []).append(user)
        by_hour[r["hour"]] = by_hour.get(r["hour"], 0) + 1
    return hits, volume, errors, by_hour


def report(hits, volume, errors, by_hour):
    out = ["== sections =="]
    out += [f"{name:<10}{count:>8}" for name, count in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))]
    out.append("== top users ==")
    top = sorted(volume.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    out += [f"{user.upper()}: {total / 1024:.1f} KiB" for user, total in top]
    out.append("== errors ==")
    for path in sorted(errors):
        users = errors[path]
        distinct = sorted(dict.fromkeys(users))
        out.append(f"{path.replace('/', ' ').strip()} -> {len(users)} ({', '.join(distinct[:5])})")
    out.append(" ".join(f"{hour}h={by_hour[hour]}" for hour in sorted(by_hour)))
    return "\n".join(out)


EXPECTED = (3765, "USER143: 1742.2 KiB")  # report length and first line of the users list, from native CPython


def run():
    log = make_log(random.Random(42))
    text = report(*aggregate(parse(line) for line in log))
    got = (len(text), text.splitlines()[8])
    if got != EXPECTED:
        raise AssertionError(f"dict_str: got {got}, expected {EXPECTED}")
