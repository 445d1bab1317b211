"""Mock exam page: questions by the exam's domain weights, a pausable timer, flags, no feedback until
the end, then a score report with a scaled-score estimate and the readiness trend of past attempts."""

from __future__ import annotations

import altair as alt
import streamlit as st
import streamlit.components.v1 as components

from app.study.library import section_for, short_source
from app.study.mock import (EXAM_MINUTES, EXAM_QUESTIONS, PASS_SCALED, MockTimer, clock, draw_mock,
                            score_mock)
from app.ui.common import safe_markdown
from app.ui.study import material, note_link, plain, practice_bank, progress_store

JUMP_KEY = "mock-jump"
ESTIMATE_NOTE = ("The scaled score is an estimate: AWS does not publish how raw answers map to its 100-1000 "
                 "scale. We assume 70 % correct maps to the 720 pass mark, draw straight lines to 100 and "
                 "1000, and show an 80 % range for the number of questions you answered.")


def start_mock() -> None:
    """Draw the questions and start the clock."""
    total = int(st.session_state.get("mock_questions", EXAM_QUESTIONS))
    minutes = float(st.session_state.get("mock_minutes", EXAM_MINUTES))
    st.session_state.mock = {"questions": draw_mock(practice_bank(), total), "answers": {}, "flagged": set(),
                             "index": 0, "timer": MockTimer(minutes), "report": None}


def save_pick(exam: dict, qid: str, key: str, letters: list[str] | None = None) -> None:
    """Remember the answer of one question (callback of its radio, or of its boxes when `letters`)."""
    if time_is_up(exam):
        return  # an answer given after the time is up does not count
    if letters:
        exam["answers"][qid] = [letter for letter in letters if st.session_state.get(f"{key}-{letter}")]
    else:
        picked = st.session_state.get(key)
        exam["answers"][qid] = [picked.split(")")[0]] if picked else []


def toggle_flag(exam: dict, qid: str) -> None:
    """Flag or unflag a question for review."""
    if time_is_up(exam):
        return
    exam["flagged"] ^= {qid}


def go_to(exam: dict, index: int) -> None:
    """Move to another question."""
    exam["index"] = max(0, min(index, len(exam["questions"]) - 1))


def finish(exam: dict) -> None:
    """Grade the exam, save it to the history and update the FSRS schedule (no feedback before this)."""
    report = score_mock(exam["questions"], exam["answers"], exam["timer"].elapsed())
    progress = progress_store()
    progress.mocks.save(report)
    for question in exam["questions"]:
        progress.record(question, sorted(exam["answers"].get(question.id, [])) == sorted(question.answer))
    exam["report"] = report


CLOCK_JS = """<div id="clock" style="font-family: sans-serif; font-weight: 600; color: #31333f">%s</div>
<script>
let left = %d;  // seconds; the page counts down in the browser, the server checks on every action
const box = document.getElementById("clock");
const pad = (n) => String(n).padStart(2, "0");
function tick() {
  box.textContent = left > 0
    ? `Time left: ${Math.floor(left / 3600)}:${pad(Math.floor(left / 60) %% 60)}:${pad(left %% 60)}`
    : "Time is up: your next click ends the exam.";
  left -= 1;
}
tick();
setInterval(tick, 1000);
</script>"""


def show_clock(exam: dict) -> None:
    """Time left, counting down in the browser (a server-side timer re-run would swallow clicks)."""
    remaining = int(exam["timer"].remaining())
    components.html(CLOCK_JS % (f"Time left: {clock(remaining)}", remaining), height=32)


def time_is_up(exam: dict) -> bool:
    """End the exam once its time has run out (checked on every action); True when it ended."""
    if exam["report"] is None and exam["timer"].expired():
        finish(exam)
    return exam["report"] is not None


def ask(exam: dict) -> None:
    """The current question, its options, the flag and the navigation."""
    question = exam["questions"][exam["index"]]
    qid, key = question.id, f"mock-{question.id}"
    st.subheader(f"Question {exam['index'] + 1} of {len(exam['questions'])}")
    st.markdown(safe_markdown(question.question))
    letters, picked = list(question.choices), exam["answers"].get(qid, [])
    options = [f"{k}) {v}" for k, v in question.choices.items()]
    if len(question.answer) > 1:
        st.caption(f"Choose {len(question.answer)}.")
        for letter, option in zip(letters, options):
            st.checkbox(option, value=letter in picked, key=f"{key}-{letter}",
                        on_change=save_pick, args=(exam, qid, key, letters))
    else:
        index = letters.index(picked[0]) if picked else None
        st.radio("Your answer", options, index=index, key=key, on_change=save_pick, args=(exam, qid, key))
    # buttons, not boxes, for the flag and the jump: a click is sent once, while a box's or a list's value
    # can come back stale from the browser after a re-run and fire its callback (CI once saw a jump back
    # to question 1 and a flag nobody set)
    label = "Remove flag" if qid in exam["flagged"] else "Flag for review"
    st.button(label, key=f"flag-{qid}", on_click=toggle_flag, args=(exam, qid))
    navigate(exam)


