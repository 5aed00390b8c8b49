#!/usr/bin/env python3
"""Restart check: what the feature store and the item index hold survives a restart that loses them.

  check.py snapshot FILE   posts a small catalog and an event history through the public API (a run prefix of its
                           own), waits until the consumer applied it, and writes each user's features to FILE
  check.py killed SIGNAL TARGET  the same history twice, under two id prefixes and with the same event times: the
                           first posted undisturbed, the second in batches, creating file SIGNAL a third of the way
                           through (the caller then kills TARGET, e.g. the stream consumer, with kill -9, and starts it
                           again) and retrying every batch not acknowledged; then both histories' features must be
                           equal: nothing acknowledged was lost, nothing applied twice. /recommend is asked after every
                           batch: any answer but 200 fails the check unless TARGET is the gateway, which must answer
                           200 again once restarted
  check.py verify FILE     after the restart: waits until every user's features equal those in FILE (event count and
                           recent items exactly, category weights as shares), every item is embedded again and Milvus
                           searches see as many rows as before, then
                           asks /recommend for each user; prints how long the rebuild took

Reads the service URLs and the API key from $MARQUEE_URLS (urls.env). Standard library only.
"""
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

USERS = 6
ITEMS = 40
EVENTS = 600
DEADLINE_S = 180


def urls() -> dict:
    out = {}
    with open(os.environ["MARQUEE_URLS"]) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                out[k] = v
    return out


def call(method: str, url: str, key: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", "X-API-Key": key})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def features(u: dict, user: str):
    status, body = call("GET", f"{u['INGEST_URL']}/users/{user}/features", u["MARQUEE_API_KEY"])
    if status != 200:
        return None
    total = sum(body["categoryWeights"].values()) or 1.0
    return {"eventCount": body["eventCount"], "recentItems": body["recentItems"],
            "categoryShares": {c: w / total for c, w in body["categoryWeights"].items()}}


def same(a, b) -> bool:
    if a is None or b is None or a["eventCount"] != b["eventCount"] or a["recentItems"] != b["recentItems"]:
        return False
    if a["categoryShares"].keys() != b["categoryShares"].keys():
        return False
    return all(abs(a["categoryShares"][c] - b["categoryShares"][c]) < 1e-6 for c in a["categoryShares"])


def embedded(u: dict, item: str) -> bool:
    return call("GET", f"{u['EMBEDDING_URL']}/items/{item}", u["MARQUEE_API_KEY"])[0] == 200


def searchable(u: dict) -> int:
    """Rows searches of the served Milvus collection see (-1: Milvus does not answer)."""
    status, body = call("GET", f"{u['EMBEDDING_URL']}/status", u["MARQUEE_API_KEY"])
    return body["searchable"] if status == 200 else -1


def snapshot(path: str) -> None:
    u = urls()
    key = u["MARQUEE_API_KEY"]
    run = "rs" + uuid.uuid4().hex[:6]
    # the catalog first, as a deployment does: an event of an item not yet embedded has no category or vector to add
    items = post_catalog(u, run, "")
    events = history(run, "", datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=EVENTS))
    for start in range(0, EVENTS, 200):
        assert call("POST", f"{u['INGEST_URL']}/events/batch", key, {"events": events[start:start + 200]})[0] == 202
    snap = await_applied(u, [f"{run}-u{k}" for k in range(USERS)])
    with open(path, "w") as f:
        json.dump({"users": snap, "items": items, "searchable": searchable(u)}, f)
    print(f"restart check: {USERS} users, {EVENTS} events, {ITEMS} items applied and embedded")


def post_catalog(u: dict, run: str, prefix: str) -> list:
    """Posts ITEMS items and waits until they are embedded; returns their ids."""
    key = u["MARQUEE_API_KEY"]
    items = [{"itemId": f"{run}-{prefix}i{i}", "title": f"restart item {i}", "description": "a restart check item",
              "category": f"restart-{i % 4}", "price": float(i)} for i in range(ITEMS)]
    assert call("POST", f"{u['INGEST_URL']}/items/batch", key, {"items": items})[0] == 202
    deadline = time.time() + DEADLINE_S
    while not all(embedded(u, it["itemId"]) for it in items):
        if time.time() > deadline:
            sys.exit("restart check: the items were not embedded in time")
        time.sleep(1)
    return [it["itemId"] for it in items]


def history(run: str, prefix: str, t0: datetime.datetime) -> list:
    """EVENTS events of USERS users on ITEMS items; histories differ only in their id prefix."""
    return [{"eventId": f"{run}-{prefix}e{j}", "userId": f"{run}-{prefix}u{j % USERS}",
             "itemId": f"{run}-{prefix}i{(j * 7 + j // 5) % ITEMS}", "type": ["view", "click", "add_to_cart"][j % 3],
             "timestamp": (t0 + datetime.timedelta(seconds=j)).isoformat()} for j in range(EVENTS)]


