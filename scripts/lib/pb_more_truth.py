"""pabutools 1.2.3's outcome of the rules ../shared/pabulib/truth/ does not hold (sequential Phragmén, maximum welfare by
approvals) on the 49
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


def welfare(path, queue):
    from pabutools.election import parse_pabulib, Cardinality_Sat
    from pabutools.rules import max_additive_utilitarian_welfare
    from pabutools.rules.maxwelfare import MaxAddUtilWelfareAlgo
    instance, profile = parse_pabulib(str(path))
    start = time.perf_counter()
    out = max_additive_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat, inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    seconds = time.perf_counter() - start
    approvals = sum(sum(1 for ballot in profile if p in ballot) for p in out)
    queue.put((seconds, {"welfare": approvals, "feasible": bool(instance.is_feasible(out))}))


def maximin(path, queue):
    from pabutools.election import parse_pabulib
    from pabutools.rules.maximin_support import maximin_support
    from pabutools.tiebreaking import lexico_tie_breaking
    instance, profile = parse_pabulib(str(path))
    start = time.perf_counter()
    out = maximin_support(instance, profile, tie_breaking=lexico_tie_breaking)
    queue.put((time.perf_counter() - start, [p.name for p in out]))


def welfare_cost(path, queue):
    from pabutools.election import parse_pabulib, Cost_Sat
    from pabutools.rules import max_additive_utilitarian_welfare
    from pabutools.rules.maxwelfare import MaxAddUtilWelfareAlgo
    instance, profile = parse_pabulib(str(path))
    start = time.perf_counter()
    out = max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    seconds = time.perf_counter() - start
    value = sum(p.cost * sum(1 for ballot in profile if p in ballot) for p in out)
    queue.put((seconds, {"welfare": str(value), "feasible": bool(instance.is_feasible(out))}))


def run(target, path, limit):
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=target, args=(path, queue))
    child.start()
    try:
        seconds, result = queue.get(timeout=limit + 30)
        child.join()
        return {"status": "ok", "result": result, "time_s": round(seconds, 3)}
    except Exception:
        child.kill()
        child.join()
        return {"status": "timeout", "time_limit_s": limit}


APPROVAL_ONLY = {"seq_phragmen", "maximin_support"}
CALLS = {"max_welfare_cardinality_sat": welfare, "max_welfare_cost_sat": welfare_cost, "seq_phragmen": phragmen,
         "maximin_support": maximin}


def main():
    """[TIME_LIMIT_SECONDS] [RULE,RULE…]: the rules named (all by default) are computed again, the others kept."""
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
    wanted = sys.argv[2].split(",") if len(sys.argv) > 2 else list(CALLS)
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted((SHARED / "instances").glob("*.pb")):
        truth = json.loads((SHARED / "truth" / f"{path.stem}.json").read_text())
        kept = OUT / f"{path.stem}.json"
        rules = json.loads(kept.read_text())["rules"] if kept.exists() else {}
        for rule in wanted:
            if rule in APPROVAL_ONLY and truth["vote_type"] not in ("approval", "choose-1"):
                continue
            entry = run(CALLS[rule], path, limit)
            if rule == "seq_phragmen" and entry["status"] == "ok":
                entry["winners_sorted"] = entry.pop("result")
            if rule == "maximin_support" and entry["status"] == "ok":
                entry["winners"] = entry.pop("result")
            rules[rule] = entry
        record = {"schema": "pbrules/1", "instance": path.stem, "pabutools_version": "1.2.3",
                  "note": "sequential_phragmen returns its winners sorted by id, maximin_support in the order chosen (its "
                          "loads are linear programs solved by CBC in floating point); max_additive_utilitarian_welfare (integer "
                          "program) may return any optimal set, so only its welfare (approvals, or Σ cost × approvals "
                          "as a fraction for Cost_Sat) and feasibility are kept",
                  "rules": rules}
        (OUT / f"{path.stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(path.stem, {rule: entry["status"] for rule, entry in rules.items()}, flush=True)


if __name__ == "__main__":
    main()
