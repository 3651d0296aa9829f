"""Runs demilge-bench and pabutools 1.2.3 on the same instances, one after the other, and compares.

pabutools runs each rule in a child process with a time limit (pabutools' add-one can take hours);
a rule cut off at the limit counts as taking the limit, so its ratio is a lower bound (shown as ≥).
"""
import argparse, json, multiprocessing, os, platform, statistics, subprocess, sys, time
from fractions import Fraction
from pathlib import Path

RULES = ["greedy_cost_sat", "greedy_cardinality_sat", "mes_cost_sat", "mes_cardinality_sat", "mes_cost_sat_greedy",
         "mes_cost_sat_add1", "mes_cost_sat_add1_greedy", "greedy_points", "greedy_additive_cardinal_sat",
         "mes_additive_cardinal_sat", "seq_phragmen", "maximin_support", "max_welfare_cardinality_sat", "max_welfare_cost_sat"]
# pabutools' Phragmén returns its winners sorted by id: compared as sets. Maximum welfare: an integer program may
# return any optimal set, so the welfare (approvals, or Σ cost × approvals) is compared.
UNORDERED = {"seq_phragmen"}
WELFARE = {"max_welfare_cardinality_sat", "max_welfare_cost_sat"}
POINTS_RULES = {"greedy_points", "greedy_additive_cardinal_sat", "mes_additive_cardinal_sat"}


