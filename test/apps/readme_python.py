#!/usr/bin/python3
"""Runs the README's psycopg example exactly as the README writes it.

Usage: readme_python.py README.md CONNINFO OWNER FILE
Takes the ```python block that follows "The same in Python with psycopg", gives it the names an
app route has (conn, data, filename, content_type, current_user_id, request), runs it, and prints
one line: "<file_id> <status> <body length>".  Exits non-zero if the block fails.
"""
import re
import sys
import types

import psycopg

readme, conninfo, owner, path = sys.argv[1:5]
text = open(readme, encoding="utf-8").read()
start = text.index("The same in Python with psycopg")
block = re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)

with open(path, "rb") as f:
    data = f.read()
request = types.SimpleNamespace(headers={"Range": None, "If-None-Match": None})
scope = {"data": data, "filename": path.rsplit("/", 1)[-1], "content_type": "image/png",
         "current_user_id": owner, "request": request}
# a long-lived connection, as an app's pool holds one: nothing commits for the example,
# and close() discards whatever it left uncommitted
conn = psycopg.connect(conninfo)
scope["conn"] = conn
try:
    exec(compile(block, "README.md python example", "exec"), scope)
finally:
    conn.close()
print(scope["file_id"], scope["status"], len(scope["body"] or b""))
