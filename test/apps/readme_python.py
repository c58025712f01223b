#!/usr/bin/python3
"""Runs the README's Flask and psycopg example exactly as the README writes it.

Usage: readme_python.py README.md OWNER FILE   (the database: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER)
Loads the ```python block that follows "The same in Python with" (app_flask.load_readme_app), and
with Flask's test client, as the signed-in user OWNER (the X-User header app_flask.py gives
current_user_id()), uploads FILE (POST /media) and reads it back (GET /media/<id>). Prints one
line: "<file_id> <status> <body length>", or "<file_id> <status> differs" when the body is not
FILE's bytes. Exits non-zero if the block or a request fails.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from app_flask import load_readme_app  # noqa: E402

readme, owner, path = sys.argv[1:4]
with open(path, "rb") as f:
    data = f.read()

scope = load_readme_app(readme)
client = scope["app"].test_client()
try:
    posted = client.post("/media", data=data, headers={
        "X-User": owner, "X-File-Name": os.path.basename(path), "Content-Type": "image/png"})
    if posted.status_code != 201:
        sys.exit("POST /media: %s %s" % (posted.status, posted.get_data(as_text=True)))
    file_id = posted.get_json()["id"]
    got = client.get("/media/%d" % file_id, headers={"X-User": owner})
    body = got.get_data()
    got.close()  # returns the connection to the pool, as the server does after sending
    print(file_id, got.status_code, len(body) if body == data else "differs")
finally:
    scope["pool"].close()
