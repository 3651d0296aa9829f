"""Serves a generated country from a release build and measures its main public pages with wrk (see scripts/bench-web).

For each database: start `demilge serve`, find real addresses (the largest round, the most supported problem…) in
the database, warm every page once (each must answer 200), then run `wrk -t2 -c64` on each, sampling the server's
memory. The ceiling is /healthz, the server's trivial route, measured in the same run; every page is reported as a
share of it, and the static CSS against it too.
"""
import argparse
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import threading
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "cluster"))
import stack  # noqa: E402  (the cluster checks' helpers: voters with sessions, a ballot through the form)

TARGET_P99_MS = 100
TARGET_SHARE = 0.25
TARGET_CSS_SHARE = 0.50
TARGET_RSS_MB = 300
TARGET_BALLOT_P99_MS = 200
PORT = 18110


def ident(value):
    """Ids as addresses write them (lower case); codes and slugs as stored."""
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return str(uuid.UUID(bytes=bytes(value)))
    text = str(value)
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


class Queries(stack.Database):
    """The same SQL on both databases (the cluster checks' `Database`): which pages to measure."""

    def one(self, sql, params=()):
        value = super().one(sql, params)
        return ident(value) if value is not None else None

    def pages(self):
        oblast = self.one("SELECT code FROM territories WHERE kind = 'oblast' ORDER BY code LIMIT 1")
        municipality = self.one("SELECT t.code FROM territories t JOIN problems p ON p.territory_id = t.id "
                                "WHERE t.kind IN ('ayil_aimak', 'city') GROUP BY t.code ORDER BY COUNT(*) DESC, t.code LIMIT 1")
        problem = self.one("SELECT id FROM problems WHERE NOT hidden AND merged_into_id IS NULL ORDER BY support_count DESC, id LIMIT 1")
        round_ = self.one("SELECT b.round_id FROM budget_ballots b JOIN budget_rounds r ON r.id = b.round_id "
                          "WHERE r.status = 'published' GROUP BY b.round_id ORDER BY COUNT(*) DESC LIMIT 1")
        grant = self.one("SELECT id FROM grant_applications WHERE status = 'in_implementation' ORDER BY id LIMIT 1")
        programme = self.one("SELECT slug FROM programmes ORDER BY slug LIMIT 1")
        return [
            ("ceiling: /healthz", "/healthz"),
            ("static CSS", "/css/demilge.css"),
            ("home", "/"),
            ("territory: oblast", f"/territories/{oblast}"),
            ("territory: municipality", f"/territories/{municipality}"),
            ("problems list", "/problems"),
            ("problems, filtered", f"/problems?territory={oblast}&category=water&status=raised"),
            ("problems, page 100", "/problems?page=100"),
            ("a problem", f"/problems/{problem}"),
            ("largest round's results", f"/rounds/{round_}/results"),
            ("a grant", f"/applications/{grant}"),
            ("indicators, national", "/indicators"),
            ("indicators, programme", f"/indicators?programme={programme}"),
            ("search: a common word", "/search?q=%D1%81%D1%83%D1%83"),
            ("CSV export: territories", "/territories.csv"),
            ("JSON API: problems", "/api/v1/problems?per_page=20"),
            ("home, gzipped (as a browser asks)", "/", {"Accept-Encoding": "gzip"}),
        ]

    def crawls(self):
        """Many different addresses per row, as a crawler walks them: each page is made (mostly) for the first time."""
        many = lambda sql: [ident(row[0]) for row in self.rows(sql)]
        problems = many("SELECT id FROM problems WHERE NOT hidden AND merged_into_id IS NULL ORDER BY id LIMIT 3000")
        grants = many("SELECT id FROM grant_applications WHERE status IN ('in_implementation', 'completed', 'closed') ORDER BY id LIMIT 3000")
        places = many("SELECT code FROM territories WHERE kind IN ('ayil_aimak', 'city') ORDER BY code")
        return [
            ("crawl: 3,000 problems", [f"/problems/{id}" for id in problems]),
            ("crawl: 3,000 grants", [f"/applications/{id}" for id in grants]),
            (f"crawl: {len(places)} municipality portals", [f"/territories/{code}" for code in places]),
            ("crawl: problems list, pages 1–2,000", [f"/problems?page={n}" for n in range(1, 2001)]),
        ]


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url, duration, pid, headers=None, paths=None):
    command = ["wrk", "-t2", "-c64", f"-d{duration}s", "--timeout", "10s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if paths:
        command += ["-s", os.path.join(os.path.dirname(__file__), "paths.lua"), url, "--", paths]
    else:
        command.append(url)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, rss_mb(pid))
        time.sleep(0.2)
    out = process.stdout.read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "rss": peak, "non2xx": int(bad.group(1)) if bad else 0,
            "socket": errors.group(1) if errors else ""}


