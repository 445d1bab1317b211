"""Summaries of eval rows: the mean of every metric per system, with refusal and latency figures."""

from __future__ import annotations

from evals import metrics as m

SYSTEMS = ("ours", "bm25", "dense", "tutorial")


def summarize(rows: list[dict], system: str, floor: bool = False) -> dict[str, float]:
    """Mean of every metric over the rows it applies to, plus refusal and latency figures (and the
    ECE's noise floor with `floor`: the whole run's summary shows it, a per-group table does not)."""
    values: dict[str, list[float]] = {}
    for row in rows:
        for name, value in row["metrics"].get(system, {}).items():
            values.setdefault(name, []).append(value)
    summary = {name: sum(v) / len(v) for name, v in values.items()}
    for count in ("leaks", "artefacts"):  # counts, not means: any one is one too many
        if count in values:
            summary[count] = sum(values[count])
    graded = [r for r in rows if r["expect"] in ("answer", "refuse")]
    if system == "ours":
        predicted = [r["result"]["refused"] for r in graded]
        summary |= m.percentiles([r["latency_s"] for r in rows])
        summary |= m.confidence_summary(rows, floor)
    elif system == "tutorial" and all("tutorial_refused" in r for r in graded):
        predicted = [r["tutorial_refused"] for r in graded]
    else:
        return summary
    summary |= m.refusal_scores([r["expect"] == "refuse" for r in graded], predicted)
    return summary
