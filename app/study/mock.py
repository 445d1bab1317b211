"""Mock exams: 65 questions by the exam's domain weights, a pausable timer, flags, a score report
with a scaled-score estimate, and the history of past attempts.

About the scaled score: AWS reports MLA-C01 results on a 100-1000 scale with 720 to pass, and does
not publish how raw answers map to it (the mapping is set per exam form, and some questions are
unscored). Ours is an ESTIMATE: a straight line from 0 % correct -> 100 through ASSUMED_PASS_SHARE
correct -> 720 to 100 % -> 1000, with an 80 % Wilson interval of the share correct mapped the same
way. Treat it as a readiness trend across attempts, not as a prediction of the real score.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from app.study.bank import EXAM_DOMAINS, Question

DOMAIN_WEIGHTS = {"D1": 0.28, "D2": 0.26, "D3": 0.22, "D4": 0.24}
EXAM_QUESTIONS = 65
EXAM_MINUTES = 130
PASS_SCALED = 720
ASSUMED_PASS_SHARE = 0.70  # an assumption: AWS does not publish the raw score that maps to 720
Z_80 = 1.2816


def domain_counts(total: int) -> dict[str, int]:
    """Questions per domain for an exam of `total` questions (largest remainders, weights 28/26/22/24 %)."""
    exact = {d: total * w for d, w in DOMAIN_WEIGHTS.items()}
    counts = {d: math.floor(x) for d, x in exact.items()}
    for d in sorted(exact, key=lambda d: exact[d] - counts[d], reverse=True)[:total - sum(counts.values())]:
        counts[d] += 1
    return counts


def draw_mock(bank: list[Question], total: int = EXAM_QUESTIONS, seed: int | None = None) -> list[Question]:
    """A mock exam: per domain, exam-style (shipped) questions first, then generated ones to fill."""
    rng = random.Random(seed)
    drawn: list[Question] = []
    for domain, count in domain_counts(total).items():
        shipped = [q for q in bank if q.exam_domain == domain and q.origin == "shipped"]
        generated = [q for q in bank if q.exam_domain == domain and q.origin != "shipped"]
        rng.shuffle(shipped)
        rng.shuffle(generated)
        drawn += (shipped + generated)[:count]
    rng.shuffle(drawn)
    return drawn


@dataclass
class MockTimer:
    """A countdown that can be paused and resumed; times are seconds from time.time()."""

    minutes: float
    started: float = field(default_factory=time.time)
    paused_at: float | None = None
    paused_for: float = 0.0

    def elapsed(self, now: float | None = None) -> float:
        """Seconds spent answering (pauses excluded)."""
        now = self.paused_at if self.paused_at is not None else (now or time.time())
        return max(now - self.started - self.paused_for, 0.0)

    def remaining(self, now: float | None = None) -> float:
        """Seconds left (0 when time is up)."""
        return max(self.minutes * 60 - self.elapsed(now), 0.0)

    def expired(self, now: float | None = None) -> bool:
        """Whether time is up."""
        return self.remaining(now) <= 0

    def pause(self, now: float | None = None) -> None:
        """Stop the clock."""
        if self.paused_at is None:
            self.paused_at = now or time.time()

    def resume(self, now: float | None = None) -> None:
        """Start the clock again."""
        if self.paused_at is not None:
            self.paused_for += (now or time.time()) - self.paused_at
            self.paused_at = None


def clock(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def scaled_estimate(share: float) -> int:
    """Share correct -> estimated scaled score (see the module docstring: an estimate, not AWS's mapping)."""
    share = min(max(share, 0.0), 1.0)
    if share <= ASSUMED_PASS_SHARE:
        return round(100 + (PASS_SCALED - 100) * share / ASSUMED_PASS_SHARE)
    return round(PASS_SCALED + (1000 - PASS_SCALED) * (share - ASSUMED_PASS_SHARE) / (1 - ASSUMED_PASS_SHARE))


def wilson(correct: int, total: int, z: float = Z_80) -> tuple[float, float]:
    """The Wilson interval of a share correct (how far a short mock can be off)."""
    if total == 0:
        return 0.0, 1.0
    p = correct / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(centre - half, 0.0), min(centre + half, 1.0)


@dataclass
class MockReport:
    """The score report of one mock exam."""

    correct: int
    total: int
    scaled: int
    scaled_low: int
    scaled_high: int
    per_domain: dict[str, tuple[int, int]]
    per_task: dict[str, tuple[int, int]]
    misses: list[tuple[Question, list[str]]]
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """Likely pass, borderline or not yet, from the estimate and its interval."""
        if self.scaled_low >= PASS_SCALED:
            return "likely pass"
        return "borderline" if self.scaled_high >= PASS_SCALED else "not yet"


def tally(table: dict[str, tuple[int, int]], key: str, correct: bool) -> None:
    """Add one answer to a (correct, total) table."""
    right, total = table.get(key, (0, 0))
    table[key] = (right + int(correct), total + 1)


def score_mock(questions: list[Question], answers: dict[str, list[str]], seconds: float = 0.0) -> MockReport:
    """Grade every question (unanswered ones are wrong) into a report."""
    per_domain: dict[str, tuple[int, int]] = {}
    per_task: dict[str, tuple[int, int]] = {}
    misses = []
    for q in questions:
        picked = answers.get(q.id, [])
        correct = sorted(picked) == sorted(q.answer)
        tally(per_domain, q.exam_domain or q.domain, correct)
        tally(per_task, q.task or "-", correct)
        if not correct:
            misses.append((q, picked))
    right = len(questions) - len(misses)
    low, high = wilson(right, len(questions))
    return MockReport(right, len(questions), scaled_estimate(right / max(len(questions), 1)),
                      scaled_estimate(low), scaled_estimate(high), dict(sorted(per_domain.items())),
                      dict(sorted(per_task.items())), misses, seconds)


def weak_domains(report: MockReport) -> list[str]:
    """Exam domains ordered from the weakest share correct."""
    return sorted((d for d in report.per_domain if d in EXAM_DOMAINS),
                  key=lambda d: report.per_domain[d][0] / report.per_domain[d][1])
