"""Run inside Kiln by tests/test_http.py: one probe per HTTP API, each hitting
the test server's endpoints (tests/servers/endpoints.py) and returning what it
saw, normalised where hosts legitimately differ (browsers undo gzip and join
repeated headers before Python sees them)."""

import gzip
import hashlib
import json
import uuid


RUN = uuid.uuid4().hex  # stream ids are unique to this run


def _outcome(error):
    """A short, host-independent name for a failure."""
    names = []
    while error is not None:
        names.append(type(error).__name__)
        error = getattr(error, "reason", None) or error.__cause__ or error.__context__
    for kind, outcome in (("Timeout", "timeout"), ("Certificate", "tls"), ("SSLError", "tls"), ("Refused", "unreachable"),
                          ("NameResolution", "unreachable"), ("NewConnection", "unreachable"), ("ConnectionError", "unreachable")):
        if any(kind in name for name in names):
            return outcome
    return "failed: " + "/".join(names)


def _ungzip(data, encoding):
    return gzip.decompress(data) if encoding == "gzip" else data


def probe_urllib(base, tls_base, closed_port):
    import urllib.error
    import urllib.request

    seen = {}
    with urllib.request.urlopen(base + "/api/text") as r:
        seen["text"] = [r.status, r.read().decode()]
    with urllib.request.urlopen(base + "/api/binary?mb=5") as r:
        seen["binary"] = hashlib.sha256(r.read()).hexdigest()
    request = urllib.request.Request(base + "/api/echo", data=json.dumps({"a": [1, 2]}).encode(),
                                     headers={"Content-Type": "application/json", "X-Probe": "yes"}, method="POST")
    with urllib.request.urlopen(request) as r:
        echo = json.loads(r.read())
        seen["echo"] = [echo["method"], echo["json"], echo["headers"].get("x-probe")]
    with urllib.request.urlopen(base + "/api/redirect/3") as r:
        seen["redirect"] = r.read().decode()
    for code in (404, 500):
        try:
            urllib.request.urlopen(base + f"/api/status/{code}")
        except urllib.error.HTTPError as error:
            seen[f"status{code}"] = [error.code, error.read().decode()]
    try:
        urllib.request.urlopen(base + "/api/slow?seconds=5", timeout=0.5)
    except Exception as error:
        seen["slow"] = _outcome(error)
    with urllib.request.urlopen(base + "/api/gzip") as r:
        seen["gzip"] = _ungzip(r.read(), r.headers.get("Content-Encoding")).decode()[:40]
    with urllib.request.urlopen(base + "/api/chunked") as r:
        seen["chunked"] = r.read().decode()
    with urllib.request.urlopen(base + "/api/repeated-headers") as r:
        seen["repeated"] = ", ".join(r.headers.get_all("X-Multi"))
    with urllib.request.urlopen(base + "/api/stream?id=urllib-" + RUN) as r:
        first = r.readline().decode()
        urllib.request.urlopen(base + "/api/release?id=urllib-" + RUN).read()
        seen["stream"] = [first, r.read().decode().splitlines()[-1]]
    for label, url in (("refused", f"http://127.0.0.1:{closed_port}/"), ("tls", tls_base + "/api/text")):
        try:
            urllib.request.urlopen(url, timeout=10)
        except urllib.error.URLError as error:
            seen[label] = _outcome(error)
    return seen


def probe_http_client(base, tls_base, closed_port):
    import http.client
    import urllib.parse

    host = urllib.parse.urlsplit(base).netloc
    seen = {}
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", "/api/text")
    response = connection.getresponse()
    seen["text"] = [response.status, response.reason, response.read().decode()]
    # The same connection again, with a body sent in chunks from an iterable.
    connection.request("POST", "/api/echo", body=iter([b"part one, ", b"part two"]),
                       headers={"Content-Type": "text/plain"}, encode_chunked=True)
    echo = json.loads(connection.getresponse().read())
    seen["echo"] = [echo["method"], echo["body"]]
    connection.request("HEAD", "/api/text")
    head = connection.getresponse()
    seen["head"] = [head.status, len(head.read())]
    connection.request("GET", "/api/status/404")
    missing = connection.getresponse()
    seen["status404"] = [missing.status, missing.read().decode()]
    connection.request("GET", "/api/repeated-headers")
    repeated = connection.getresponse()
    seen["repeated"] = ", ".join(v for k, v in repeated.getheaders() if k.lower() == "x-multi")
    repeated.read()
    connection.request("GET", "/api/binary?mb=5")
    binary = connection.getresponse()
    digest = hashlib.sha256()
    while chunk := binary.read(65536):
        digest.update(chunk)
    seen["binary"] = digest.hexdigest()
    connection.close()
    slow = http.client.HTTPConnection(host, timeout=0.5)
    try:
        slow.request("GET", "/api/slow?seconds=5")
        slow.getresponse()
    except Exception as error:
        seen["slow"] = _outcome(error)
    stream = http.client.HTTPConnection(host, timeout=30)
    stream.request("GET", "/api/stream?id=http-client-" + RUN)
    streamed = stream.getresponse()
    first = streamed.readline().decode()
    release = http.client.HTTPConnection(host)
    release.request("GET", "/api/release?id=http-client-" + RUN)
    release.getresponse().read()
    seen["stream"] = [first, streamed.read().decode().splitlines()[-1]]
    for label, connection in (("refused", http.client.HTTPConnection("127.0.0.1", closed_port, timeout=10)),
                              ("tls", http.client.HTTPSConnection(urllib.parse.urlsplit(tls_base).netloc, timeout=10))):
        try:
            connection.request("GET", "/api/text")
            connection.getresponse()
        except Exception as error:
            seen[label] = _outcome(error)
    return seen


