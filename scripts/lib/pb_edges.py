"""Writes small pabulib instances that sit on the edges of the budgeting rules, and pabutools 1.2.3's outcome
for each, into Tests/DemilgeCoreTests/Fixtures/pabutools-edges/ (NAME.pb and NAME.json).

Deterministic: the hand-made edges are fixed and the random ones come from a fixed seed, so running it again
writes the same files. Run it through scripts/pb-edges (which installs pabutools in .build-bench/venv).
"""
import json, random, sys
from fractions import Fraction
from pathlib import Path

from pabutools.election import parse_pabulib, Cost_Sat, Cardinality_Sat, Additive_Cardinal_Sat
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen, max_additive_utilitarian_welfare
from pabutools.rules.maxwelfare import MaxAddUtilWelfareAlgo
from pabutools.rules.maximin_support import maximin_support
from pabutools.tiebreaking import lexico_tie_breaking as lexico
from pabutools.analysis import avg_satisfaction, percent_non_empty_handed, gini_coefficient_of_satisfaction
from pabutools.analysis.justifiedrepresentation import is_EJR_one_approval

OUT = Path(__file__).resolve().parents[2] / "Tests" / "DemilgeCoreTests" / "Fixtures" / "pabutools-edges"


class PointsTimesCost_Sat(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot, lambda inst, prof, b, p, pre: b[p] * p.cost if p in b else 0)


def pb_text(description, vote_type, budget, projects, votes):
    """projects: [(id, cost)]; votes: [[id, …]] or, for cumulative, [[(id, points), …]]."""
    lines = ["META", "key;value", f"description;{description}", "country;Testland", "unit;edge", "instance;edge",
             f"num_projects;{len(projects)}", f"num_votes;{len(votes)}", f"budget;{budget}", f"vote_type;{vote_type}",
             "rule;greedy", "PROJECTS", "project_id;cost"]
    lines += [f"{pid};{cost}" for pid, cost in projects]
    lines += ["VOTES", "voter_id;vote;points" if vote_type == "cumulative" else "voter_id;vote"]
    for number, vote in enumerate(votes, 1):
        if vote_type == "cumulative":
            lines.append(f"{number};{','.join(p for p, _ in vote)};{','.join(str(x) for _, x in vote)}")
        else:
            lines.append(f"{number};{','.join(vote)}")
    return "\n".join(lines) + "\n"


def add_one(instance, profile):
    """mes_cost_sat_add1 with the number of MES runs and the per-voter budget returned, read off pabutools' loop."""
    feasible_answers = []
    original = instance.is_feasible

    def counting(projects):
        answer = original(projects)
        feasible_answers.append(answer)
        return answer

    instance.is_feasible = counting
    try:
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=lexico, voter_budget_increment=1)
    finally:
        instance.is_feasible = original
    runs = len(feasible_answers)
    start = Fraction(instance.budget_limit) / len(profile)
    returned = start + (runs - 2 if feasible_answers and not feasible_answers[-1] else runs - 1)
    return outcome, {"iterations": runs, "final_per_voter_budget": str(returned)}


def outcomes(path):
    instance, profile = parse_pabulib(str(path))
    greedy = lambda sat, **kw: greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=lexico, **kw)
    mes = lambda sat, **kw: method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=lexico, **kw)
    outs = {
        "greedy_cost_sat": greedy(Cost_Sat),
        "greedy_cardinality_sat": greedy(Cardinality_Sat),
        "mes_cost_sat": mes(Cost_Sat),
        "mes_cardinality_sat": mes(Cardinality_Sat),
        "mes_cost_sat_greedy": greedy(Cost_Sat, initial_budget_allocation=mes(Cost_Sat)),
    }
    add1, trace = add_one(instance, profile)
    outs["mes_cost_sat_add1"] = add1
    outs["mes_cost_sat_add1_greedy"] = greedy(Cost_Sat, initial_budget_allocation=add1)
    # The integer program (PuLP's CBC), as the issue names it; pabutools' default primal/dual search fails on some edges.
    welfare = max_additive_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat, inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    outs["max_welfare_cardinality_sat"] = welfare
    welfare_cost = max_additive_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, inner_algo=MaxAddUtilWelfareAlgo.ILP_SOLVER)
    if instance.meta["vote_type"] in ("approval", "choose-1"):
        outs["seq_phragmen"] = sequential_phragmen(instance, profile, tie_breaking=lexico)
        outs["maximin_support"] = maximin_support(instance, profile, tie_breaking=lexico)
    if instance.meta["vote_type"] == "cumulative":
        outs["greedy_points"] = greedy(PointsTimesCost_Sat)
        outs["greedy_additive_cardinal_sat"] = greedy(Additive_Cardinal_Sat)
        outs["mes_additive_cardinal_sat"] = mes(Additive_Cardinal_Sat)
    rules = {rule: [p.name for p in out] for rule, out in outs.items()}
    # An integer program may return any optimal set: what must agree is the welfare (approvals) and feasibility.
    approvals = lambda out: sum(sum(1 for ballot in profile if p in ballot) for p in out)
    rules["max_welfare_cardinality_sat"] = {"welfare": approvals(welfare), "feasible": bool(instance.is_feasible(welfare))}
    spent = sum(p.cost * sum(1 for ballot in profile if p in ballot) for p in welfare_cost)
    rules["max_welfare_cost_sat"] = {"welfare": str(Fraction(spent)), "feasible": bool(instance.is_feasible(welfare_cost))}
    # Measures of one optimal set among several would not be comparable: none for maximum welfare.
    return rules, trace, {rule: measures(instance, profile, out) for rule, out in outs.items() if rule != "max_welfare_cardinality_sat"}