def navigate(exam: dict) -> None:
    """Previous / Next, pause and finish, what is unanswered or flagged, and a jump list."""
    left, right, pause, done = st.columns(4)
    left.button("Previous", on_click=go_to, args=(exam, exam["index"] - 1), disabled=exam["index"] == 0)
    right.button("Next", on_click=go_to, args=(exam, exam["index"] + 1),
                 disabled=exam["index"] == len(exam["questions"]) - 1)
    pause.button("Pause", on_click=exam["timer"].pause)
    done.button("Finish exam", on_click=finish, args=(exam,), type="primary")
    flagged = [str(i + 1) for i, q in enumerate(exam["questions"]) if q.id in exam["flagged"]]
    unanswered = sum(not exam["answers"].get(q.id) for q in exam["questions"])
    st.caption(f"{unanswered} unanswered, {len(flagged)} flagged for review"
               + (f" (questions {', '.join(flagged)})." if flagged else "."))
    numbers = [str(i + 1) for i in range(len(exam["questions"]))]
    # one list with a stable key (a list keyed per question made the browser send the old list's value to
    # the new one), set to the current question whenever that changes; only the Go button moves
    if exam.get("listed") != exam["index"] or JUMP_KEY not in st.session_state:
        st.session_state[JUMP_KEY], exam["listed"] = numbers[exam["index"]], exam["index"]
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Go to question", numbers, key=JUMP_KEY)
    go.button("Go", on_click=jump, args=(exam,))


def jump(exam: dict) -> None:
    """Go to the question picked in the jump list."""
    go_to(exam, int(st.session_state[JUMP_KEY]) - 1)


def show_report(exam: dict) -> None:
    """Score, estimate, per-domain and per-task results, and the notes to review for each miss."""
    report = exam["report"]
    st.header("Score report")
    st.metric("Estimated scaled score", report.scaled, help=ESTIMATE_NOTE)
    st.markdown(f"**{report.correct} of {report.total} correct** · estimate {report.scaled} "
                f"(likely {report.scaled_low}-{report.scaled_high}) against the pass mark {PASS_SCALED}: "
                f"**{report.verdict}** · time used {clock(report.seconds)}")
    st.caption(ESTIMATE_NOTE)
    st.subheader("By domain")
    st.markdown(table_markdown(report.per_domain, "Domain"))
    st.subheader("By task statement")
    st.markdown(table_markdown(report.per_task, "Task"))
    show_misses(report)
    if st.button("New mock exam"):
        del st.session_state["mock"]
        st.rerun()


def table_markdown(table: dict[str, tuple[int, int]], name: str) -> str:
    """A (correct, total) table as a Markdown table with the share correct (drawn at once, unlike a grid)."""
    lines = [f"| {name} | Correct | Questions | Share |", "|---|---:|---:|---:|"]
    return "\n".join(lines + [f"| {plain(k)} | {c} | {t} | {c / t:.0%} |" for k, (c, t) in table.items()])


def show_misses(report) -> None:
    """Each missed question with the right answer and the note section to review."""
    st.subheader(f"Missed questions ({len(report.misses)})")
    chunks = material().chunks
    for question, picked in report.misses:
        chunk = section_for(question, chunks)
        source = short_source(str(chunk.metadata.get("source", ""))) if chunk else ", ".join(question.sources)
        where = f"{source} > {chunk.metadata.get('heading', '')}" if chunk else source
        right = "; ".join(f"{l}) {question.choices[l]}" for l in question.answer)
        st.markdown(f"- {plain(question.question[:160])}  \n  Your answer: {', '.join(picked) or 'none'} · "
                    f"right: {plain(right)}  \n  Review: {note_link(where, chunk.id if chunk else '')}")


def show_history() -> None:
    """Past mock exams and the readiness trend (estimate with its range, pass mark as a line)."""
    attempts = progress_store().mocks.attempts()
    if not attempts:
        st.caption("No mock exams yet.")
        return
    st.subheader("Readiness trend")
    points = [{k: a[k] for k in ("attempt", "scaled", "scaled_low", "scaled_high", "correct", "total")}
              for a in attempts]
    base = alt.Chart(alt.Data(values=points)).encode(x=alt.X("attempt:O", title="mock exam"))
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("scaled_low:Q", scale=alt.Scale(domain=[100, 1000]),
                                                      title="estimated scaled score"), y2="scaled_high:Q")
    line = base.mark_line(point=True).encode(y="scaled:Q", tooltip=["attempt:O", "scaled:Q", "correct:Q", "total:Q"])
    rule = alt.Chart(alt.Data(values=[{"pass": PASS_SCALED}])).mark_rule(strokeDash=[4, 4]).encode(y="pass:Q")
    st.altair_chart(band + line + rule, use_container_width=True)
    st.dataframe([{"attempt": a["attempt"], "correct": f"{a['correct']}/{a['total']}", "estimate": a["scaled"],
                   "range": f"{a['scaled_low']}-{a['scaled_high']}"} for a in attempts], hide_index=True)


def setup() -> None:
    """Exam settings (a shorter exam or timer for a quick run) and the history."""
    st.caption(f"The real exam: {EXAM_QUESTIONS} questions in {EXAM_MINUTES} minutes, domains weighted "
               "28 / 26 / 22 / 24 %. No feedback until you finish.")
    st.number_input("Questions", 4, EXAM_QUESTIONS, EXAM_QUESTIONS, key="mock_questions")
    st.number_input("Minutes", 1, EXAM_MINUTES, EXAM_MINUTES, key="mock_minutes")
    if st.button("Start mock exam"):
        start_mock()
        st.rerun()
    show_history()


def render() -> None:
    """The mock exam page."""
    st.title("Mock exam")
    exam = st.session_state.get("mock")
    if exam is not None:
        time_is_up(exam)
    if exam is None:
        setup()
    elif exam["report"] is not None:
        show_report(exam)
    elif exam["timer"].paused_at is not None:
        st.info(f"Paused with {clock(exam['timer'].remaining())} left.")
        st.button("Resume", on_click=exam["timer"].resume)
    else:
        show_clock(exam)
        ask(exam)


if __name__ == "__main__":
    render()
