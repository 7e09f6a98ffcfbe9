#!/usr/bin/python3
"""Rendering time of the HTML report in headless Chromium (Debian's chromium), for searches of
100 and 2,000 trials run through synalinks-tune: the page records, when its script has drawn
everything, the milliseconds since the script started (data-render-ms on <body>).

    bench/report/render_time.py [--tune build/release/apps/synalinks-tune/synalinks-tune]
                                [--trials 100 2000] [--repeats 3]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

SPACE = {"space": [
    {"class_name": "Boolean", "config": {"name": "use_cot", "default": False, "conditions": []}},
    {"class_name": "Float", "config": {"name": "temperature", "default": 0.0, "conditions": [
        {"class_name": "Parent", "config": {"name": "use_cot", "values": [True]}}],
        "min_value": 0.0, "max_value": 1.0, "step": None, "sampling": "linear"}},
    {"class_name": "Float", "config": {"name": "learning_rate", "default": 0.001,
                                       "conditions": [], "min_value": 0.0001, "max_value": 0.1,
                                       "step": None, "sampling": "log"}},
    {"class_name": "Int", "config": {"name": "examples", "default": 0, "conditions": [],
                                     "min_value": 0, "max_value": 16, "step": 1,
                                     "sampling": "linear"}},
    {"class_name": "Choice", "config": {"name": "model", "default": "small", "conditions": [],
                                        "values": ["small", "medium", "large"],
                                        "ordered": False}}], "values": {}}

# expr reads the zero-padded trial id as decimal (the shell's arithmetic would read it as octal).
TRIAL = ("k=$(expr $SYNALINKS_TRIAL_ID + 0); echo \"{\\\"val_reward\\\": {\\\"value\\\": "
         "0.$(( (k * 7919) % 1000 )), \\\"stderr\\\": 0.08, \\\"count\\\": 24}}\"")


def render_ms(page, profile):
    result = subprocess.run(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", "file://" + page],
        check=True, capture_output=True, text=True)
    return float(re.search(r'data-render-ms="([0-9.]+)"', result.stdout).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", default="build/release/apps/synalinks-tune/synalinks-tune")
    parser.add_argument("--trials", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| trials | report size | render ms (median of {}) |".format(args.repeats))
    print("| --- | --- | --- |")
    for trials in args.trials:
        with tempfile.TemporaryDirectory() as scratch:
            space = os.path.join(scratch, "space.json")
            with open(space, "w", encoding="utf-8") as out:
                json.dump(SPACE, out)
            where = ["--directory", scratch, "--project-name", "render"]
            subprocess.run([args.tune, "search", "--space", space, "--objective", "val_reward",
                            "--direction", "max", "--tuner", "random", "--seed", "1",
                            "--max-trials", str(trials), "--quiet", *where, "--", "sh", "-c",
                            TRIAL], check=True)
            page = os.path.join(scratch, "report.html")
            subprocess.run([args.tune, "report", *where, "--output", page], check=True,
                           stdout=subprocess.DEVNULL)
            times = [render_ms(page, os.path.join(scratch, "profile")) for _ in
                     range(args.repeats)]
            print(f"| {trials} | {os.path.getsize(page) / 1024:.0f} KiB | "
                  f"{statistics.median(times):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
