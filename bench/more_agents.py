#!/usr/bin/env python3
"""Adds N agents with tokens straight into PostgreSQL (hashed the way the service does),
to measure agent authentication against a large fleet."""
import hashlib
import hmac
import secrets
import subprocess
import sys
import uuid

db, org, board, key, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
rows = []
for i in range(n):
    token = secrets.token_urlsafe(32)
    digest = hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()
    rows.append(f"{uuid.uuid4()}\t{org}\t{board}\tfleet-{i}-{uuid.uuid4().hex[:6]}\tprovisioning\thmac-sha256${digest}")
copy = "\\copy agents (id, organization_id, board_id, name, status, agent_token_hash, created_at, updated_at) FROM STDIN"
data = "\n".join(r + "\t2026-01-01 00:00:00\t2026-01-01 00:00:00" for r in rows) + "\n"
subprocess.run(["psql", "-qX", db, "-c", copy], input=data, text=True, check=True)