def drain(seconds=300):
    """Waits until the server answers /readyz (a database round trip) within 50 ms again: requests a slow page left
    queued when wrk stopped would otherwise be measured as the next page's."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        started = time.time()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=10).read()
            if time.time() - started < 0.05:
                return
        except Exception:
            pass
        time.sleep(0.5)


def serve(bin_path, env):
    log = open(env["DEMILGE_BENCH_LOG"], "w")
    server = subprocess.Popen([bin_path, "serve", "--env", "production", "--log", "warning", "--hostname", "127.0.0.1", "--port", str(PORT)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return server
        except Exception:
            if server.poll() is not None:
                raise SystemExit(f"demilge serve stopped; see {env['DEMILGE_BENCH_LOG']}")
            time.sleep(0.5)
    raise SystemExit("demilge serve did not answer")


def measure(name, bin_path, queries, env, duration):
    env = dict(os.environ, **env, DEMILGE_BENCH_LOG=f".build-bench/web/serve-{name}.log")
    server = serve(bin_path, env)
    rows = []
    try:
        for label, path, *extra in queries.pages():
            headers = extra[0] if extra else {}
            url = f"http://127.0.0.1:{PORT}{path}"
            drain()
            started = time.time()
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                print(f"{name:8} {label:28} answers {error.code}: not measured", flush=True)
                continue
            first = (time.time() - started) * 1000
            result = wrk(url, duration, server.pid, headers=headers)
            result.update(label=label, path=path, first_ms=first)
            rows.append(result)
            print(f"{name:8} {label:28} {result['rps']:9.1f}/s  p50 {result['p50']:8.1f} ms  p99 {result['p99']:8.1f} ms  "
                  f"rss {result['rss']:6.0f} MB  first {first:7.0f} ms" + (f"  NON-2xx {result['non2xx']}" if result["non2xx"] else ""),
                  flush=True)
        for label, paths in queries.crawls():
            listing = f".build-bench/web/crawl-{name}-{len(rows)}.txt"
            with open(listing, "w") as out:
                out.write("\n".join(paths) + "\n")
            drain()
            result = wrk(f"http://127.0.0.1:{PORT}", duration, server.pid, paths=listing)
            result.update(label=label, path=f"{paths[0]} …", first_ms=0.0, crawl=True)
            rows.append(result)
            print(f"{name:8} {label:28} {result['rps']:9.1f}/s  p50 {result['p50']:8.1f} ms  p99 {result['p99']:8.1f} ms  "
                  f"rss {result['rss']:6.0f} MB" + (f"  NON-2xx {result['non2xx']}" if result["non2xx"] else ""), flush=True)
        rows.append(ballots_under_load(name, server.pid, env, duration))
    finally:
        server.terminate()
        server.wait()
    return rows


def ballots_under_load(name, pid, env, duration):
    """Ballots cast one after another through the form (page, then the ballot), while wrk keeps 64 connections
    reading the home page: the latency of each ballot submission (the POST), as a voter would wait for it."""
    database = stack.Database(sqlite_path=env.get("DEMILGE_SQLITE"), postgres_url=env.get("DATABASE_URL"))
    run = uuid.uuid4().hex[:8]
    stack.register(PORT, f"bench-{run}@bench.demilge.kg", "бенчмарк-шайлоо-2026")
    voters = stack.make_voters(database, 400, f"bench-{run}@bench.demilge.kg", prefix=f"bench-{run}-")
    round_id = stack.open_round(database)
    projects = stack.round_choices(PORT, round_id, voters[0]["cookie"])
    times, stop = [], threading.Event()

    def vote():
        for voter in voters:
            if stop.is_set():
                return
            _, _, html = stack.request(PORT, "GET", f"/rounds/{round_id}", cookie=voter["cookie"])
            started = time.time()
            status, _, _ = stack.request(PORT, "POST", f"/rounds/{round_id}/ballot",
                                         {"_csrf": stack.csrf(html), "choice[]": projects[:1]}, cookie=voter["cookie"])
            if status in (302, 303):
                times.append((time.time() - started) * 1000)

    drain()
    voting = threading.Thread(target=vote)
    voting.start()
    result = wrk(f"http://127.0.0.1:{PORT}/", duration, pid)
    stop.set()
    voting.join()
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] if times else 0.0
    print(f"{name:8} ballots under load: {len(times)} cast, p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms "
          f"(home meanwhile {result['rps']:.0f}/s)", flush=True)
    return dict(result, label="ballot submission while 64 connections read the home page", path=f"/rounds/{round_id}/ballot",
                first_ms=0.0, ballots=len(times), p50=pick(0.5), p99=pick(0.99), ballot=True)


def table(name, rows, scale):
    ceiling = rows[0]["rps"] or 1
    lines = [f"**{name}** (scale {scale}; ceiling /healthz {ceiling:,.0f} requests/s)", "",
             "| page | requests/s | p50 ms | p99 ms | share of ceiling | first request ms | peak RSS MB | targets |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        share = row["rps"] / ceiling
        if row.get("ballot"):
            verdict = "met" if row["p99"] < TARGET_BALLOT_P99_MS and row["ballots"] else f"missed (p99 ≥ {TARGET_BALLOT_P99_MS} ms)"
            lines.append(f"| {row['label']} ({row['ballots']} ballots; the home page served {row['rps']:,.0f}/s meanwhile) | — | "
                         f"{row['p50']:.1f} | {row['p99']:.1f} | — | — | {row['rss']:.0f} | {verdict} |")
            continue
        if row is rows[0]:
            verdict = "—"
        elif row["label"] == "static CSS":
            verdict = "met" if share >= TARGET_CSS_SHARE else f"missed (< {TARGET_CSS_SHARE:.0%} of ceiling)"
        else:
            missed = []
            if row["p99"] >= TARGET_P99_MS: missed.append(f"p99 ≥ {TARGET_P99_MS} ms")
            if share < TARGET_SHARE: missed.append(f"< {TARGET_SHARE:.0%} of ceiling")
            if row["non2xx"]: missed.append(f"{row['non2xx']} non-2xx")
            verdict = "met" if not missed else "missed: " + ", ".join(missed)
        if row["rps"] == 0:
            verdict = "missed: no request completed within wrk's 10 s timeout"
        latency = f"{row['p50']:.1f} | {row['p99']:.1f}" if row["rps"] > 0 else "— | —"
        first = "—" if row.get("crawl") else f"{row['first_ms']:.0f}"
        lines.append(f"| {row['label']} (`{row['path'][:60]}`) | {row['rps']:,.0f} | {latency} | "
                     f"{share:.1%} | {first} | {row['rss']:.0f} | {verdict} |")
    peak = max(row["rss"] for row in rows)
    lines += ["", f"Peak RSS under load: {peak:.0f} MB ({'met' if peak < TARGET_RSS_MB else 'missed'}: target < {TARGET_RSS_MB} MB)."]
    return "\n".join(lines)


def commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def write(sections, duration):
    path = "BENCHMARKS.md"
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    start, end = "<!-- bench-web:start -->", "<!-- bench-web:end -->"
    body = "\n\n".join([
        start, "## Web pages under load (`scripts/bench-web`)",
        f"Release build, `wrk -t2 -c64 -d{duration}s` per page on this 2-core machine, generated national data "
        "(`demilge seed --scale …`, the scale named with each database), the server's ceiling (`/healthz`) measured in "
        f"the same run; run {time.strftime('%Y-%m-%d')} at commit `{commit()}`. Targets (issue 13): "
        "p99 < 100 ms and ≥ 25 % of the ceiling for every page, the CSS ≥ 50 % of the ceiling, RSS < 300 MB, a ballot "
        "submission p99 < 200 ms while 64 connections read. "
        "\"first request\" is one request after the previous page's load has drained. Every listed page is asked for "
        "again and again, as readers of a link in the news would; the \"crawl\" rows walk thousands of different "
        "addresses (wrk with scripts/lib/paths.lua), as a crawler would, so most of their pages are made for the first "
        "time rather than served as kept.",
        *sections, end])
    if start in text:
        text = text[:text.index(start)] + body + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    open(path, "w").write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--sqlite")
    parser.add_argument("--postgres")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--scale", default="national")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sections = []
    if args.sqlite:
        rows = measure("sqlite", args.bin, Queries(sqlite_path=args.sqlite), {"DEMILGE_SQLITE": args.sqlite}, args.duration)
        sections.append(table("SQLite", rows, args.scale))
    if args.postgres:
        rows = measure("postgres", args.bin, Queries(postgres_url=args.postgres), {"DATABASE_URL": args.postgres}, args.duration)
        sections.append(table("PostgreSQL", rows, args.scale))
    print("\n\n".join(sections))
    if args.write:
        write(sections, args.duration)


if __name__ == "__main__":
    sys.exit(main())