def await_applied(u: dict, users: list) -> dict:
    deadline = time.time() + DEADLINE_S
    while time.time() < deadline:
        got = {user: features(u, user) for user in users}
        if all(f and f["eventCount"] == EVENTS // USERS for f in got.values()):
            return got
        time.sleep(1)
    sys.exit(f"restart check FAILED: events not applied in {DEADLINE_S} s: "
             f"{ {user: f and f['eventCount'] for user, f in got.items()} }")


def killed(signal_path: str, target: str) -> None:
    u = urls()
    key = u["MARQUEE_API_KEY"]
    run = "rk" + uuid.uuid4().hex[:6]
    post_catalog(u, run, "a")
    post_catalog(u, run, "b")
    t0 = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2 * EVENTS)
    for start in range(0, EVENTS, 200):
        assert call("POST", f"{u['INGEST_URL']}/events/batch", key,
                    {"events": history(run, "a", t0)[start:start + 200]})[0] == 202
    undisturbed = await_applied(u, [f"{run}-au{k}" for k in range(USERS)])
    events = history(run, "b", t0)
    retried, unanswered, started = 0, 0, time.time()
    for start in range(0, EVENTS, 20):
        if start >= EVENTS // 3 and not os.path.exists(signal_path):
            open(signal_path, "w").close()
        while call("POST", f"{u['INGEST_URL']}/events/batch", key, {"events": events[start:start + 20]})[0] != 202:
            retried += 1
            if time.time() - started > DEADLINE_S:
                sys.exit("restart check FAILED: ingest did not accept events again in time")
            time.sleep(0.5)
        status, _ = call("GET", f"{u['GATEWAY_URL']}/recommend?userId={run}-bu{start % USERS}&k=5", key)
        if status != 200:
            if target != "gateway":
                sys.exit(f"restart check FAILED: /recommend answered {status} while {target} was killed")
            unanswered += 1
    disturbed = await_applied(u, [f"{run}-bu{k}" for k in range(USERS)])
    deadline = time.time() + DEADLINE_S
    for k in range(USERS):
        while call("GET", f"{u['GATEWAY_URL']}/recommend?userId={run}-bu{k}&k=5", key)[0] != 200:
            if time.time() > deadline:
                sys.exit(f"restart check FAILED: /recommend did not answer 200 again after {target} was killed")
            time.sleep(0.5)
    for k in range(USERS):
        a, b = undisturbed[f"{run}-au{k}"], dict(disturbed[f"{run}-bu{k}"])
        b["recentItems"] = [i.replace(f"{run}-bi", f"{run}-ai") for i in b["recentItems"]]
        if not same(a, b):
            sys.exit(f"restart check FAILED: user {k}'s features differ from the undisturbed run's: {b} vs {a}")
    print(f"restart check: {EVENTS} events posted across the kill of {target} ({retried} batch posts refused and "
          f"retried; {unanswered} of {EVENTS // 20} asks of /recommend not answered 200); the features of {USERS} "
          f"users equal those of the undisturbed run, /recommend answers 200")


def verify(path: str) -> None:
    u = urls()
    with open(path) as f:
        before = json.load(f)
    started = time.time()
    deadline = started + DEADLINE_S
    while True:
        now = {user: features(u, user) for user in before["users"]}
        differ = [user for user in before["users"] if not same(before["users"][user], now[user])]
        missing = [item for item in before["items"] if not embedded(u, item)]
        rows = searchable(u)
        if not differ and not missing and rows >= before["searchable"]:
            break
        if time.time() > deadline:
            sys.exit(f"restart check FAILED: after {DEADLINE_S} s, features differ for {differ} "
                     f"({[now[x] for x in differ[:1]]} vs {[before['users'][x] for x in differ[:1]]}), "
                     f"{len(missing)} items not embedded, {rows} of {before['searchable']} Milvus rows searchable")
        time.sleep(1)
    rebuilt = time.time() - started
    for user in before["users"]:
        status, body = call("GET", f"{u['GATEWAY_URL']}/recommend?userId={user}&k=5", u["MARQUEE_API_KEY"])
        if status != 200 or not body["items"]:
            sys.exit(f"restart check FAILED: /recommend for {user} answered {status} {body}")
    print(f"restart check: features of {len(before['users'])} users equal to those before the restart and "
          f"{len(before['items'])} items embedded again ({rows} Milvus rows searchable), {rebuilt:.1f} s after the "
          f"services answered")


if __name__ == "__main__":
    commands = {"snapshot": snapshot, "verify": verify, "killed": killed}
    if sys.argv[1:2] == ["killed"] and len(sys.argv) == 4:
        killed(sys.argv[2], sys.argv[3])
    elif len(sys.argv) != 3 or sys.argv[1] not in commands or sys.argv[1] == "killed":
        sys.exit(__doc__)
    else:
        commands[sys.argv[1]](sys.argv[2])