def probe_pyxhr(base, tls_base, closed_port):
    from pyodide.http import open_url, pyxhr

    seen = {}
    response = pyxhr.get(base + "/api/text")
    seen["text"] = [response.status_code, response.text]
    seen["open_url"] = open_url(base + "/api/text").read()
    seen["binary"] = hashlib.sha256(pyxhr.get(base + "/api/binary?mb=5").content).hexdigest()
    echo = pyxhr.post(base + "/api/echo", json={"a": [1, 2]}, headers={"X-Probe": "yes"}).json()
    seen["echo"] = [echo["method"], echo["json"], echo["headers"].get("x-probe")]
    seen["redirect"] = pyxhr.get(base + "/api/redirect/3").text
    for code in (404, 500):
        response = pyxhr.get(base + f"/api/status/{code}")
        try:
            response.raise_for_status()
        except OSError as error:
            seen[f"status{code}"] = [response.status_code, type(error).__name__]
    try:
        pyxhr.get(base + "/api/slow?seconds=5", timeout=0.5)
    except Exception as error:
        seen["slow"] = _outcome(error)
    gz = pyxhr.get(base + "/api/gzip")
    seen["gzip"] = _ungzip(gz.content, gz.headers.get("content-encoding")).decode()[:40]
    seen["chunked"] = pyxhr.get(base + "/api/chunked").text
    seen["repeated"] = pyxhr.get(base + "/api/repeated-headers").headers["x-multi"]
    for label, url in (("refused", f"http://127.0.0.1:{closed_port}/"), ("tls", tls_base + "/api/text")):
        try:
            pyxhr.get(url, timeout=10)
        except Exception as error:
            seen[label] = _outcome(error)
    return seen


def probe_requests(base, tls_base, closed_port):
    import requests

    seen = {}
    response = requests.get(base + "/api/text")
    seen["text"] = [response.status_code, response.text]
    seen["binary"] = hashlib.sha256(requests.get(base + "/api/binary?mb=5").content).hexdigest()
    echo = requests.post(base + "/api/echo", json={"a": [1, 2]}, headers={"X-Probe": "yes"}).json()
    seen["echo"] = [echo["method"], echo["json"], echo["headers"].get("x-probe")]
    form = requests.post(base + "/api/echo", data={"name": "kiln", "n": "3"}).json()
    seen["form"] = form["form"]
    redirected = requests.get(base + "/api/redirect/3")
    seen["redirect"] = redirected.text
    for code in (404, 500):
        try:
            requests.get(base + f"/api/status/{code}").raise_for_status()
        except requests.HTTPError as error:
            seen[f"status{code}"] = [error.response.status_code, type(error).__name__]
    try:
        requests.get(base + "/api/slow?seconds=5", timeout=0.5)
    except requests.exceptions.RequestException as error:
        seen["slow"] = _outcome(error)
    seen["gzip"] = requests.get(base + "/api/gzip").text[:40]
    seen["chunked"] = requests.get(base + "/api/chunked").text
    seen["repeated"] = requests.get(base + "/api/repeated-headers").headers["X-Multi"]
    session = requests.Session()
    seen["cookies"] = session.get(base + "/api/cookies/set?flavour=oat&size=big").json()["cookies"]
    streamed = requests.get(base + "/api/stream?id=requests-" + RUN, stream=True, timeout=30)
    lines = streamed.iter_lines()
    first = next(lines).decode()
    requests.get(base + "/api/release?id=requests-" + RUN)
    seen["stream"] = [first + "\n", [line.decode() for line in lines][-1]]
    chunks = list(requests.get(base + "/api/binary?mb=1", stream=True).iter_content(chunk_size=100_000))
    seen["iter_content"] = [len(chunks) >= 10, hashlib.sha256(b"".join(chunks)).hexdigest()]
    for label, url in (("refused", f"http://127.0.0.1:{closed_port}/"), ("tls", tls_base + "/api/text")):
        try:
            requests.get(url, timeout=10)
        except requests.exceptions.RequestException as error:
            seen[label] = _outcome(error)
    return seen


