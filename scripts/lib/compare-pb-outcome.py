"""Compares `demilge pb outcome` JSON (stdin) with a pabutools truth file: same winners, same order."""
import json, sys

candidate = json.load(sys.stdin)["rules"]
truth = json.load(open(sys.argv[1]))["rules"]
compared = 0
for rule, entry in truth.items():
    if entry.get("status") != "ok":
        continue
    got = candidate.get(rule, {}).get("winners")
    if got != entry["winners"]:
        print(f"{rule}: expected {entry['winners']}, got {got}")
        sys.exit(1)
    compared += 1
print(f"{compared} rules identical")
sys.exit(0 if compared else 1)
