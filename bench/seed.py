#!/usr/bin/env python3
"""Seeds a realistic board through the API (and tags/extra agents straight into PostgreSQL,
since the tag API is not part of this slice): 200 tasks with tags and dependencies, 50
agents. Prints shell assignments for run.sh: BOARD, AGENT_TOKEN, HASH_KEY."""
import json
import os
import random
import subprocess
import sys
import urllib.request
import uuid

base, token, db = sys.argv[1], sys.argv[2], sys.argv[3]


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def psql(sql):
    return subprocess.run(["psql", "-qtAX", db, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


random.seed(7)
call("POST", "/api/v1/auth/bootstrap")
org = call("GET", "/api/v1/organizations/me")["id"]
board = call("POST", "/api/v1/boards", {"name": "Bench", "slug": "bench", "description": "benchmark board",
                                         "require_approval_for_done": False})["id"]
tags = []
for i in range(8):
    tid = str(uuid.uuid4())
    psql(f"INSERT INTO tags (id, organization_id, name, slug, color, created_at, updated_at) "
         f"VALUES ('{tid}', '{org}', 'tag {i}', 'tag-{i}', '9e9e9e', now(), now())")
    tags.append(tid)
agents = []
for i in range(50):
    agents.append(call("POST", "/api/v1/agents", {"name": f"agent-{i}", "board_id": board})["id"])
agent_token = call("POST", f"/api/v1/agents/{agents[0]}/token")["token"]
tasks = []
for i in range(200):
    deps = random.sample(tasks, k=min(len(tasks), random.choice([0, 0, 1, 2]))) if tasks else []
    body = {"title": f"task {i}", "description": "x" * 80, "tag_ids": random.sample(tags, k=random.choice([1, 2, 3])),
            "depends_on_task_ids": deps}
    tasks.append(call("POST", f"/api/v1/boards/{board}/tasks", body)["id"])
hash_key = psql("SELECT value FROM instance_secrets WHERE name = 'agent_token_hash_key'")
print(f"BOARD={board}")
print(f"AGENT_TOKEN={agent_token}")
print(f"ORG={org}")
print(f"HASH_KEY={hash_key}")
