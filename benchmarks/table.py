"""Turns Google Benchmark JSON (with repetitions) into the BENCHMARKS.md table: medians per item and
the ratio of each recorded variant to the plain one of the same benchmark."""
import json
import statistics
import sys
from collections import defaultdict

runs = json.load(open(sys.argv[1]))["benchmarks"]
per_item_ns = defaultdict(list)
counters = defaultdict(list)
per_call_ms = defaultdict(list)
extra = defaultdict(lambda: defaultdict(list))  # name -> counter -> values
KNOWN = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
         "real_time", "cpu_time", "time_unit", "family_index", "per_family_instance_index",
         "items_per_second", "bytes_per_task", "aggregate_name", "aggregate_unit"}
for run in runs:
    if run.get("run_type") != "iteration":
        continue
    name = run["run_name"].split("/iterations:")[0]
    if "items_per_second" in run:
        per_item_ns[name].append(1e9 / run["items_per_second"])
    elif "bytes_per_task" in run:
        counters[name].append(run["bytes_per_task"])
    elif run.get("time_unit") == "ms":
        per_call_ms[name].append(run["real_time"])
    else:
        per_item_ns[name].append(run["real_time"])  # already ns per iteration
    for key, value in run.items():
        if key not in KNOWN and isinstance(value, (int, float)):
            extra[name][key].append(value)

def family(name):
    return name.split("/")[0]

def report(values, unit, fmt):
    medians = {name: statistics.median(v) for name, v in values.items()}
    print(f"| benchmark | median {unit} | vs plain |")
    print("|---|---:|---:|")
    order = lambda name: (family(name), not name.endswith("/plain"), name)
    for name, median in sorted(medians.items(), key=lambda item: order(item[0])):
        # The baseline of resume_post_served is "no server"; of the others, plain Boost.Asio.
        baseline = "resume_post_served/console:0" if family(name) == "resume_post_served" else family(name) + "/plain"
        plain = medians.get(baseline)
        if plain and name != baseline:
            ratio = f"{median / plain:.2f}x ({median - plain:+.0f} {unit})"
        else:
            ratio = ""
        print(f"| {name} | {fmt.format(median)} | {ratio} |")
    print()

if per_item_ns:
    report(per_item_ns, "ns/item", "{:.0f}")
if counters:
    report(counters, "bytes/task", "{:.0f}")
if per_call_ms:
    print("| benchmark | median ms per call | counters (medians) |")
    print("|---|---:|---|")
    for name in sorted(per_call_ms):
        notes = ", ".join(f"{key} {statistics.median(values):.0f}" for key, values in sorted(extra[name].items()))
        print(f"| {name} | {statistics.median(per_call_ms[name]):.1f} | {notes} |")
    print()
