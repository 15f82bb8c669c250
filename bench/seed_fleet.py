#!/usr/bin/env python3
"""Seeds a fleet: 100 boards with 20 tasks each through the API, and 100 agents per board
(10,000) with tokens straight into PostgreSQL, hashed the way the service does.

Writes one line per agent to the file named by argv[4]: `token board_id task_id`, where the
task is one of its board's tasks. The first 20 agents of each board own one task each (no
two lines share a task among them), so status round trips never contend; they come first in
the file. Prints shell assignments: BOARDS, LINES, PATCH_LINES."""
import hashlib
import hmac
import json
import random
import secrets
import subprocess
import sys
import urllib.request
import uuid

base, token, db, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
BOARDS, TASKS_PER_BOARD, AGENTS_PER_BOARD = 100, 20, 100


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def psql(sql, data=None):
    return subprocess.run(["psql", "-qtAX", db, "-c", sql], input=data, check=True, capture_output=True,
                          text=True).stdout.strip()


random.seed(11)
call("POST", "/api/v1/auth/bootstrap")
org = call("GET", "/api/v1/organizations/me")["id"]
key = psql("SELECT value FROM instance_secrets WHERE name = 'agent_token_hash_key'")
boards = []
for b in range(BOARDS):
    board = call("POST", "/api/v1/boards", {"name": f"Fleet {b}", "slug": f"fleet-{b}", "description": "fleet",
                                             "require_approval_for_done": False})["id"]
    tasks = [call("POST", f"/api/v1/boards/{board}/tasks", {"title": f"task {b}.{i}", "description": "x" * 80})["id"]
             for i in range(TASKS_PER_BOARD)]
    boards.append((board, tasks))

owners, others, rows = [], [], []
for board, tasks in boards:
    for i in range(AGENTS_PER_BOARD):
        agent_token = secrets.token_urlsafe(32)
        digest = hmac.new(key.encode(), agent_token.encode(), hashlib.sha256).hexdigest()
        rows.append(f"{uuid.uuid4()}\t{org}\t{board}\tworker-{board[:8]}-{i}\tonline\thmac-sha256${digest}"
                    "\t2026-01-01 00:00:00\t2026-01-01 00:00:00")
        if i < TASKS_PER_BOARD:
            owners.append(f"{agent_token} {board} {tasks[i]}")
        else:
            others.append(f"{agent_token} {board} {random.choice(tasks)}")
psql("\\copy agents (id, organization_id, board_id, name, status, agent_token_hash, created_at, updated_at) FROM STDIN",
     "\n".join(rows) + "\n")
random.shuffle(owners)
random.shuffle(others)
with open(out, "w") as f:
    f.write("\n".join(owners + others) + "\n")
print(f"BOARDS={BOARDS}")
print(f"LINES={len(owners) + len(others)}")
print(f"PATCH_LINES={len(owners)}")
