"""Crash safety, measured: voters cast ballots at once while the server is killed with SIGKILL at random moments and
restarted. A voter whose request got no answer tries again, as a person would. At the end every acknowledged ballot
is stored exactly once, with exactly the projects sent, every first ballot has its audit entry, and
`demilge audit verify` passes.
    python3 Tests/cluster/fault.py (--sqlite FILE | --postgres URL) [--voters N] [--kills K] [--seed S]"""
import argparse
import concurrent.futures
import http.client
import os
import random
import subprocess
import sys
import threading
import time

import stack

PASSWORD = "сынак-өчүрүү-2026"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite")
    parser.add_argument("--postgres")
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--port", type=int, default=18121)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    print(f"fault: {args.voters} voters, {args.kills} kills, seed {args.seed} ({'SQLite' if args.sqlite else 'PostgreSQL'})", flush=True)
    work = stack.workdir("demilge-fault.")
    database = stack.Database(sqlite_path=args.sqlite, postgres_url=args.postgres).reset()
    server = stack.Instance(database, args.port, work).start()
    failures = []
    try:
        stack.register(server.port, "template@fault.demilge.kg", PASSWORD)
        round_id = stack.open_round(database)
        voters = stack.make_voters(database, args.voters, "template@fault.demilge.kg")
        projects = stack.round_choices(server.port, round_id, voters[0]["cookie"])
        sent = {}
        lock = threading.Lock()
        up = threading.Event()
        up.set()
        done = threading.Event()
        retries = [0]

        def vote(index):
            voter = voters[index]
            choices = sorted(chance.sample(projects, k=1 + index % len(projects)))
            while True:
                up.wait()
                try:
                    if stack.cast(server.port, round_id, voter["cookie"], choices):
                        with lock:
                            sent[voter["user"]] = choices
                        return
                except (OSError, RuntimeError, http.client.HTTPException):
                    with lock:
                        retries[0] += 1
                    time.sleep(0.2)

        def killer():
            for _ in range(args.kills):
                time.sleep(chance.uniform(0.3, 2.0))
                if done.is_set():
                    return
                up.clear()
                server.kill()
                time.sleep(chance.uniform(0.0, 0.5))
                server.start()
                up.set()

        kills = threading.Thread(target=killer)
        kills.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(vote, range(len(voters))))
        done.set()
        kills.join()
        print(f"     {len(sent)} ballots acknowledged, {retries[0]} requests retried, {server.starts - 1} restarts", flush=True)
        server.stop()

        stored_round = database.uid(round_id)
        stored = database.rows("SELECT b.voter_id, b.id FROM budget_ballots b JOIN users u ON u.id = b.voter_id "
                               "WHERE b.round_id = ? AND u.email LIKE 'voter%@cluster.demilge.kg'", (stored_round,))
        by_voter = {}
        for voter, ballot in stored:
            by_voter.setdefault(voter.upper(), []).append(ballot)
        codes = dict(database.rows("SELECT id, code FROM budget_projects WHERE round_id = ?", (stored_round,)))
        codes = {k.upper(): v for k, v in codes.items()}
        chosen = {}
        for ballot, project in database.rows("SELECT c.ballot_id, c.project_id FROM budget_ballot_choices c JOIN budget_ballots b "
                                             "ON b.id = c.ballot_id WHERE b.round_id = ?", (stored_round,)):
            chosen.setdefault(ballot.upper(), []).append(codes.get(project.upper(), "?"))
        audit = database.rows("SELECT actor FROM audit_entries WHERE action = 'ballot.cast' AND entity_id = ?", (round_id,))
        audited = {}
        for (actor,) in audit:
            audited[actor.split(":")[-1].upper()] = audited.get(actor.split(":")[-1].upper(), 0) + 1

        def expect(condition, message):
            print(("ok   " if condition else "FAIL ") + message, flush=True)
            if not condition:
                failures.append(message)

        expect(server.starts - 1 >= min(args.kills, 1), f"the server was killed and restarted ({server.starts - 1} times)")
        expect(args.kills == 0 or retries[0] > 0, f"a kill cut requests in flight ({retries[0]} retried)")
        expect(len(sent) == args.voters, f"every voter was acknowledged ({len(sent)} of {args.voters})")
        expect(len(by_voter) == args.voters and all(len(b) == 1 for b in by_voter.values()),
               f"every acknowledged ballot is stored exactly once ({len(stored)} rows for {len(by_voter)} voters)")
        wrong = [v for v, choices in sent.items() if sorted(chosen.get(by_voter.get(v.upper(), ["?"])[0].upper(), [])) != choices]
        expect(not wrong, f"no partial ballot: each holds exactly the projects sent ({len(wrong)} differ)")
        expect(all(audited.get(v.upper(), 0) == 1 for v in sent), f"each first ballot has exactly one audit entry ({len(audit)} entries)")
        verify = subprocess.run([stack.BIN, "audit", "verify"], env=dict(os.environ, **database.env), capture_output=True, text=True)
        said = (verify.stdout + verify.stderr).strip().splitlines()
        expect(verify.returncode == 0, "demilge audit verify passes" + (f": {said[-1]}" if said else ""))
    finally:
        server.stop()
    print("fault: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
