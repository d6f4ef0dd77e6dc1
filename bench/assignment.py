"""Benchmark of the reviewer-assignment engine against a greedy baseline and a plain reference.

    .venv/bin/python bench/assignment.py            # both sizes: 2,000 × 1,000 and 10,000 × 2,000
    .venv/bin/python bench/assignment.py --short    # the small size only (CI, well under 2 minutes)

The instances are generated with a fixed seed (reviews.assignment.synthetic.realistic: k = 3,
about 17 % positive affinities, 0-15 conflicts per item, capacities n·k/m · U(1.2, 2.0), a few
locked pairs) and saved to a temporary directory. Each method then runs in a fresh Python process
(``--method NAME --instance FILE``), which reports the wall and CPU time of the call, its peak
resident memory (ru_maxrss of the whole process, imports and instance included) and the
solution; the solution is checked against every constraint in that process. The table compares
the total affinity with the proven optimum; "sum L^2" is the second objective (lower is more
even). Methods: greedy (items in order, best free experts), affinity-only (OR-Tools min-cost flow
on all allowed pairs without the load term), reference (the same on all allowed pairs with the
full objective) and engine (reviews.assignment.solve).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from reviews.assignment import Instance, greedy, reference, solve  # noqa: E402
from reviews.assignment.synthetic import realistic  # noqa: E402

SIZES = {"small": (2_000, 1_000), "large": (10_000, 2_000)}
METHODS = ("greedy", "affinity-only", "reference", "engine")
SEED = 20240601
TIMEOUT = {"greedy": 600, "affinity-only": 3600, "reference": 3600, "engine": 600}
FIELDS = (
    "need",
    "capacity",
    "pair_item",
    "pair_expert",
    "pair_affinity",
    "forbidden_item",
    "forbidden_expert",
    "expert_org",
    "locked_item",
    "locked_expert",
)


def save(instance: Instance, path: Path) -> None:
    np.savez(path, **{name: getattr(instance, name) for name in FIELDS})


def load(path: Path) -> Instance:
    with np.load(path) as data:
        return Instance(**{name: data[name] for name in FIELDS})


def violations(instance: Instance, item: np.ndarray, expert: np.ndarray) -> list[str]:
    """Constraint violations of a solution (an empty list when it is valid)."""
    n, m = instance.n_items, instance.n_experts
    keys = item * m + expert
    problems = []
    if len(np.unique(keys)) != len(keys):
        problems.append("a pair is assigned twice")
    if (np.bincount(item, minlength=n) != instance.need).any():
        problems.append("an item has the wrong number of experts")
    if (np.bincount(expert, minlength=m) > instance.capacity).any():
        problems.append("an expert is over capacity")
    if np.isin(keys, instance.forbidden_item * m + instance.forbidden_expert).any():
        problems.append("a forbidden pair is assigned")
    if not np.isin(instance.locked_item * m + instance.locked_expert, keys).all():
        problems.append("a locked pair is missing")
    org = instance.expert_org[expert]
    slots = item[org >= 0] * (int(org.max(initial=0)) + 1) + org[org >= 0]
    if len(np.unique(slots)) != len(slots):
        problems.append("an item has two experts of one organisation")
    return problems


def run_method(method: str, path: Path) -> dict:
    """Run one method on one instance in this process and describe the result."""
    instance = load(path)
    function = {
        "greedy": greedy,
        "affinity-only": partial(reference, balance_loads=False),
        "reference": reference,
        "engine": solve,
    }[method]
    start, cpu_start = time.perf_counter(), time.process_time()
    solution = function(instance)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = solution.load_summary()
    complete = solution.status in ("optimal", "complete")
    return {
        "method": method,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_mb,
        "status": solution.status,
        "total_affinity": solution.total_affinity,
        "penalty": solution.load_penalty,
        "problems": violations(instance, solution.item, solution.expert) if complete else [],
        **summary,
        "stats": {k: v for k, v in solution.stats.items() if k in ("rounds", "seconds", "arcs", "nodes", "feasibility_rounds")},
    }


def run_child(method: str, path: Path) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--method", method, "--instance", str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT[method], check=False)
    except subprocess.TimeoutExpired:
        return {"method": method, "status": f"timeout after {TIMEOUT[method]} s"}
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return {"method": method, "status": f"failed ({done.returncode}): {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(instance: Instance) -> str:
    n, m = instance.n_items, instance.n_experts
    return (
        f"{n} items × {m} experts: need {int(instance.need.sum())}, capacity {int(instance.capacity.sum())} "
        f"({int(instance.capacity.min())}-{int(instance.capacity.max())}), positive pairs "
        f"{len(instance.pair_item) / (n * m):.1%}, conflicts {len(instance.forbidden_item) / n:.1f}/item, "
        f"locked {len(instance.locked_item)}"
    )


def table(rows: list[tuple[str, dict]]) -> str:
    """One line per size and method; "% opt" against the proven optimum (engine, else reference)."""
    optimum: dict[str, int] = {}
    for method in ("reference", "engine"):
        for size, r in rows:
            if r["method"] == method and r.get("status") == "optimal":
                optimum[size] = r["total_affinity"]
    head = (
        f"{'size':<11} {'method':<13} {'time (s)':>8} {'cpu (s)':>8} {'peak MB':>8} {'affinity':>9} {'% opt':>8} "
        f"{'sum L^2':>9} {'max':>4} {'min':>4} {'std':>6} {'idle':>5}  status"
    )
    lines = [head, "-" * len(head)]
    for size, r in rows:
        if "seconds" not in r:
            lines.append(f"{size:<11} {r['method']:<13} {r['status']}")
            continue
        share = f"{100.0 * r['total_affinity'] / optimum[size]:.3f}%" if optimum.get(size) else "n/a"
        status = r["status"] + ("" if not r["problems"] else " INVALID: " + "; ".join(r["problems"]))
        lines.append(
            f"{size:<11} {r['method']:<13} {r['seconds']:>8.2f} {r['cpu_seconds']:>8.2f} {r['peak_mb']:>8.0f} "
            f"{r['total_affinity']:>9} "
            f"{share:>8} {r['penalty']:>9} {r['max']:>4} {r['min']:>4} {r['std']:>6.2f} {r['idle']:>5}  {status}"
        )
    return "\n".join(lines)


def agreement(rows: list[tuple[str, dict]]) -> list[str]:
    """Whether the engine reached the reference's optimum (affinity, then sum of squared loads)."""
    found = {(size, r["method"]): r for size, r in rows if r.get("status") == "optimal"}
    out = []
    for size in dict.fromkeys(size for size, _ in rows):
        engine, plain = found.get((size, "engine")), found.get((size, "reference"))
        if engine and plain:
            same = (engine["total_affinity"], engine["penalty"]) == (plain["total_affinity"], plain["penalty"])
            speed = plain["seconds"] / max(engine["seconds"], 1e-9)
            memory = plain["peak_mb"] / max(engine["peak_mb"], 1e-9)
            verdict = "same optimum" if same else "DIFFERENT OPTIMUM"
            out.append(f"{size}: engine vs reference: {verdict}; {speed:.1f}x faster, {memory:.1f}x less memory")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the small size only")
    parser.add_argument("--size", choices=sorted(SIZES), action="append", help="sizes to run (default: all)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated, default: all")
    parser.add_argument("--capacity", default="1.2,2.0", help="capacity = n·k/m · U(LO, HI), as LO,HI (default: 1.2,2.0)")
    parser.add_argument("--method", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--instance", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:
        print(json.dumps(run_method(args.method, args.instance)))
        return 0
    sizes = ["small"] if args.short else (args.size or list(SIZES))
    methods = [m for m in args.methods.split(",") if m]
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="assignment-bench-") as tmp:
        for size in sizes:
            n, m = SIZES[size]
            start = time.perf_counter()
            low, high = (float(x) for x in args.capacity.split(","))
            instance = realistic(n, m, k=3, seed=SEED, capacity_factor=(low, high))
            path = Path(tmp) / f"{size}.npz"
            save(instance, path)
            print(f"{size}: {describe(instance)} (generated in {time.perf_counter() - start:.1f} s)", flush=True)
            del instance
            for method in methods:
                result = run_child(method, path)
                print(f"  {method}: {json.dumps(result)}", flush=True)
                rows.append((f"{n}×{m}", result))
    print()
    print(table(rows))
    print("\n".join(agreement(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
