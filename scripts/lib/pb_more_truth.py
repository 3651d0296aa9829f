"""pabutools 1.2.3's outcome of the rules ../shared/pabulib/truth/ does not hold (today: sequential Phragmén) on the 49
shared instances, into Tests/DemilgeCoreTests/Fixtures/pabutools-rules/NAME.json; a call over the time limit is
recorded as such and not compared. Run through scripts/pb-more-truth.
"""
import json, multiprocessing, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "pabulib"
OUT = ROOT / "Tests" / "DemilgeCoreTests" / "Fixtures" / "pabutools-rules"


def phragmen(path, queue):
    from pabutools.election import parse_pabulib
    from pabutools.rules import sequential_phragmen
    from pabutools.tiebreaking import lexico_tie_breaking
    instance, profile = parse_pabulib(str(path))
    start = time.perf_counter()
    out = sequential_phragmen(instance, profile, tie_breaking=lexico_tie_breaking)
    queue.put((time.perf_counter() - start, sorted(p.name for p in out)))


def main():
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted((SHARED / "instances").glob("*.pb")):
        truth = json.loads((SHARED / "truth" / f"{path.stem}.json").read_text())
        if truth["vote_type"] not in ("approval", "choose-1"):
            continue
        queue = multiprocessing.Queue()
        child = multiprocessing.Process(target=phragmen, args=(path, queue))
        child.start()
        try:
            seconds, winners = queue.get(timeout=limit + 30)
            child.join()
            entry = {"status": "ok", "winners_sorted": winners, "time_s": round(seconds, 3)}
        except Exception:
            child.kill()
            child.join()
            entry = {"status": "timeout", "time_limit_s": limit}
        record = {"schema": "pbrules/1", "instance": path.stem, "pabutools_version": "1.2.3",
                  "note": "sequential_phragmen returns its winners sorted by id", "rules": {"seq_phragmen": entry}}
        (OUT / f"{path.stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(path.stem, entry["status"], entry.get("time_s", ""), flush=True)


if __name__ == "__main__":
    main()
