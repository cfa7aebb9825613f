"""Turns Google Benchmark JSON (with repetitions) into the BENCHMARKS.md table: medians per item and
the ratio of each recorded variant to the plain one of the same benchmark."""
import json
import statistics
import sys
from collections import defaultdict

runs = json.load(open(sys.argv[1]))["benchmarks"]
per_item_ns = defaultdict(list)
counters = defaultdict(list)
for run in runs:
    if run.get("run_type") != "iteration":
        continue
    name = run["run_name"].split("/iterations:")[0]
    if "items_per_second" in run:
        per_item_ns[name].append(1e9 / run["items_per_second"])
    elif "bytes_per_task" in run:
        counters[name].append(run["bytes_per_task"])
    else:
        per_item_ns[name].append(run["real_time"])  # already ns per iteration

def family(name):
    return name.split("/")[0]

def report(values, unit, fmt):
    medians = {name: statistics.median(v) for name, v in values.items()}
    print(f"| benchmark | median {unit} | vs plain |")
    print("|---|---:|---:|")
    order = lambda name: (family(name), not name.endswith("/plain"), name)
    for name, median in sorted(medians.items(), key=lambda item: order(item[0])):
        plain = medians.get(family(name) + "/plain")
        if plain and not name.endswith("/plain"):
            ratio = f"{median / plain:.2f}x ({median - plain:+.0f} {unit})"
        else:
            ratio = ""
        print(f"| {name} | {fmt.format(median)} | {ratio} |")
    print()

report(per_item_ns, "ns/item", "{:.0f}")
if counters:
    report(counters, "bytes/task", "{:.0f}")
