"""Eval report: Markdown and HTML tables, PNG plots, and the CI gates."""

from __future__ import annotations

import html
import tomllib
from pathlib import Path

from evals import metrics as m
from evals.datasets import EXAM_TEST2_SET, EXAM_TEST_SET, TEST_SET
from evals.summary import summarize

HEADLINE = ("hit_rate", "recall", "mrr", "ndcg", "mc_accuracy", "term_recall", "first_sentence",
            "faithfulness", "citation_validity", "refusal_precision", "refusal_recall", "false_refusal",
            "leaks", "artefacts", "latency_p50", "latency_p95")
GATES_FILE = Path(__file__).parent / "gates.toml"


def fmt(value) -> str:
    """Table cell text for a metric value."""
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def headline_table(run) -> tuple[list[str], list[list[str]]]:
    """Rows: systems; columns: every headline metric that some system has."""
    cols = [c for c in HEADLINE if any(c in s for s in run.summary.values())]
    rows = [[system] + [fmt(summary.get(c)) for c in cols] for system, summary in run.summary.items()]
    labels = {"hit_rate": "hit@k", "recall": "recall@k", "mrr": "MRR@k", "ndcg": "nDCG@k"}
    return ["system"] + [labels.get(c, c) for c in cols], rows


def group_table(run, key: str) -> tuple[list[str], list[list[str]]]:
    """Our metrics broken down by `key` (domain or kind)."""
    cols = ["n", "mc_accuracy", "hit_rate", "mrr", "term_recall", "faithfulness", "citation_validity"]
    rows = []
    for group in sorted({r[key] for r in run.rows}):
        subset = [r for r in run.rows if r[key] == group]
        summary = summarize(subset, "ours")
        rows.append([group, str(len(subset))] + [fmt(summary.get(c)) for c in cols[1:]])
    return [key] + cols, rows


def misses_table(run) -> tuple[list[str], list[list[str]]]:
    """Multiple-choice items we got wrong, and answerable items we refused."""
    rows = []
    for r in run.rows:
        ours = r["metrics"]["ours"]
        if ours.get("mc_accuracy") == 0.0 or (r["expect"] == "answer" and r["result"]["refused"]):
            rows.append([r["id"], ",".join(r["result"].get("choice") or []) or
                         ("refused" if r["result"]["refused"] else "-"), ", ".join(r["relevant"])])
    return ["id", "ours", "relevant sources"], rows


def bands_table(run) -> tuple[list[str], list[list[str]]]:
    """Accuracy of our exam answers per confidence band, and of those marked confident."""
    confidences, correct, confident = m.confidence_rows(run.rows)
    rows = [[f"{b['low']:.1f}-{b['high']:.1f}", str(b["n"]), fmt(b["accuracy"])]
            for b in m.band_accuracy(confidences, correct)]
    marked = [c for flag, c in zip(confident, correct) if flag]
    rows.append(["marked confident", str(len(marked)), fmt(sum(marked) / len(marked) if marked else None)])
    return ["confidence", "n", "mc_accuracy"], rows


def calibration_table(run) -> tuple[list[str], list[list[str]]]:
    """Our ECE next to what a perfectly calibrated scorer would show on as many answers."""
    ours = run.summary.get("ours", {})
    rows = [["ours", fmt(ours.get("ece"))],
            ["perfectly calibrated, same confidences: median", fmt(ours.get("ece_floor"))],
            ["perfectly calibrated, same confidences: 90th percentile", fmt(ours.get("ece_floor_p90"))]]
    return ["expected calibration error", "value"], rows


