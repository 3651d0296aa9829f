"""Real Demilge processes for the cluster and fault checks: a database (a SQLite file or a PostgreSQL database),
`demilge serve` instances, Debian's nginx balancing them, and residents with signed-in sessions made straight in
the database (the sign-in and registration limits would, rightly, refuse 200 of them from one address)."""
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.environ.get("DEMILGE_BIN", os.path.join(ROOT, ".build/debug/demilge")))
ROUND_TITLE = "Манас-Ата: жаштар жана балдар үчүн 2027"
VOTERS_TERRITORY = "KG-GO-manas-ata"


class Database:
    """The database every instance shares, read and written with its own tools (sqlite3, psql)."""

    def __init__(self, sqlite_path=None, postgres_url=None):
        self.sqlite_path, self.postgres_url = sqlite_path, postgres_url

    def reset(self):
        """Empties the database: the checks own theirs and start from a fresh install."""
        if self.sqlite_path:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.sqlite_path + suffix):
                    os.remove(self.sqlite_path + suffix)
        else:
            subprocess.run(["psql", self.postgres_url.split("?")[0], "-q", "-v", "ON_ERROR_STOP=1", "-c",
                            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True)
        return self

    @property
    def env(self):
        return {"DEMILGE_SQLITE": self.sqlite_path} if self.sqlite_path else {"DATABASE_URL": self.postgres_url}

    def rows(self, sql, params=()):
        if self.sqlite_path:
            with sqlite3.connect(self.sqlite_path, timeout=30) as db:
                return [tuple(str(v) if v is not None else None for v in row) for row in db.execute(sql, params)]
        for value in params:
            sql = sql.replace("?", "'" + str(value).replace("'", "''") + "'", 1)
        url = self.postgres_url.split("?")[0]
        out = subprocess.run(["psql", url, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(None if v == "" else v for v in line.split("\t")) for line in out.splitlines() if line]

    def one(self, sql, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def uid(self, value=None):
        """An id as this database stores it (SQLite: upper-case text)."""
        value = value or str(uuid.uuid4())
        return value.upper() if self.sqlite_path else value.lower()


class Instance:
    """One `demilge serve` on loopback; `kill()` is SIGKILL, as a crash or an OOM kill would be."""

    def __init__(self, database, port, workdir, extra_env=None):
        self.database, self.port, self.workdir = database, port, workdir
        self.env = dict(os.environ, **database.env, **(extra_env or {}))
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = open(os.path.join(self.workdir, f"serve-{self.port}-{self.starts}.log"), "w")
        self.process = subprocess.Popen([BIN, "serve", "--hostname", "127.0.0.1", "--port", str(self.port), "--log", "warning"],
                                        env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_ready(self.port)
        return self

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_ready(port, seconds=180):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            status, _, _ = request(port, "GET", "/readyz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"instance on {port} not ready after {seconds} s")


def request(port, method, path, body=None, cookie=None, timeout=30):
    """One HTTP request; returns (status, headers as a dict of lists, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Language": "ky"}
    if isinstance(cookie, dict):
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookie.items())
    elif cookie:
        headers["Cookie"] = f"demilge_session={cookie}"
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        found = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, text
    finally:
        connection.close()


def session_cookie(headers):
    for value in headers.get("set-cookie", []):
        match = re.match(r"demilge_session=([^;]+)", value)
        if match:
            return match.group(1)
    return None


def visitor_cookie(headers):
    """The form token cookie a visitor's form page sets (a visitor has no session), as a cookie jar."""
    for value in headers.get("set-cookie", []):
        match = re.match(r"demilge_csrf=([^;]+)", value)
        if match:
            return {"demilge_csrf": match.group(1)}
    return None


def csrf(html):
    match = re.search(r'name="_csrf" value="([^"]+)"', html)
    return match.group(1) if match else None


def sign_in(port, email, password):
    """Signs in through the form; returns the session cookie."""
    status, headers, html = request(port, "GET", "/signin")
    visitor = visitor_cookie(headers)
    status, headers, _ = request(port, "POST", "/signin", {"_csrf": csrf(html), "email": email, "password": password}, cookie=visitor)
    return session_cookie(headers), status


def make_voters(database, count, template_email, prefix="voter"):
    """`count` residents of the round's territory, each with a signed-in session, copied from a resident who
    registered and signed in through the forms (the same password hash, a session of the same shape)."""
    template = database.one("SELECT id FROM users WHERE email = ?", (template_email,))
    password_hash = database.one("SELECT password_hash FROM users WHERE id = ?", (template,))
    territory = database.one("SELECT id FROM territories WHERE code = ?", (VOTERS_TERRITORY,))
    sessions = [(key, data) for key, data in database.rows("SELECT key, data FROM _fluent_sessions")
                if template.lower() in data.lower()]
    assert sessions, "the template resident has a session"
    key, data = sessions[0]
    voters = []
    statements = []
    for n in range(count):
        user = database.uid()
        cookie = uuid.uuid4().hex + uuid.uuid4().hex
        session_data = re.sub(re.escape(template), user.upper(), data, flags=re.IGNORECASE)
        email = f"{prefix}{n + 1}@cluster.demilge.kg"
        statements.append((f"INSERT INTO users (id, email, display_name, password_hash, disabled, created_at, email_confirmed_millis) "
                           f"VALUES (?, ?, ?, ?, {'0' if database.sqlite_path else 'false'}, {time.time() if database.sqlite_path else 'now()'}, ?)",
                           (user, email, f"Шайлоочу {n + 1}", password_hash, int(time.time() * 1000))))
        statements.append((f"INSERT INTO role_assignments (id, user_id, role, territory_id, programme_id, created_at) "
                           f"VALUES (?, ?, 'resident', ?, NULL, {time.time() if database.sqlite_path else 'now()'})",
                           (database.uid(), user, territory)))
        statements.append(("INSERT INTO _fluent_sessions (id, key, data) VALUES (?, ?, ?)",
                           (database.uid(), cookie, session_data)))
        voters.append({"user": user, "email": email, "cookie": cookie})
    if database.sqlite_path:
        with sqlite3.connect(database.sqlite_path, timeout=30) as db:
            for sql, params in statements:
                db.execute(sql, params)
    else:
        script = []
        for sql, params in statements:
            for value in params:
                sql = sql.replace("?", "'" + str(value).replace("'", "''") + "'", 1)
            script.append(sql + ";")
        subprocess.run(["psql", database.postgres_url.split("?")[0], "-q", "-v", "ON_ERROR_STOP=1", "-1"],
                       input="\n".join(script), check=True, capture_output=True, text=True)
    return voters


def register(port, email, password, name="Шайлоочу Үлгү"):
    status, headers, html = request(port, "GET", "/register")
    visitor = visitor_cookie(headers)
    status, headers, text = request(port, "POST", "/register", {
        "_csrf": csrf(html), "name": name, "email": email, "password": password, "password_confirm": password,
        "territory": VOTERS_TERRITORY}, cookie=visitor)
    assert status in (302, 303), f"registration refused ({status}): {text[:300]}"
    return session_cookie(headers)


def open_round(database):
    return database.one("SELECT id FROM budget_rounds WHERE title = ?", (ROUND_TITLE,)).lower()


def cast(port, round_id, cookie, choices):
    """One voter's ballot through the form. True when acknowledged (the redirect after a stored ballot)."""
    status, headers, html = request(port, "GET", f"/rounds/{round_id}", cookie=cookie)
    token = csrf(html)
    if status != 200 or not token:
        raise RuntimeError(f"round page: {status}")
    status, headers, text = request(port, "POST", f"/rounds/{round_id}/ballot", {"_csrf": token, "choice[]": choices}, cookie=cookie)
    if status in (302, 303):
        return True
    raise RuntimeError(f"ballot: {status} {text[:200]}")


def round_choices(port, round_id, cookie):
    _, _, html = request(port, "GET", f"/rounds/{round_id}", cookie=cookie)
    return re.findall(r'name="choice\[\]" value="([^"]+)"', html)


def nginx_config(workdir, port, upstreams):
    user = "user root;\n" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    template = open(os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "nginx", "demilge.conf")).read()
    site = template.replace("server 127.0.0.1:8081;\n    server 127.0.0.1:8082;", servers.strip()).replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("server_name demilge.example.kg;", "server_name localhost;")
    config = f"""{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
{site}
}}
"""
    path = os.path.join(workdir, "nginx.conf")
    open(path, "w").write(config)
    return path


def start_nginx(workdir, port, upstreams):
    config = nginx_config(workdir, port, upstreams)
    process = subprocess.Popen(["nginx", "-c", config, "-p", workdir, "-g", "daemon off;"],
                               stdout=open(os.path.join(workdir, "nginx.log"), "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("nginx did not start: " + open(os.path.join(workdir, "nginx-error.log")).read()[-2000:])


def workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
