"""Two `demilge serve` instances on one PostgreSQL behind Debian's nginx (deploy/nginx/demilge.conf), as
deploy/README.md sets them up: a session made on one instance is used on the other, sign-in limits hold across
both, and 200 voters spread over both cast exactly one ballot each (a second ballot replaces the first).
    python3 Tests/cluster/two_instances.py POSTGRES_URL [--voters N]"""
import argparse
import collections
import concurrent.futures
import sys

import stack

PASSWORD = "кластер-сынагы-2026"


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        check.failed = True


check.failed = False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("postgres_url")
    parser.add_argument("--voters", type=int, default=200)
    args = parser.parse_args()
    work = stack.workdir("demilge-cluster.")
    database = stack.Database(postgres_url=args.postgres_url).reset()
    first = stack.Instance(database, 18111, work).start()  # migrates and loads the demo data on a fresh database
    second = stack.Instance(database, 18112, work).start()
    nginx = stack.start_nginx(work, 18110, [18111, 18112])
    try:
        # A session made on one instance is used on the other.
        cookie = stack.register(first.port, "template@cluster.demilge.kg", PASSWORD)
        status, _, html = stack.request(second.port, "GET", "/account", cookie=cookie)
        check(status == 200 and "Шайлоочу Үлгү" in html, "a session made on one instance is signed in on the other")

        # Sign-in holds are counted in the database, atomically: twelve wrong passwords for one address at once,
        # spread over both instances; the fifth failure holds the address, so exactly four are judged (401) and eight
        # refused (429).
        def attempt(n):
            return stack.sign_in((first.port, second.port)[n % 2], "limits@cluster.demilge.kg", "not-the-password")[1]

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            statuses = sorted(pool.map(attempt, range(12)))
        check(statuses == [401] * 4 + [429] * 8, f"the sign-in hold holds across both instances, at once ({statuses})")

        # 200 voters through nginx, at once; each then votes again through the other instance.
        round_id = stack.open_round(database)
        voters = stack.make_voters(database, args.voters, "template@cluster.demilge.kg")
        projects = stack.round_choices(18110, round_id, voters[0]["cookie"])
        check(len(projects) >= 2, f"the open round offers projects ({projects})")
        upstreams = collections.Counter()

        def vote(index):
            voter = voters[index]
            status, headers, _ = stack.request(18110, "GET", f"/rounds/{round_id}", cookie=voter["cookie"])
            upstreams.update(headers.get("x-demilge-upstream", []))
            first_choice = [projects[index % len(projects)]]
            stack.cast(18110, round_id, voter["cookie"], first_choice)
            port = (first.port, second.port)[index % 2]
            stack.cast(port, round_id, voter["cookie"], projects[:2])
            return voter["user"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            acknowledged = list(pool.map(vote, range(len(voters))))
        check(len(acknowledged) == args.voters, f"{args.voters} voters acknowledged twice each")
        check(len(upstreams) == 2, f"requests were spread over both instances ({dict(upstreams)})")
        rows = database.rows("SELECT voter_id FROM budget_ballots b JOIN users u ON u.id = b.voter_id "
                             "WHERE b.round_id = ? AND u.email LIKE 'voter%@cluster.demilge.kg'", (database.uid(round_id),))
        check(len(rows) == args.voters and len(set(r[0] for r in rows)) == args.voters,
              f"exactly one ballot per voter ({len(rows)} ballots, {len(set(r[0] for r in rows))} voters)")
        choices = database.rows("SELECT c.ballot_id, COUNT(*) FROM budget_ballot_choices c JOIN budget_ballots b ON b.id = c.ballot_id "
                                "JOIN users u ON u.id = b.voter_id WHERE b.round_id = ? AND u.email LIKE 'voter%@cluster.demilge.kg' "
                                "GROUP BY c.ballot_id", (database.uid(round_id),))
        check(len(choices) == args.voters and all(int(n) == 2 for _, n in choices), "every ballot holds the second vote's two projects")
        counted = 0
        for port in (first.port, second.port):
            _, _, text = stack.request(port, "GET", "/metrics")
            counted += sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith('demilge_ballots_cast_total{channel="online"}'))
        check(counted == 2 * args.voters, f"the instances' /metrics count every ballot between them ({counted:.0f})")
        for port in (first.port, second.port):
            _, _, text = stack.request(port, "GET", "/metrics")
            figures = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("demilge_database_")}
            capacity = figures.get("demilge_database_pool_capacity", 0)
            open_connections = figures.get('demilge_database_connections{state="busy"}', -1) + \
                figures.get('demilge_database_connections{state="idle"}', -1)
            # Both instances' pools filled while 200 voters voted; each counts only its own connections.
            check(capacity >= 1 and 1 <= open_connections <= capacity,
                  f"instance {port}'s /metrics shows its own database pool ({open_connections:.0f} open of {capacity:.0f})")
        _, _, text = stack.request(18110, "GET", "/metrics")
        check("http_requests_total" not in text, "nginx does not show /metrics to the public")
    finally:
        nginx.terminate()
        first.stop()
        second.stop()
    print("two instances: " + ("FAILED" if check.failed else "passed"))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
