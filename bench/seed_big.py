#!/usr/bin/env python3
"""Creates a board with N tasks (mixed statuses, some dependencies) through the API and
prints its id."""
import json
import random
import sys
import urllib.request

base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


random.seed(11)
board = call("POST", "/api/v1/boards", {"name": "Big", "slug": "big", "description": "2k tasks",
                                         "require_approval_for_done": False})["id"]
done = []
for i in range(n):
    status = random.choice(["inbox", "in_progress", "review", "done", "done"])
    body = {"title": f"big {i}", "status": status}
    if done and random.random() < 0.3:
        body["depends_on_task_ids"] = [random.choice(done)]
    t = call("POST", f"/api/v1/boards/{board}/tasks", body)
    if status == "done":
        done.append(t["id"])
print(board)
