"""Schemathesis hooks for Mission Control: make generated ids resolve to seeded objects.

The run (tests/system/schemathesis.rs) seeds one organization and writes the ids to the JSON
file named by MC_SEED_FILE. Before each call, a path parameter that Schemathesis filled with a
well-formed UUID is replaced by the seeded object of that name (three calls in four; the rest
keep their random id and exercise the 404 answers). Operations that destroy their target get a
fresh object made for the call, so the seeded ones survive the run. Calls that switch the
caller's active organization are followed by a switch back to the seeded one.
"""

import itertools
import json
import os
import uuid

import requests
import schemathesis

BASE = os.environ["MC_BASE_URL"]
SEED = json.load(open(os.environ["MC_SEED_FILE"]))
USER_TOKEN = os.environ["MC_USER_TOKEN"]
AS_USER = os.environ.get("MC_CALLER", "user") == "user"
COUNTER = itertools.count()


def _user(method, path, body=None):
    res = requests.request(
        method,
        BASE + path,
        json=body,
        headers={"Authorization": f"Bearer {USER_TOKEN}"},
        timeout=10,
    )
    res.raise_for_status()
    return res.json()


def _fresh_suffix():
    return uuid.uuid4().hex[:12]


def _board():
    s = _fresh_suffix()
    return {"board_id": _user("POST", "/api/v1/boards", {"name": f"b{s}", "slug": f"b{s}", "description": "fresh"})["id"]}


def _task():
    return {"task_id": _user("POST", f"/api/v1/boards/{SEED['board_id']}/tasks", {"title": "fresh"})["id"]}


def _agent():
    return {"agent_id": _user("POST", "/api/v1/agents", {"name": f"a{_fresh_suffix()}", "board_id": SEED["board_id"]})["id"]}


def _gateway():
    body = {"name": f"g{_fresh_suffix()}", "url": SEED["gateway_url"], "token": SEED["gateway_token"], "workspace_root": "/tmp/ws"}
    return {"gateway_id": _user("POST", "/api/v1/gateways", body)["id"]}


def _tag():
    return {"tag_id": _user("POST", "/api/v1/tags", {"name": f"t{_fresh_suffix()}"})["id"]}


def _group():
    s = _fresh_suffix()
    return {"group_id": _user("POST", "/api/v1/board-groups", {"name": f"g{s}", "slug": f"g{s}"})["id"]}


def _custom_field():
    body = {"field_key": f"k{_fresh_suffix()}", "label": "fresh", "field_type": "text", "board_ids": [SEED["board_id"]]}
    return {"task_custom_field_definition_id": _user("POST", "/api/v1/organizations/me/custom-fields", body)["id"]}


def _invite():
    return {"invite_id": _user("POST", "/api/v1/organizations/me/invites", {"invited_email": f"{_fresh_suffix()}@example.com"})["id"]}


def _webhook():
    body = {"description": f"w{_fresh_suffix()}"}
    return {"webhook_id": _user("POST", f"/api/v1/boards/{SEED['board_id']}/webhooks", body)["id"]}


def _organization():
    _user("POST", "/api/v1/organizations", {"name": f"o{_fresh_suffix()}"})
    return {}


FRESH = {
    ("DELETE", "/api/v1/boards/{board_id}"): _board,
    ("DELETE", "/api/v1/boards/{board_id}/tasks/{task_id}"): _task,
    ("DELETE", "/api/v1/agents/{agent_id}"): _agent,
    ("POST", "/api/v1/agents/{agent_id}/token"): _agent,
    ("DELETE", "/api/v1/agent/boards/{board_id}/agents/{agent_id}"): _agent,
    ("DELETE", "/api/v1/gateways/{gateway_id}"): _gateway,
    ("DELETE", "/api/v1/tags/{tag_id}"): _tag,
    ("DELETE", "/api/v1/board-groups/{group_id}"): _group,
    ("DELETE", "/api/v1/organizations/me/custom-fields/{task_custom_field_definition_id}"): _custom_field,
    ("DELETE", "/api/v1/organizations/me/invites/{invite_id}"): _invite,
    ("DELETE", "/api/v1/organizations/me"): _organization,
    ("DELETE", "/api/v1/boards/{board_id}/webhooks/{webhook_id}"): _webhook,
}

# Calls after which the caller's active organization may no longer be the seeded one.
SWITCHES_ORGANIZATION = {
    ("POST", "/api/v1/organizations"),
    ("PATCH", "/api/v1/organizations/me/active"),
    ("DELETE", "/api/v1/organizations/me"),
    ("POST", "/api/v1/organizations/invites/accept"),
}


# Body fields that name stored objects, and the seeded object each is pointed at (always, so
# the request gets past the lookup and its other rules are exercised).
BODY_REFERENCES = {
    "board_id": "board_id",
    "board_ids": "board_id",
    "board_group_id": "group_id",
    "gateway_id": "gateway_id",
    "tag_ids": "tag_id",
    "agent_id": "agent_id",
    "assigned_agent_id": "agent_id",
}


def _point_body_at_seed(body):
    if not isinstance(body, dict):
        return
    for field, seeded in BODY_REFERENCES.items():
        value = body.get(field)
        if isinstance(value, str) and _is_uuid(value):
            body[field] = SEED[seeded]
        elif isinstance(value, list):
            body[field] = [SEED[seeded] if isinstance(v, str) and _is_uuid(v) else v for v in value]
    grants = body.get("board_access")
    if isinstance(grants, list):
        for grant in grants:
            if isinstance(grant, dict) and isinstance(grant.get("board_id"), str) and _is_uuid(grant["board_id"]):
                grant["board_id"] = SEED["board_id"]


# Calls that may narrow the caller's own board access (the seeded member is the caller).
CHANGES_OWN_ACCESS = {
    ("PUT", "/api/v1/organizations/me/members/{member_id}/access"),
    ("PATCH", "/api/v1/organizations/me/members/{member_id}"),
}


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    _point_body_at_seed(case.body)
    params = case.path_parameters if case.path_parameters is not None else {}
    if not all(_is_uuid(v) for v in params.values()):
        return
    key = (case.method.upper(), case.path)
    if AS_USER and key in FRESH:
        params.update({name: SEED[name] for name in params if name in SEED})
        params.update(FRESH[key]())
        return
    if not params:
        return
    if next(COUNTER) % 4 == 3:
        return
    for name in params:
        if name in SEED:
            params[name] = SEED[name]


@schemathesis.hook
def after_call(ctx, case, response):
    if not AS_USER:
        return
    key = (case.method.upper(), case.path)
    if key in SWITCHES_ORGANIZATION:
        _user("PATCH", "/api/v1/organizations/me/active", {"organization_id": SEED["organization_id"]})
    if key == ("PATCH", "/api/v1/boards/{board_id}/webhooks/{webhook_id}"):
        # Keep the seeded webhook open to deliveries: enabled, without a secret (a disabled
        # webhook answers 410, one with a secret 403 to the unsigned bodies the run sends).
        _user("PATCH", f"/api/v1/boards/{SEED['board_id']}/webhooks/{SEED['webhook_id']}", {"enabled": True, "secret": None})
    if key in CHANGES_OWN_ACCESS:
        # The seeded member is the caller: give it back its blanket access.
        grants = {"all_boards_read": True, "all_boards_write": True, "board_access": []}
        _user("PUT", f"/api/v1/organizations/me/members/{SEED['member_id']}/access", grants)