def measures(instance, profile, out):
    """pabutools.analysis on an outcome, exact fractions as text; EJR only where its brute force is quick."""
    text = lambda x: str(Fraction(x))
    result = {
        "share_with_a_project": text(percent_non_empty_handed(instance, profile, out)),
        "average_projects": text(avg_satisfaction(instance, profile, out, Cardinality_Sat)),
        "average_spent": text(avg_satisfaction(instance, profile, out, Cost_Sat)),
        "gini_projects": text(gini_coefficient_of_satisfaction(instance, profile, out, Cardinality_Sat)),
        "gini_spent": text(gini_coefficient_of_satisfaction(instance, profile, out, Cost_Sat)),
        "exhaustive": bool(instance.is_exhaustive(out)),
    }
    if instance.meta["vote_type"] == "approval" and len(profile) <= 8 and len(instance) <= 7:
        result["ejr_up_to_one"] = bool(is_EJR_one_approval(instance, profile, Cardinality_Sat, out))
    return result


def hand_made():
    """(name, description, vote_type, budget, projects, votes): one edge each."""
    yield ("free-approval", "free projects, supported and not", "approval", 100,
           [("a", 0), ("b", 0), ("c", 60), ("d", 40), ("e", 50)],
           [["a", "c"], ["a", "d"], ["c", "e"], ["d"], ["a"]])
    yield ("free-only-supported-by-one", "a free project one voter likes, nothing else fits", "approval", 10,
           [("x", 0), ("y", 30)], [["x", "y"], ["y"], []])
    yield ("free-cumulative", "free projects on cumulative ballots, with and without points", "cumulative", 90,
           [("p1", 0), ("p2", 45), ("p3", 45), ("p4", 0)],
           [[("p1", 3), ("p2", 2)], [("p2", 5)], [("p3", 4), ("p4", 0)], [("p1", 1), ("p3", 1)]])
    yield ("zero-points", "a project listed with 0 points", "cumulative", 100,
           [("a", 50), ("b", 50), ("c", 40)],
           [[("a", 0), ("b", 3)], [("a", 0), ("c", 2)], [("b", 1), ("c", 1)], [("a", 5)]])
    yield ("over-budget-project", "a project costing more than the whole budget", "approval", 100,
           [("big", 150), ("small", 40), ("mid", 60)],
           [["big"], ["big", "small"], ["big", "mid"], ["small"], ["big"]])
    yield ("budget-zero", "a budget of 0", "approval", 0,
           [("a", 10), ("b", 0), ("c", 5)], [["a", "b"], ["c"], ["a"]])
    yield ("single-voter", "one voter", "approval", 100,
           [("a", 70), ("b", 30), ("c", 40), ("d", 0)], [["a", "c", "d"]])
    yield ("all-empty", "every ballot empty", "approval", 100,
           [("a", 70), ("b", 30), ("c", 0)], [[], [], []])
    yield ("ids-case", "ids that differ only in case", "approval", 100,
           [("a", 40), ("A", 40), ("b", 40), ("B", 40)],
           [["a", "A"], ["A", "B"], ["b", "a"], ["B"], ["A"], ["a"]])
    yield ("ids-normalisation", "ids that differ only in Unicode normalisation", "approval", 100,
           [("\u00e9", 50), ("e\u0301", 50), ("\u0130", 50), ("I\u0307", 50)],
           [["\u00e9"], ["e\u0301", "\u00e9"], ["I\u0307"], ["\u0130", "e\u0301"], ["e\u0301"]])
    yield ("ids-numeric", "ids compared as text: 10 before 9", "approval", 100,
           [("9", 50), ("10", 50), ("100", 50), ("2", 50)],
           [["9", "10"], ["10", "9"], ["100", "2"], ["2", "100"]])
    yield ("decimal-costs", "costs and budget with decimals", "approval", "100.50",
           [("a", "33.50"), ("b", "33.50"), ("c", "67.00"), ("d", "0.01")],
           [["a", "b"], ["c"], ["a", "c"], ["b", "d"], ["d"]])


def random_edges(count, seed=20261205):
    rng = random.Random(seed)
    for number in range(count):
        cumulative = number % 3 == 2
        projects = []
        for index in range(rng.randint(4, 9)):
            cost = rng.choice([0, 0, rng.randint(1, 5) * 10, rng.randint(1, 12) * 10, rng.randint(10, 30) * 10])
            projects.append((f"p{index}", cost))
        budget = rng.choice([0, rng.randint(5, 40) * 10, rng.randint(5, 40) * 10, sum(c for _, c in projects) + 10])
        votes = []
        for _ in range(rng.randint(1, 12)):
            # pabutools cannot read an empty cumulative ballot (it parses the empty points as a number).
            chosen = rng.sample([p for p, _ in projects], rng.randint(1 if cumulative else 0, min(4, len(projects))))
            votes.append([(p, rng.randint(0, 3)) for p in chosen] if cumulative else chosen)
        yield (f"random-{number:02d}", f"random edge {number}", "cumulative" if cumulative else "approval", budget, projects, votes)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    cases = list(hand_made()) + list(random_edges(int(sys.argv[1]) if len(sys.argv) > 1 else 36))
    for name, description, vote_type, budget, projects, votes in cases:
        path = OUT / f"{name}.pb"
        path.write_text(pb_text(description, vote_type, budget, projects, votes), encoding="utf-8")
        rules, trace, measured = outcomes(path)
        truth = {"schema": "pbedge/1", "instance": name, "description": description, "pabutools_version": "1.2.3", "rules": rules,
                 "measures": measured}
        if trace:
            truth["add1"] = trace
        (OUT / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{name:28} {json.dumps(rules, ensure_ascii=False)[:150]}")


if __name__ == "__main__":
    main()
