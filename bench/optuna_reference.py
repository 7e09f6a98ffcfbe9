#!/usr/bin/python3
"""Optuna's samplers on the problems of bayesian_bench, for a side-by-side table on this machine.

Runs Debian's python3-optuna (apt-get install python3-optuna) with the same problems, seeds count,
trial counts and regret as `bayesian_bench`: the regret after 25, 50 and 100 trials of the
noise-free value of the trial the sampler names best (study.best_trial), median [IQR] over the
seeds, as a markdown table.

    /usr/bin/python3 bench/optuna_reference.py [--seeds 15] [--samplers tpe,tpe_multivariate]
                                              [--problems branin,hartmann6] [--as-released]

Debian 12 ships Optuna 3.1.0, whose truncated-normal log density ignores the kernel's scale
(optuna issue 5109, fixed in Optuna 3.5): its TPE weighs continuous parameters wrongly. By
default the fix is applied here (the log density of (x - loc) / scale, less log(scale)), so that
the figures are those of the Optuna TPE that users have run since; --as-released keeps 3.1.0's.
"""

import argparse
import math
import statistics
import sys

import numpy as np
import optuna

from optuna_patch import fix_truncnorm_logpdf

CHECKPOINTS = (25, 50, 100)


def branin(x):
    x1, x2 = x
    inner = x2 - 5.1 / (4 * math.pi**2) * x1 * x1 + 5 / math.pi * x1 - 6
    return inner * inner + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
              [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
              [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6))
        total -= HARTMANN_ALPHA[i] * math.exp(-inner)
    return total


def ackley(x):
    d = len(x)
    squares = sum(v * v for v in x)
    cosines = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(squares / d)) - math.exp(cosines / d) + 20 + math.e


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for i in range(len(x) - 1):
        total += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    last = w[-1]
    return total + (last - 1) ** 2 * (1 + math.sin(2 * math.pi * last) ** 2)


def lmprog(p):
    model, effort = p["model"], p["reasoning_effort"]
    base = {"small": 0.42, "medium": 0.55, "large": 0.64}[model]
    cot_mult = {"small": 0.6, "medium": 1.0, "large": 1.2}[model]
    ex_mult = {"small": 1.4, "medium": 1.0, "large": 0.7}[model]
    gain = {"minimal": 0.0, "low": 0.05, "medium": 0.08}[effort]
    t, k = p["temperature"], p["num_examples"]
    cot = cot_mult * (0.06 + gain) * (1 - 0.75 * t) if p["use_cot"] else 0.0
    temp = -0.3 * (t - 0.3) ** 2
    examples = ex_mult * 0.10 * (1 - math.exp(-k / 1.5)) - 0.0025 * k * k
    return base + cot + temp + examples


def box(name, d, lo, hi, f, optimum):
    def suggest(trial):
        return [trial.suggest_float(f"x{i}", lo, hi) for i in range(d)]
    return {"id": name, "suggest": suggest, "truth": f, "optimum": optimum, "maximize": False,
            "noise": 0.0}


def lmprog_problem(name, noise):
    def suggest(trial):
        return {"use_cot": trial.suggest_categorical("use_cot", [False, True]),
                "temperature": trial.suggest_float("temperature", 0.0, 1.0),
                "reasoning_effort": trial.suggest_categorical(
                    "reasoning_effort", ["minimal", "low", "medium"]),
                "num_examples": trial.suggest_int("num_examples", 0, 8),
                "model": trial.suggest_categorical("model", ["small", "medium", "large"])}
    return {"id": name, "suggest": suggest, "truth": lmprog, "optimum": 0.824978200,
            "maximize": True, "noise": noise}


def problems():
    branin_problem = {
        "id": "branin",
        "suggest": lambda t: [t.suggest_float("x0", -5, 10), t.suggest_float("x1", 0, 15)],
        "truth": branin, "optimum": 0.397887, "maximize": False, "noise": 0.0}
    return [branin_problem,
            box("hartmann6", 6, 0, 1, hartmann6, -3.32237),
            box("ackley5", 5, -32.768, 32.768, ackley, 0.0),
            box("rosenbrock4", 4, -5, 10, rosenbrock, 0.0),
            box("levy6", 6, -10, 10, levy, 0.0),
            lmprog_problem("lmprog", 0.0),
            lmprog_problem("lmprog_noisy", 0.03)]


def sampler_of(kind, seed):
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "tpe_multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler '{kind}'; expected tpe, tpe_multivariate, cmaes or random")


def regrets(problem, kind, seed):
    """The regret of the named trial after each checkpoint, for one seed."""
    noise = np.random.default_rng(seed * 7919 + 17)
    truths = {}

    def objective(trial):
        x = problem["suggest"](trial)
        truth = problem["truth"](x)
        truths[trial.number] = truth
        return truth + problem["noise"] * noise.standard_normal()

    direction = "maximize" if problem["maximize"] else "minimize"
    study = optuna.create_study(direction=direction, sampler=sampler_of(kind, seed))
    out = []
    done = 0
    for checkpoint in CHECKPOINTS:
        study.optimize(objective, n_trials=checkpoint - done)
        done = checkpoint
        truth = truths[study.best_trial.number]
        regret = problem["optimum"] - truth if problem["maximize"] else truth - problem["optimum"]
        out.append(regret)
    return out


def cell(values):
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return f"{median:.3g} [{q1:.3g}, {q3:.3g}]"



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=15)
    parser.add_argument("--samplers", default="tpe,tpe_multivariate")
    parser.add_argument("--problems", default="")
    parser.add_argument("--as-released", action="store_true")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if not args.as_released:
        fix_truncnorm_logpdf()
    only = set(filter(None, args.problems.split(",")))
    print(f"## Optuna {optuna.__version__} on bayesian_bench's problems "
          f"(median [IQR] regret over {args.seeds} seeds"
          f"{', as released' if args.as_released else ', truncnorm log density fixed'})\n")
    print("| function | sampler | 25 trials | 50 trials | 100 trials |")
    print("| --- | --- | --- | --- | --- |")
    for problem in problems():
        if only and problem["id"] not in only:
            continue
        for kind in args.samplers.split(","):
            rows = [regrets(problem, kind, seed) for seed in range(1, args.seeds + 1)]
            cells = [cell([row[c] for row in rows]) for c in range(len(CHECKPOINTS))]
            print(f"| {problem['id']} | Optuna {kind} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