def markdown(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def html_table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table with every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def plot_domains(run, path: Path) -> None:
    """Bar chart: multiple-choice accuracy and hit@k per exam domain."""
    import matplotlib  # lazy: pyplot must only load after the Agg backend is chosen (no display here)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, rows = group_table(run, "domain")
    rows = [r for r in rows if r[2] != "-" or r[3] != "-"]
    names = [r[0] for r in rows]
    acc = [float(r[2]) if r[2] != "-" else 0 for r in rows]
    hit = [float(r[3]) if r[3] != "-" else 0 for r in rows]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], acc, 0.4, label="MC accuracy")
    ax.bar([x + 0.2 for x in xs], hit, 0.4, label="hit@k")
    ax.set_xticks(list(xs), names)
    ax.set_ylim(0, 1.05)
    ax.set_title("Per-domain accuracy (ours)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def retrieval_systems(run) -> list[str]:
    """Systems with retrieval scores (none when the items name no relevant sources)."""
    return [system for system, summary in run.summary.items() if "hit_rate" in summary]


def plot_retrieval(run, path: Path) -> None:
    """Grouped bars: retrieval metrics of every system."""
    import matplotlib  # lazy: pyplot must only load after the Agg backend is chosen (no display here)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["hit_rate", "recall", "mrr", "ndcg"]
    systems = retrieval_systems(run)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / max(len(systems), 1)
    for i, system in enumerate(systems):
        xs = [j + i * width for j in range(len(metrics))]
        ax.bar(xs, [run.summary[system].get(x, 0) for x in metrics], width, label=system)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(metrics))], [f"{x}@k" for x in metrics])
    ax.set_ylim(0, 1.05)
    ax.set_title("Retrieval: ours vs baselines")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(run, path: Path) -> None:
    """Reliability diagram: accuracy against confidence in ten bins, with the answer counts."""
    import matplotlib  # lazy: pyplot must only load after the Agg backend is chosen (no display here)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confidences, correct, _ = m.confidence_rows(run.rows)
    bins = m.reliability_bins(confidences, correct)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.bar([b["low"] + 0.05 for b in bins], [b["accuracy"] for b in bins], 0.09, alpha=0.7, label="accuracy")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", color="black")
    for b in bins:
        ax.annotate(str(b["n"]), (b["low"] + 0.05, b["accuracy"]), ha="center", va="bottom", fontsize=7)
    ax.set(xlim=(0, 1), ylim=(0, 1.05), xlabel="confidence", ylabel="accuracy",
           title=f"Exam answers: ECE {m.calibration_error(confidences, correct):.3f}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def check_gates(summary: dict[str, float], gates_file: Path = GATES_FILE,
                section: str | None = None) -> list[str]:
    """Gate failures as one line each (empty when every gate holds); `section` names a sub-table.

    A gated metric the run could not measure (no item of its kind) fails too: a gate must never pass
    because its items are missing.
    """
    gates = tomllib.loads(gates_file.read_text())
    gates = gates.get(section, {}) if section else gates
    failures = [f"{name} not measured (no item of its kind)" for bound in ("min", "max")
                for name in gates.get(bound, {}) if name not in summary]
    failures += [f"{name} = {summary[name]:.3f} is below the gate {floor}"
                 for name, floor in gates.get("min", {}).items() if name in summary and summary[name] < floor]
    failures += [f"{name} = {summary[name]:.3f} is above the gate {ceiling}"
                 for name, ceiling in gates.get("max", {}).items() if name in summary and summary[name] > ceiling]
    return failures


def gate_section(dataset: Path | None) -> str | None:
    """The gates table for a dataset: each test set has its own, anything else uses the dev gates."""
    own = {Path(TEST_SET).resolve(): "held_out", Path(EXAM_TEST_SET).resolve(): "exam_test",
           Path(EXAM_TEST2_SET).resolve(): "exam_test2"}
    return own.get(Path(dataset).resolve()) if dataset else None


def report_sections(run) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    """The report's tables, in order; style and confidence tables only when the run has them."""
    sections = [("Ours vs baselines", headline_table(run)), ("Per domain (ours)", group_table(run, "domain"))]
    if any(r.get("style", "-") != "-" for r in run.rows):
        sections.append(("Per item style (ours)", group_table(run, "style")))
    sections.append(("Per question kind (ours)", group_table(run, "kind")))
    if m.confidence_rows(run.rows)[0]:
        sections.append(("Exam answers by confidence (ours)", bands_table(run)))
        sections.append(("Calibration error and its noise floor", calibration_table(run)))
    return sections + [("Misses", misses_table(run))]


def write_report(run, out: Path, model: str) -> None:
    """report.md, report.html and the PNG plots in `out`."""
    plots = [("domains.png", "per-domain accuracy", plot_domains)]
    if retrieval_systems(run):
        plots.append(("retrieval.png", "retrieval vs baselines", plot_retrieval))
    if m.confidence_rows(run.rows)[0]:
        plots.append(("reliability.png", "reliability diagram", plot_reliability))
    for name, _, plot in plots:
        plot(run, out / name)
    sections = report_sections(run)
    gates = check_gates(run.summary.get("ours", {}), section=run.gate_section)
    intro = (f"{len(run.rows)} items, model `{model}`, {run.seconds:.0f} s. Retrieval metrics use k as "
             "configured (the tutorial baseline retrieves 4). Gates: " + ("all hold." if not gates else
                                                                          "; ".join(gates)))
    md = ["# Eval report", "", intro, ""]
    for title, (headers, rows) in sections:
        md += [f"## {title}", "", markdown(headers, rows), ""]
    md += [f"![{alt}]({name})\n" for name, alt, _ in plots]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    body = [f"<h1>Eval report</h1><p>{html.escape(intro)}</p>"]
    body += [f"<h2>{html.escape(t)}</h2>{html_table(h, r)}" for t, (h, r) in sections]
    body += [f'<img src="{name}" alt="{alt}">' for name, alt, _ in plots]
    style = "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:2px 6px}</style>"
    (out / "report.html").write_text(f"<!doctype html><meta charset='utf-8'>{style}{''.join(body)}",
                                     encoding="utf-8")
