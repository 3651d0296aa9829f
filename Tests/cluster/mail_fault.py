"""E-mail survives a crash: messages wait in the outbox while the server delivers them through a slow sendmail
(Tests/mail/sendmail-to-folder), and the server is killed with SIGKILL in the middle of the batch, several times.
At the end every message has reached the folder (at least once; one sent twice carries its one Message-ID) and the
outbox has marked each sent.
    python3 Tests/cluster/mail_fault.py (--sqlite FILE | --postgres URL) [--messages N] [--kills K]"""
import argparse
import collections
import os
import random
import sys
import time
import uuid

import stack

STANDIN = os.path.join(stack.ROOT, "Tests", "mail", "sendmail-to-folder")


def message_ids(folder):
    ids = []
    for name in os.listdir(folder):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as message:
            for line in message.read().splitlines():
                if line.lower().startswith("message-id:"):
                    ids.append(line.split(":", 1)[1].strip())
    return ids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite")
    parser.add_argument("--postgres")
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--port", type=int, default=18131)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    chance = random.Random(args.seed)
    kind = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"mail fault: {args.messages} messages, {args.kills} kills, seed {args.seed} ({kind})", flush=True)
    work = stack.workdir("demilge-mail-fault.")
    folder = os.path.join(work, "mail")
    os.makedirs(folder)
    database = stack.Database(sqlite_path=args.sqlite, postgres_url=args.postgres).reset()
    server = stack.Instance(database, args.port, work, extra_env={
        "DEMILGE_SENDMAIL": f"{STANDIN} {folder} -t -i", "SENDMAIL_STANDIN_DELAY": "0.2",
        "DEMILGE_OUTBOX_INTERVAL_MS": "100", "DEMILGE_OUTBOX_LEASE_SECONDS": "2"}).start()
    failures = []
    try:
        now = int(time.time() * 1000)
        ours = []
        for n in range(args.messages):
            row_id = database.uid()
            message_id = f"<{str(uuid.uuid4())}@fault.demilge.test>"
            ours.append(message_id)
            database.rows("INSERT INTO outbox_messages (id, message_id, kind, recipient, language, subject, body, status, attempts, "
                          "due_millis, created_millis) VALUES (?, ?, 'mail.password_changed', ?, 'ky', 'Сынак', 'Сынак кат', 'queued', 0, ?, ?)",
                          (row_id, message_id, f"resident{n}@fault.demilge.kg", now, now))
        for kill in range(args.kills):
            time.sleep(0.6 + chance.random() * 1.2)
            delivered = len(message_ids(folder))
            server.kill()
            print(f"killed during delivery ({delivered} of {args.messages} in the folder)", flush=True)
            if delivered >= args.messages:
                failures.append("the kill came after every message was delivered; use more messages")
            server.start()
        deadline = time.time() + 120
        while time.time() < deadline:
            if int(database.one("SELECT COUNT(*) FROM outbox_messages WHERE status <> 'sent'")) == 0:
                break
            time.sleep(0.5)
        unsent = int(database.one("SELECT COUNT(*) FROM outbox_messages WHERE status <> 'sent'"))
        if unsent:
            failures.append(f"{unsent} messages still not sent")
        seen = collections.Counter(message_ids(folder))
        missing = [m for m in ours if seen[m] == 0]
        strangers = [m for m in seen if m not in ours]
        if missing:
            failures.append(f"{len(missing)} messages never reached sendmail")
        if strangers:
            failures.append(f"{len(strangers)} messages in the folder that were never queued")
        if any(name.endswith(".part") for name in os.listdir(folder)):
            failures.append("a half-written message")
        twice = sum(1 for m in ours if seen[m] > 1)
        print(f"{len(ours) - len(missing)} of {len(ours)} delivered; {twice} sent twice with the same Message-ID "
              f"(killed between sendmail accepting and the outbox marking it sent)", flush=True)
    finally:
        server.stop()
    for failure in failures:
        print("FAIL " + failure)
    print(f"mail fault ({kind}): " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
