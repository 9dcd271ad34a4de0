#!/usr/bin/env python3
"""Turn one real /metrics scrape into a `promtool test rules` file that evaluates alert rules on it.

    scrape_to_promtool.py METRICS RULES EXPECT OUT --scrape-time UNIX [--target NAME=VALUE ...]
                          [--honor-labels true|false]

METRICS  the Prometheus text exposition (format 0.0.4; OpenMetrics lines are read too).
RULES    a Prometheus rules file (the chart's PrometheusRule spec: {groups: [...]}).
EXPECT   YAML: eval_minutes (where the scrape sits in the test), start_minutes (when the series
         appear: the operator's start), firing: {alert: [{labels, annotations}]}, silent: [alert],
         absent_ok: [metric names a rule may read before they exist].
OUT      the promtool test file to write.

Each sample (name, labels, value) becomes an input series: absent before start_minutes, then held
at the scraped value until after eval_minutes. `*_timestamp_seconds` gauges and
process_start_time_seconds (seconds since the epoch) are moved to the test's clock: promtool's
time() starts at 0, so a timestamp T becomes T - scrape_time + eval_minutes*60, which keeps its age
at the moment of the scrape. The target labels (--target, what Prometheus adds to a scraped series:
job, namespace, pod, ...) are added like a scrape with honor_labels: a label the series already has
wins when honor_labels is true, otherwise the series' label is renamed exported_<name>. An
up{<target labels>} 1 series is added: the scrape itself succeeded.

The expected alerts list only the series' own labels: the target labels and the rule's labels are
added here, because promtool compares the complete label set. Fails (exit 1) when the exposition
does not parse, a timestamp is not in seconds, or a rule reads an albjobs_ metric the scrape lacks
(a renamed metric would otherwise leave its alert silent forever).
"""
import argparse
import math
import re
import sys

import yaml

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|(?=\}))')


def die(msg):
    print(f"scrape_to_promtool: {msg}", file=sys.stderr)
    sys.exit(1)


def unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            n = v[i + 1]
            out.append({"n": "\n", "\\": "\\", '"': '"'}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_value(s):
    t = s.strip()
    low = t.lower()
    if low in ("+inf", "inf"):
        return math.inf
    if low == "-inf":
        return -math.inf
    if low == "nan":
        return math.nan
    return float(t)


def parse(text):
    """[(name, {label: value}, float)] of every sample; comments, HELP/TYPE, exemplars skipped."""
    samples, types = [], {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3].strip()
            continue
        m = re.match(NAME, line)
        if not m:
            die(f"line {lineno}: no metric name: {raw!r}")
        name, rest = m.group(0), line[m.end():]
        labels = {}
        if rest.startswith("{"):
            rest = rest[1:]
            while True:
                rest = rest.lstrip()
                if rest.startswith("}"):
                    rest = rest[1:]
                    break
                lm = LABEL.match(rest)
                if not lm:
                    die(f"line {lineno}: bad label set: {raw!r}")
                if lm.group(1) in labels:
                    die(f"line {lineno}: label {lm.group(1)} twice")
                labels[lm.group(1)] = unescape(lm.group(2))
                rest = rest[lm.end():]
                if rest.startswith(","):
                    rest = rest[1:]
        # value [timestamp] [# exemplar]: the exemplar (OpenMetrics) is not a series
        rest = rest.split(" # ", 1)[0]
        fields = rest.split()
        if not fields or len(fields) > 2:
            die(f"line {lineno}: want a value and an optional timestamp: {raw!r}")
        try:
            value = parse_value(fields[0])
        except ValueError:
            die(f"line {lineno}: bad value {fields[0]!r}")
        samples.append((name, labels, value))
    seen = set()
    for name, labels, _ in samples:
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            die(f"series {name}{labels} twice")
        seen.add(key)
    return samples, types


def esc(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def selector(name, labels):
    return name + "{" + ",".join(f'{k}="{esc(v)}"' for k, v in sorted(labels.items())) + "}"


def fmt(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return repr(float(v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("metrics")
    ap.add_argument("rules")
    ap.add_argument("expect")
    ap.add_argument("out")
    ap.add_argument("--scrape-time", type=float, required=True)
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("--honor-labels", default="true")
    a = ap.parse_args()

    with open(a.metrics) as f:
        samples, _ = parse(f.read())
    with open(a.rules) as f:
        rules = yaml.safe_load(f)
    with open(a.expect) as f:
        expect = yaml.safe_load(f)
    target = dict(t.split("=", 1) for t in a.target)
    honor = a.honor_labels == "true"
    eval_m, start_m = int(expect["eval_minutes"]), int(expect["start_minutes"])
    hold = eval_m - start_m + 5
    if not samples:
        die("the scrape has no samples")

    series, names = [], set()
    for name, labels, value in samples:
        names.add(name)
        if name.endswith("_timestamp_seconds") or name == "process_start_time_seconds":
            if abs(value - a.scrape_time) > 86400 * 365:
                die(f"{selector(name, labels)} = {value} is not seconds since the epoch near the scrape time")
            value = value - a.scrape_time + eval_m * 60
        out = dict(labels)
        for k, v in target.items():
            if k in out and not honor:
                out["exported_" + k] = out[k]
                out[k] = v
            elif k not in out:
                out[k] = v
        # NaN and ±Inf do not take the "ax n" shorthand: written out
        held = f"{fmt(value)}x{hold}" if math.isfinite(value) else " ".join([fmt(value)] * (hold + 1))
        series.append({"series": selector(name, out), "values": f"_x{start_m} {held}"})
    series.append({"series": selector("up", target), "values": f"_x{start_m} 1x{hold}"})

    rule_of = {}
    for g in rules["groups"]:
        for r in g["rules"]:
            if "alert" in r:
                rule_of[r["alert"]] = r
    absent_ok = set(expect.get("absent_ok", []))
    missing = sorted({n for r in rule_of.values() for n in re.findall(r"\balbjobs_[a-zA-Z0-9_:]*", r["expr"])}
                     - names - absent_ok)
    if missing:
        die("the rules read metrics the scrape does not have: " + ", ".join(missing))

    tests = []
    for alert, alerts in (expect.get("firing") or {}).items():
        if alert not in rule_of:
            die(f"no alert {alert} in {a.rules}")
        exp = []
        for e in alerts:
            labels = dict(e.get("labels", {}))
            for k, v in target.items():
                labels.setdefault(k, v)
            labels.update({k: str(v) for k, v in (rule_of[alert].get("labels") or {}).items()})
            exp.append({"exp_labels": labels, "exp_annotations": e.get("annotations", {})})
        tests.append({"eval_time": f"{eval_m}m", "alertname": alert, "exp_alerts": exp})
    for alert in expect.get("silent") or []:
        if alert not in rule_of:
            die(f"no alert {alert} in {a.rules}")
        tests.append({"eval_time": f"{eval_m}m", "alertname": alert, "exp_alerts": []})
    unchecked = sorted(set(rule_of) - {t["alertname"] for t in tests})
    if unchecked:
        die("alerts neither expected firing nor silent: " + ", ".join(unchecked))

    doc = {
        "rule_files": [a.rules],
        "evaluation_interval": "1m",
        "tests": [{
            "name": f"alerts on the operator's real /metrics ({len(samples)} samples + up)",
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": tests,
        }],
    }
    with open(a.out, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=1 << 20)
    firing = [f"{t['alertname']}{{{','.join(f'{k}={v}' for k, v in sorted(e['exp_labels'].items()) if k not in target)}}}"
              for t in tests for e in t["exp_alerts"]]
    silent = [t["alertname"] for t in tests if not t["exp_alerts"]]
    print(f"{len(series)} series; firing {' '.join(firing) or 'none'}; silent {' '.join(silent) or 'none'}")


if __name__ == "__main__":
    main()
