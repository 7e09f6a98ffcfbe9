#!/usr/bin/python3
"""Tuning scikit-learn models on the data sets scikit-learn ships, in the manner of Bayesmark.

Each problem is a model's hyperparameters (Bayesmark's search spaces) on one data set, scored by
the cross-validated error (classification: 1 - accuracy; regression: mean squared error, as a
fraction of the target's variance). Our tuners run through `synalinks-tune ask` / `tell` (one
project per run, the trial's values read from ask's JSON); Debian's Optuna runs TPE on the same
problems in this process. The table gives Bayesmark's normalized score of the best trial after
the budget: (error - best) / (median error of random search - best), 0 being the best any method
found on that problem, 1 random search's median; mean over the problems and seeds, lower is
better.

    /usr/bin/python3 bench/sklearn_suite.py --tool build/release/apps/synalinks-tune/synalinks-tune
        [--seeds 5] [--trials 30] [--methods random,bayesian,tpe,optuna_tpe]
        [--problems svm-breast,dt-digits] [--folds 3]

Needs Debian's python3-sklearn and python3-optuna.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import optuna

from optuna_patch import fix_truncnorm_logpdf
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

# Bayesmark's spaces (bayesmark/sklearn_funcs.py), with keras-tuner's declarations.
def floating(name, low, high, log=False):
    return {"class_name": "Float", "config": {
        "name": name, "default": None, "conditions": [], "min_value": low, "max_value": high,
        "step": None, "sampling": "log" if log else "linear"}}


def integer(name, low, high):
    return {"class_name": "Int", "config": {
        "name": name, "default": None, "conditions": [], "min_value": low, "max_value": high,
        "step": 1, "sampling": "linear"}}


TREE_SPACE = [integer("max_depth", 1, 15),
              floating("min_samples_split", 0.01, 0.99),
              floating("min_samples_leaf", 0.01, 0.49),
              floating("min_weight_fraction_leaf", 0.01, 0.49),
              floating("max_features", 0.01, 0.99),
              floating("min_impurity_decrease", 0.0, 0.5)]

MODELS = {
    "svm": {"space": [floating("C", 1.0, 1e3, log=True), floating("gamma", 1e-4, 1e-3, log=True),
                      floating("tol", 1e-5, 1e-1, log=True)],
            "classifier": lambda p: make_pipeline(StandardScaler(), SVC(**p)),
            "regressor": lambda p: make_pipeline(StandardScaler(), SVR(**p))},
    "dt": {"space": TREE_SPACE,
           "classifier": lambda p: DecisionTreeClassifier(random_state=0, **p),
           "regressor": lambda p: DecisionTreeRegressor(random_state=0, **p)},
    "rf": {"space": TREE_SPACE,
           "classifier": lambda p: RandomForestClassifier(n_estimators=10, random_state=0, **p),
           "regressor": lambda p: RandomForestRegressor(n_estimators=10, random_state=0, **p)},
    "knn": {"space": [integer("n_neighbors", 1, 25), integer("p", 1, 4)],
            "classifier": lambda p: make_pipeline(StandardScaler(), KNeighborsClassifier(**p)),
            "regressor": lambda p: make_pipeline(StandardScaler(), KNeighborsRegressor(**p))},
}

DATA = {"breast": (datasets.load_breast_cancer, "classifier"),
        "digits": (datasets.load_digits, "classifier"),
        "iris": (datasets.load_iris, "classifier"),
        "wine": (datasets.load_wine, "classifier"),
        "diabetes": (datasets.load_diabetes, "regressor")}


class Problem:
    def __init__(self, model, data, folds):
        self.name = f"{model}-{data}"
        self.space = MODELS[model]["space"]
        loader, kind = DATA[data]
        self.x, self.y = loader(return_X_y=True)
        self.make = MODELS[model][kind]
        self.kind = kind
        self.folds = folds
        self.cache = {}

    def error(self, params):
        key = json.dumps(params, sort_keys=True)
        if key not in self.cache:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self.kind == "classifier":
                    score = cross_val_score(self.make(params), self.x, self.y, cv=self.folds,
                                            scoring="accuracy").mean()
                    self.cache[key] = 1.0 - score
                else:
                    score = cross_val_score(self.make(params), self.x, self.y, cv=self.folds,
                                            scoring="neg_mean_squared_error").mean()
                    self.cache[key] = -score / float(np.var(self.y))
        return self.cache[key]


def run_ours(tool, tuner, problem, seed, trials):
    """The best error a synalinks-tune search of `trials` asks finds (the trial it names)."""
    with tempfile.TemporaryDirectory() as folder:
        space_file = os.path.join(folder, "space.json")
        with open(space_file, "w") as out:
            json.dump(problem.space, out)
        common = ["--directory", folder, "--project-name", "p"]
        errors = {}
        for _ in range(trials):
            asked = subprocess.run(
                [tool, "ask", *common, "--space", space_file, "--objective", "loss",
                 "--direction", "min", "--tuner", tuner, "--seed", str(seed),
                 "--max-trials", str(trials)],
                check=True, capture_output=True, text=True)
            trial = json.loads(asked.stdout.strip().splitlines()[-1])
            if trial["status"] != "RUNNING":
                break
            error = problem.error(trial["values"])
            errors[trial["trial_id"]] = error
            subprocess.run([tool, "tell", *common, "--trial-id", trial["trial_id"],
                            "--metrics", json.dumps({"loss": error})],
                           check=True, capture_output=True, text=True)
        return min(errors.values())


def run_optuna(problem, seed, trials):
    def objective(trial):
        params = {}
        for hp in problem.space:
            config = hp["config"]
            if hp["class_name"] == "Int":
                params[config["name"]] = trial.suggest_int(
                    config["name"], config["min_value"], config["max_value"])
            else:
                params[config["name"]] = trial.suggest_float(
                    config["name"], config["min_value"], config["max_value"],
                    log=config["sampling"] == "log")
        return problem.error(params)

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return study.best_value



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="the synalinks-tune executable")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--methods", default="random,bayesian,tpe,optuna_tpe")
    parser.add_argument("--problems", default="")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    fix_truncnorm_logpdf()
    methods = args.methods.split(",")
    if "random" not in methods:
        raise SystemExit("--methods must include random: the normalized score needs its median")
    names = [f"{m}-{d}" for m in MODELS for d in DATA]
    if args.problems:
        names = args.problems.split(",")
    results = {}  # problem -> method -> [best error per seed]
    for name in names:
        model, data = name.split("-")
        problem = Problem(model, data, args.folds)
        results[name] = {}
        for method in methods:
            bests = []
            for seed in range(1, args.seeds + 1):
                if method == "optuna_tpe":
                    bests.append(run_optuna(problem, seed, args.trials))
                else:
                    bests.append(run_ours(args.tool, method, problem, seed, args.trials))
            results[name][method] = bests
        print(f"{name}: " + ", ".join(f"{m} {np.median(v):.4f}" for m, v in results[name].items()),
              file=sys.stderr, flush=True)

    normalized = {method: [] for method in methods}
    rows = []
    for name, by_method in results.items():
        best = min(min(v) for v in by_method.values())
        random_median = float(np.median(by_method["random"]))
        span = random_median - best
        row = [name]
        for method in methods:
            scores = [(e - best) / span if span > 0 else 0.0 for e in by_method[method]]
            normalized[method].extend(scores)
            row.append(f"{np.mean(scores):.3f}")
        rows.append(row)
    print(f"## scikit-learn suite: normalized score after {args.trials} trials "
          f"(mean over {args.seeds} seeds; 0 = best found by any method, 1 = random search's "
          f"median; {args.folds}-fold cross-validated error)\n")
    print("| problem | " + " | ".join(methods) + " |")
    print("| --- |" + " --- |" * len(methods))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("| **mean** | " + " | ".join(f"**{np.mean(normalized[m]):.3f}**" for m in methods)
          + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