def pabutools_rule(path, rule, queue):
    from pabutools.election import parse_pabulib, Cost_Sat, Cardinality_Sat, Additive_Cardinal_Sat
    from pabutools.election.satisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen
    from pabutools.tiebreaking import lexico_tie_breaking as lexico

    class PointsTimesCost_Sat(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot, lambda inst, prof, b, p, pre: b[p] * p.cost if p in b else 0)

    instance, profile = parse_pabulib(path)
    greedy = lambda sat, **kw: greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=lexico, **kw)
    mes = lambda sat, **kw: method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=lexico, **kw)
    start = time.perf_counter()
    if rule == "greedy_cost_sat": out = greedy(Cost_Sat)
    elif rule == "greedy_cardinality_sat": out = greedy(Cardinality_Sat)
    elif rule == "greedy_points": out = greedy(PointsTimesCost_Sat)
    elif rule == "greedy_additive_cardinal_sat": out = greedy(Additive_Cardinal_Sat)
    elif rule == "mes_cost_sat": out = mes(Cost_Sat)
    elif rule == "mes_cardinality_sat": out = mes(Cardinality_Sat)
    elif rule == "mes_additive_cardinal_sat": out = mes(Additive_Cardinal_Sat)
    elif rule == "mes_cost_sat_greedy": out = greedy(Cost_Sat, initial_budget_allocation=mes(Cost_Sat))
    elif rule == "mes_cost_sat_add1": out = mes(Cost_Sat, voter_budget_increment=1)
    elif rule == "mes_cost_sat_add1_greedy": out = greedy(Cost_Sat, initial_budget_allocation=mes(Cost_Sat, voter_budget_increment=1))
    elif rule == "seq_phragmen": out = sequential_phragmen(instance, profile, tie_breaking=lexico)
    elif rule == "maximin_support":
        from pabutools.rules.maximin_support import maximin_support
        out = maximin_support(instance, profile, tie_breaking=lexico)
    elif rule in WELFARE:
        from pabutools.rules import max_additive_utilitarian_welfare
        from pabutools.rules.maxwelfare import MaxAddUtilWelfareAlgo
        satisfaction = Cost_Sat if rule == "max_welfare_cost_sat" else Cardinality_Sat
        out = max_additive_utilitarian_welfare(instance, profile, sat_class=satisfaction, inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    seconds = time.perf_counter() - start
    # Welfare per project, as text (Cost_Sat's are fractions): cost × approvals, or approvals.
    weight = (lambda p: p.cost) if rule == "max_welfare_cost_sat" else (lambda p: 1)
    scores = {p.name: str(weight(p) * sum(1 for ballot in profile if p in ballot)) for p in instance} if rule in WELFARE else None
    queue.put((seconds, [p.name for p in out], scores))


def run_pabutools(path, rule, limit):
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=pabutools_rule, args=(str(path), rule, queue))
    child.start()
    try:
        seconds, winners, scores = queue.get(timeout=limit + 60)  # parsing is not counted; allow for it
        child.join()
        if seconds > limit:
            return limit, None, None
        return seconds, winners, scores
    except Exception:
        child.kill()
        child.join()
        return limit, None, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--demilge", required=True)
    parser.add_argument("--write", action="store_true", help="update the section in BENCHMARKS.md")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--add-one-steps", action="store_true",
                        help="add-one as computed against its step-by-step definition (no pabutools)")
    parser.add_argument("--only", action="append", default=[],
                        help="time only this rule (repeatable) and merge its rows into the last full run's "
                             "(with filters, only on those instances)")
    parser.add_argument("filters", nargs="*")
    args = parser.parse_args()
    folder = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
    paths = sorted((folder / "instances").glob("*.pb"))
    if args.filters:
        paths = [p for p in paths if any(f in p.stem for f in args.filters)]
    if args.add_one_steps:
        return add_one_steps(args, paths)
    saved = Path(".build-bench/pabulib-rows.json")
    if args.only and args.write and not saved.exists():
        # The other rules' rows live only in that file (a fresh clone has none): writing now would drop them.
        sys.exit(f"{saved} is missing: run scripts/bench-pabulib --write once without --only before merging rows into BENCHMARKS.md")
    # With --only, the rows of those rules on the instances timed now are replaced; every other row is kept.
    timed = {p.stem for p in paths}
    rows = [r for r in json.loads(saved.read_text()) if r["rule"] not in args.only or r["instance"] not in timed] \
        if args.only and saved.exists() else []
    for path in paths:
        only = [arg for rule in args.only for arg in ("--rule", rule)]
        demilge = json.loads(subprocess.run([args.demilge, str(path), *only], check=True, capture_output=True, text=True).stdout)["rules"]
        for rule in RULES:
            if rule not in demilge or (args.only and rule not in args.only):
                continue
            seconds, winners, scores = run_pabutools(path, rule, args.timeout)
            ours = demilge[rule]["time_s"]
            ours_winners = demilge[rule]["winners"]
            if rule in UNORDERED and winners is not None:
                winners, ours_winners = sorted(winners), sorted(ours_winners)
            if rule in WELFARE and winners is not None:
                total = lambda names: sum((Fraction(scores[p]) for p in names), Fraction(0))
                winners, ours_winners = total(winners), total(ours_winners)
            same = None if winners is None else winners == ours_winners
            rows.append({"instance": path.stem, "rule": rule, "demilge_s": ours, "pabutools_s": seconds,
                         "timeout": winners is None, "same": same, "limit_s": args.timeout})
            mark = "≥" if winners is None else ""
            print(f"{path.stem:70.70} {rule:28} demilge {ours:9.5f} s  pabutools {mark}{seconds:8.3f} s  "
                  f"ratio {mark}{seconds / max(ours, 1e-9):9.0f}×  {'same winners' if same else ('DIFFERENT' if same is False else 'no pabutools result')}",
                  flush=True)
    report = summarise(rows, args.timeout)
    print(report)
    Path(".build-bench").mkdir(exist_ok=True)
    Path(".build-bench/pabulib-rows.json").write_text(json.dumps(rows, indent=1))
    if args.write:
        write_section(report)
        write_section(per_instance(rows), "pabulib-instances")
    sys.exit(1 if any(r["same"] is False for r in rows) else 0)


