"""Schemathesis hooks for Radar, loaded by tests/api/schemathesis.rs (SCHEMATHESIS_HOOKS=radar_hooks).

- Signing: every operation whose `x-signed-by` names a family gets the signature triple of that
  family's demo principal: user_id, timestamp (ms now) and rand_str = md5(timestamp + token).
  The principals come from RADAR_ST_PRINCIPALS: {"customer": {"id": 1, "token": "…"}, …}.
- Realistic ids: about half the cases get the demo ids for uid/u_id/customer_id/company_id, so
  handlers get past "no such record" and into their real work (seeded by RADAR_ST_SEED).
- `wait` (long-poll seconds) is dropped, so a case never parks for the long-poll maximum.
- Stats: each answer of a signed envelope route appends its code to RADAR_ST_STATS, so the test
  can tell the signing worked (answers past the signature check).
- Check `radar_envelope`: an operation with `x-answer: envelope` answers HTTP 200 (413 for an
  oversized body) with a JSON object of exactly code, msg, data, note and an integer code.
"""
import hashlib
import json
import os
import random
import time

import schemathesis

PRINCIPALS = json.loads(os.environ.get("RADAR_ST_PRINCIPALS", "{}"))
IDS = json.loads(os.environ.get("RADAR_ST_IDS", "{}"))
RNG = random.Random(int(os.environ.get("RADAR_ST_SEED", "1")))


def _sign(query, family):
    who = PRINCIPALS[family]
    ts = str(int(time.time() * 1000))
    query["user_id"] = str(who["id"])
    query["timestamp"] = ts
    query["rand_str"] = hashlib.md5((ts + who["token"]).encode()).hexdigest()


def _realistic(fields):
    if isinstance(fields, dict) and RNG.random() < 0.5:
        for name, value in IDS.items():
            if name in fields:
                fields[name] = value


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    op = case.operation.definition.raw
    if case.query is None:
        case.query = {}
    case.query.pop("wait", None)
    _realistic(case.query)
    _realistic(case.body)
    family = op.get("x-signed-by")
    if family and op.get("x-answer") != "socket":
        _sign(case.query, family)


@schemathesis.hook
def after_call(ctx, case, response):
    op = case.operation.definition.raw
    stats = os.environ.get("RADAR_ST_STATS")
    if not stats or not op.get("x-signed-by") or op.get("x-answer") != "envelope":
        return
    try:
        body = json.loads(response.content)
        line = f"{body['code']}\t{body['msg'] if isinstance(body['msg'], str) else 'form'}\n"
    except (ValueError, KeyError, TypeError):
        line = f"http {response.status_code}\n"
    with open(stats, "a", encoding="utf-8") as f:
        f.write(line)


@schemathesis.check
def radar_envelope(ctx, response, case):
    op = case.operation.definition.raw
    if op.get("x-answer") != "envelope":
        return None
    status = response.status_code
    assert status in (200, 413), f"an envelope route answered HTTP {status}"
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"not JSON: {response.content[:200]!r}")
    assert isinstance(body, dict), f"not an object: {body!r}"
    assert set(body) == {"code", "msg", "data", "note"}, f"not the envelope: {sorted(body)}"
    assert isinstance(body["code"], int) and not isinstance(body["code"], bool), f"code {body['code']!r}"
    assert isinstance(body["msg"], (str, dict)), f"msg {body['msg']!r}"
    assert isinstance(body["data"], (dict, list)), f"data {body['data']!r}"
    assert body["code"] != 500 or body["msg"] == "internal error", body
    return None
