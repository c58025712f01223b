#!/usr/bin/python3
"""The README's Flask example, run as an app exactly as the README writes it.

Usage: app_flask.py README.md PORT ACCESS_LOG
Takes the ```python block that follows "The same in Python with" in README.md, runs it, and serves
its Flask app on 127.0.0.1:PORT with Werkzeug's threaded server (what `flask run` uses). The
database is libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER). The README leaves
current_user_id() to the app's sign-in; here it is the request's X-User header (a test stand-in).
Each response adds a line to ACCESS_LOG (see access_line()); stdout gets "pid PID" at start.

load_readme_app(README.md) gives the block's names (app, pool) to other tests: readme_python.py
drives the app with Flask's test client.
"""
import os
import re
import sys

from flask import request


def readme_block(readme, after, lang):
    """The first ```lang block that follows the text `after` in the file `readme`."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    start = text.index(after)
    return re.search(r"```" + lang + r"\n(.*?)```", text[start:], re.S).group(1)


def load_readme_app(readme):
    """Runs the README's Python block; returns the names it defined (app, pool, ...)."""
    scope = {"__name__": "readme_app", "current_user_id": lambda: request.headers.get("X-User")}
    block = readme_block(readme, "The same in Python with", "python")
    exec(compile(block, "README.md python example", "exec"), scope)
    return scope


def access_line(method, path, rng, status, sent, finished):
    """One access-log line: METHOD PATH "RANGE" STATUS BYTES complete|aborted (as app_express.mjs);
    STATUS is "-" when the client left before the app answered."""
    return '%s %s "%s" %s %d %s\n' % (method, path, rng or "-", status, sent,
                                        "complete" if finished else "aborted")


class AccessLog:
    """WSGI middleware: logs each response with the body bytes actually handed to the server."""

    def __init__(self, wsgi_app, path):
        self.wsgi_app = wsgi_app
        self.log = open(path, "a", buffering=1, encoding="utf-8")

    def __call__(self, environ, start_response):
        seen = {}

        def start(status, headers, *rest):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, *rest)

        body = self.wsgi_app(environ, start)
        sent = 0
        finished = False
        try:
            for piece in body:
                yield piece
                sent += len(piece)
            finished = True
        finally:
            if hasattr(body, "close"):
                body.close()
            self.log.write(access_line(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                       environ.get("HTTP_RANGE"), seen.get("status", "-"),
                                       sent, finished))


def main():
    from werkzeug.serving import make_server

    readme, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = load_readme_app(readme)["app"]
    app.wsgi_app = AccessLog(app.wsgi_app, log)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("pid", os.getpid(), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