def per_instance(rows):
    rules = [rule for rule in RULES if any(r["rule"] == rule for r in rows)]
    lines = ["Every rule on every instance: Demilge's time in seconds, the ratio pabutools / Demilge, and whether the "
             "winners are identical (= identical, ≠ different, – pabutools hit the limit: nothing to compare).", "",
             "| instance | " + " | ".join(f"`{rule}`" for rule in rules) + " |", "|---|" + "---:|" * len(rules)]
    for instance in sorted({r["instance"] for r in rows}):
        cells = []
        for rule in rules:
            r = next((r for r in rows if r["instance"] == instance and r["rule"] == rule), None)
            if r is None:
                cells.append("")
                continue
            mark = "≥" if r["timeout"] else ""
            same = "–" if r["same"] is None else ("=" if r["same"] else "≠")
            cells.append(f"{r['demilge_s']:.3f} ({mark}{r['pabutools_s'] / max(r['demilge_s'], 1e-9):,.0f}×) {same}")
        lines.append(f"| {instance} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def add_one_steps(args, paths):
    lines = ["add-one (`mes_cost_sat_add1`) as Demilge computes it — skipping the units of per-voter budget at which MES's "
             "purchases provably cannot change — against the step-by-step definition (one MES run per unit, as pabutools "
             "does), both in Demilge's release build in the same run: the same winners in the same order, the same number "
             "of MES runs counted and the same final per-voter budget. \"work\" = runs and checks actually made.", "",
             "| instance | units (MES runs counted) | final per-voter budget | work | skipping s | step by step s | identical |",
             "|---|---:|---:|---:|---:|---:|---|"]
    different = 0
    for path in paths:
        d = json.loads(subprocess.run([args.demilge, "--add-one-steps", str(path)], check=True, capture_output=True, text=True).stdout)
        s, t = d["skipping"], d["step_by_step"]
        different += not d["identical"]
        row = (f"| {path.stem} | {s['iterations']:,} | {s['per_voter_budget']} | {s['work']:,} | {s['time_s']:.4f} | "
               f"{t['time_s']:.4f} | {'identical' if d['identical'] else 'DIFFERENT'} |")
        print(row, flush=True)
        lines.append(row)
    report = "\n".join(lines)
    if args.write:
        write_section(report, "add-one-steps")
    sys.exit(1 if different else 0)


def summarise(rows, limit):
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores; pabutools 1.2.3 (gmpy2), each call cut off at the rule's limit; "
             f"demilge-bench release build, median of up to 5 runs. Ratio = pabutools time / Demilge time on the same instance in the same run "
             f"(≥: pabutools hit the limit, so the true ratio is higher).", "",
             "| rule | instances | pabutools limit s | median ratio | worst ratio | Demilge max s | pabutools max s | winners identical |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for rule in RULES:
        mine = [r for r in rows if r["rule"] == rule]
        if not mine:
            continue
        ratios = sorted(r["pabutools_s"] / max(r["demilge_s"], 1e-9) for r in mine)
        compared = [r for r in mine if r["same"] is not None]
        limits = "/".join(f"{l:.0f}" for l in sorted({r.get("limit_s", limit) for r in mine}))
        lines.append(f"| `{rule}` | {len(mine)} | {limits} | {statistics.median(ratios):,.0f}× | {ratios[0]:,.0f}× | "
                     f"{max(r['demilge_s'] for r in mine):.4f} | {max(r['pabutools_s'] for r in mine):.2f}"
                     f"{' (limit)' if any(r['timeout'] for r in mine) else ''} | {sum(r['same'] for r in compared)}/{len(compared)} |")
    slowest = max(rows, key=lambda r: r["demilge_s"])
    lines += ["", f"Slowest Demilge call: `{slowest['rule']}` on {slowest['instance']}, {slowest['demilge_s']:.3f} s; "
              f"calls over 1 s: {sum(r['demilge_s'] >= 1 for r in rows)} of {len(rows)}."]
    largest = sorted((r for r in rows if r["instance"] == "Poland_Lodz_2022"), key=lambda r: RULES.index(r["rule"]))
    if largest:
        lines += ["", "Largest instance, Poland_Lodz_2022 (160 projects × 90,494 voters):", "",
                  "| rule | Demilge s | pabutools s | ratio |", "|---|---:|---:|---:|"]
        for r in largest:
            mark = "≥" if r["timeout"] else ""
            lines.append(f"| `{r['rule']}` | {r['demilge_s']:.4f} | {mark}{r['pabutools_s']:.2f} | {mark}{r['pabutools_s'] / r['demilge_s']:,.0f}× |")
    return "\n".join(lines)


def write_section(report, name="pabulib"):
    path = Path("BENCHMARKS.md")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{begin}\n{report}\n{end}"
    if begin in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text += f"\n## Budgeting rules vs pabutools 1.2.3 (`scripts/bench-pabulib --write`)\n\n{section}\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