def probe_urllib3(base, tls_base, closed_port):
    import urllib3

    seen = {}
    pool = urllib3.PoolManager(retries=False)
    response = pool.request("GET", base + "/api/text")
    seen["text"] = [response.status, response.data.decode()]
    seen["binary"] = hashlib.sha256(pool.request("GET", base + "/api/binary?mb=5").data).hexdigest()
    echo = pool.request("POST", base + "/api/echo", json={"a": [1, 2]}, headers={"X-Probe": "yes"}).json()
    seen["echo"] = [echo["method"], echo["json"], echo["headers"].get("x-probe")]
    seen["redirect"] = urllib3.PoolManager().request("GET", base + "/api/redirect/3").data.decode()
    seen["status404"] = pool.request("GET", base + "/api/status/404").status
    try:
        pool.request("GET", base + "/api/slow?seconds=5", timeout=0.5)
    except urllib3.exceptions.HTTPError as error:
        seen["slow"] = _outcome(error)
    seen["gzip"] = pool.request("GET", base + "/api/gzip").data.decode()[:40]
    seen["chunked"] = pool.request("GET", base + "/api/chunked").data.decode()
    streamed = pool.request("GET", base + "/api/stream?id=urllib3-" + RUN, preload_content=False, timeout=30)
    first = streamed.read(6).decode()
    pool.request("GET", base + "/api/release?id=urllib3-" + RUN)
    seen["stream"] = [first, streamed.read().decode().splitlines()[-1]]
    for label, url in (("refused", f"http://127.0.0.1:{closed_port}/"), ("tls", tls_base + "/api/text")):
        try:
            pool.request("GET", url, timeout=10)
        except urllib3.exceptions.HTTPError as error:
            seen[label] = _outcome(error)
    return seen


async def probe_pyfetch(base, tls_base, closed_port):
    import asyncio

    from pyodide.http import AbortError, BodyUsedError, HttpStatusError, pyfetch

    seen = {}
    response = await pyfetch(base + "/api/text")
    seen["text"] = [response.status, await response.text()]
    seen["binary"] = hashlib.sha256(await (await pyfetch(base + "/api/binary?mb=5")).bytes()).hexdigest()
    echo = await (await pyfetch(base + "/api/echo", method="POST", body=json.dumps({"a": [1, 2]}),
                                headers={"Content-Type": "application/json", "X-Probe": "yes"})).json()
    seen["echo"] = [echo["method"], echo["json"], echo["headers"].get("x-probe")]
    redirected = await pyfetch(base + "/api/redirect/3")
    seen["redirect"] = [await redirected.text(), redirected.redirected]
    for code in (404, 500):
        try:
            (await pyfetch(base + f"/api/status/{code}")).raise_for_status()
        except HttpStatusError as error:
            seen[f"status{code}"] = [error.status, type(error).__name__]
    used = await pyfetch(base + "/api/text")
    copy = used.clone()
    await used.text()
    try:
        await used.text()
    except BodyUsedError:
        seen["body_used"] = [used.body_used, await copy.text() == seen["text"][1]]
    task = asyncio.ensure_future(pyfetch(base + "/api/slow?seconds=5"))
    await asyncio.sleep(0.2)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        seen["cancelled"] = True
    slow = await pyfetch(base + "/api/stream?id=abort-" + RUN)
    slow.abort("enough")
    try:
        await slow.text()
    except AbortError as error:
        seen["abort"] = str(error)
    seen["gzip"] = (await (await pyfetch(base + "/api/gzip")).text())[:40]
    seen["chunked"] = await (await pyfetch(base + "/api/chunked")).text()
    streamed = await pyfetch(base + "/api/stream?id=pyfetch-" + RUN)
    reader = streamed.js_response.body.getReader()
    first = bytes((await reader.read()).value.to_bytes()).decode()
    await (await pyfetch(base + "/api/release?id=pyfetch-" + RUN)).text()
    rest = b""
    while not (chunk := await reader.read()).done:
        rest += chunk.value.to_bytes()
    seen["stream"] = [first, rest.decode().splitlines()[-1]]
    for label, url in (("refused", f"http://127.0.0.1:{closed_port}/"), ("tls", tls_base + "/api/text")):
        try:
            await pyfetch(url)
        except OSError as error:
            seen[label] = type(error).__name__
    return seen
