#!/usr/bin/python3
"""Compares the hyperparameter importance of the HTML report (PED-ANOVA, computed in C++) with
Optuna's fANOVA on the same study.

A random search of synalinks-tune over four parameters, on a function where x matters most, y
less, and z and c not at all, is kept in an SQLite study that Optuna reads. Each ranks the
parameters; the check passes when both put x first and y second in every seed. Needs Debian's python3-optuna
and python3-sklearn (fANOVA's random forest).

    bench/report/importance_check.py [--tune build/release/apps/synalinks-tune/synalinks-tune]
                                     [--trials 100] [--seeds 5]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import optuna
from optuna.importance import FanovaImportanceEvaluator, get_param_importances

SPACE = {
    "space": [
        {"class_name": "Float", "config": {"name": "x", "default": 0.0, "conditions": [],
                                           "min_value": 0.0, "max_value": 1.0, "step": None,
                                           "sampling": "linear"}},
        {"class_name": "Float", "config": {"name": "y", "default": 0.0, "conditions": [],
                                           "min_value": 0.0, "max_value": 1.0, "step": None,
                                           "sampling": "linear"}},
        {"class_name": "Float", "config": {"name": "z", "default": 0.0, "conditions": [],
                                           "min_value": 0.0, "max_value": 1.0, "step": None,
                                           "sampling": "linear"}},
        {"class_name": "Choice", "config": {"name": "c", "default": "a", "conditions": [],
                                            "values": ["a", "b", "c"], "ordered": False}},
    ],
    "values": {},
}

# x decides (a steep valley at 0.7: up to 4.9), y less (up to 1), z and c never.
TRIAL = ("import json, sys; v = json.load(sys.stdin); "
         "print(json.dumps({'loss': 10 * (v['x'] - 0.7) ** 2 + 4 * (v['y'] - 0.5) ** 2}))")


def ours(report_path):
    with open(report_path, encoding="utf-8") as page:
        html = page.read()
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html,
                     re.S).group(1)
    return {item["name"]: item["importance"]
            for item in json.loads(data.replace("<\\/", "</"))["importance"]["values"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", default="build/release/apps/synalinks-tune/synalinks-tune")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    agreed = 0
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory() as scratch:
            space = os.path.join(scratch, "space.json")
            with open(space, "w", encoding="utf-8") as out:
                json.dump(SPACE, out)
            storage = "sqlite:///" + os.path.join(scratch, "study.db")
            where = ["--storage", storage, "--study", "importance", "--directory", scratch]
            # Debian 12 has Optuna 3.1, which reads the schema of Optuna 3.0 and 3.1.
            schema = ["--storage-schema", "v3.0.0.d"]
            subprocess.run([args.tune, "search", "--space", space, "--objective", "loss",
                            "--direction", "min", "--tuner", "random", "--seed", str(seed),
                            "--max-trials", str(args.trials), "--quiet", *where, *schema, "--",
                            sys.executable, "-c", TRIAL], check=True)
            report = os.path.join(scratch, "report.html")
            subprocess.run([args.tune, "report", *where, "--output", report], check=True,
                           stdout=subprocess.DEVNULL)
            mine = ours(report)
            study = optuna.load_study(study_name="importance", storage=storage)
            theirs = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=seed))
        rank_mine = sorted(mine, key=mine.get, reverse=True)
        rank_theirs = sorted(theirs, key=theirs.get, reverse=True)
        same = rank_mine[:2] == rank_theirs[:2] == ["x", "y"]
        agreed += same
        print(f"seed {seed}: PED-ANOVA " +
              ", ".join(f"{name} {mine[name]:.3f}" for name in rank_mine) +
              " | Optuna fANOVA " +
              ", ".join(f"{name} {theirs[name]:.3f}" for name in rank_theirs) +
              (" | agree" if same else " | DIFFER"))
    print(f"x first and y second in both rankings: {agreed} of {args.seeds} seeds")
    return 0 if agreed == args.seeds else 1


if __name__ == "__main__":
    sys.exit(main())
