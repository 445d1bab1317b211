"""Practice page: an exam-style session drawn from the practice bank, graded with citations."""

from __future__ import annotations

import streamlit as st

from app.rag.result import citation_line
from app.store import Store
from app.study.bank import note_questions, shipped_questions
from app.study.practice import Progress, grade, session_report
from app.ui.common import load_tutor_or_stop, model_choice, safe_markdown, settings

DOMAINS = ["D1", "D2", "D3", "D4", "core"]


def practice_bank():
    """Shipped practice questions plus questions generated from the stored notes' tables."""
    return shipped_questions() + note_questions(Store(settings()))


def progress_store():
    """The SQLite progress file next to the store (kept across restarts)."""
    return Progress(settings().store_path.parent / "practice.sqlite")


def start_session() -> None:
    """Pick a session's questions from the sidebar choices."""
    domains = st.session_state.get("practice_domains") or DOMAINS
    count = st.session_state.get("practice_length", 5)
    st.session_state.practice = {"questions": progress_store().pick(practice_bank(), domains, count),
                                 "index": 0, "results": [], "feedback": None}


def explanation(question, picked: list[str]) -> dict:
    """Grade an answer and explain it with the tutor's exam mode (evidence and citations)."""
    tutor = load_tutor_or_stop(model_choice())
    prepared = tutor.prepare(question.prompt())
    scores = tutor.score_exam(prepared) if prepared.exam else []
    # explain the *correct* options with the notes' best evidence for them
    why = [f"{s.letter}) {question.choices[s.letter]}: {s.best.sentence} [{s.best.n}]"
           for s in scores if s.letter in question.answer and s.best]
    cites = {s.best.n for s in scores if s.letter in question.answer and s.best}
    return {"correct": grade(question, picked), "picked": picked, "answer": question.answer,
            "why": question.explanation or "\n\n".join(why) or "See the notes below.",
            "citations": [citation_line(c) for c in prepared.result("", tutor.model).citations
                          if c.n in cites]}


def ask_current(session: dict) -> None:
    """Show the current question with its options and a submit button."""
    question = session["questions"][session["index"]]
    st.subheader(f"Question {session['index'] + 1} of {len(session['questions'])} ({question.domain})")
    st.markdown(safe_markdown(question.question))
    options = [f"{k}) {v}" for k, v in question.choices.items()]
    picks = len(question.answer)
    if picks > 1:
        st.caption(f"Choose {picks}.")
        chosen = [o for i, o in enumerate(options) if st.checkbox(o, key=f"pick{session['index']}-{i}")]
    else:
        chosen = [st.radio("Your answer", options, index=None, key=f"pick{session['index']}")]
    chosen = [c for c in chosen if c]
    if st.button("Submit answer", disabled=len(chosen) != picks):
        feedback = explanation(question, [c.split(")")[0] for c in chosen])
        progress_store().record(question, feedback["correct"])
        session["results"].append((question, feedback["correct"]))
        session["feedback"] = feedback
        st.rerun()


def show_feedback(session: dict) -> None:
    """Graded result, the explanation and citations, and a button to go on."""
    fb = session["feedback"]
    question = session["questions"][session["index"]]
    st.markdown(safe_markdown(question.question))
    for letter, text in question.choices.items():
        mark = "✔" if letter in question.answer else ("✘" if letter in fb["picked"] else "·")
        st.text(f"{mark} {letter}) {text}")
    (st.success if fb["correct"] else st.error)(
        f"{'Correct' if fb['correct'] else 'Not quite'}: the answer is {', '.join(fb['answer'])}.")
    st.markdown(safe_markdown(fb["why"]))
    for line in fb["citations"]:
        st.caption(line)
    if st.button("Next question"):
        session["index"] += 1
        session["feedback"] = None
        st.rerun()


def show_summary(session: dict) -> None:
    """Score per domain and the notes to revisit."""
    per_domain, revisit = session_report(session["results"])
    right = sum(c for c, _ in per_domain.values())
    st.subheader(f"Session score: {right} / {len(session['results'])}")
    st.dataframe([{"domain": d, "correct": c, "questions": t} for d, (c, t) in sorted(per_domain.items())],
                 hide_index=True)
    if revisit:
        st.markdown("**Notes to revisit:**")
        for source in revisit:
            st.text(source)
    if st.button("New session"):
        start_session()
        st.rerun()


def render() -> None:
    """The practice page."""
    st.title("Practice exam")
    st.sidebar.multiselect("Domains", DOMAINS, default=DOMAINS, key="practice_domains")
    st.sidebar.slider("Questions", 3, 30, 5, key="practice_length")
    if st.sidebar.button("Start session") or "practice" not in st.session_state:
        start_session()
    session = st.session_state.practice
    if not session["questions"]:
        st.info("No questions for these domains.")
    elif session["feedback"]:
        show_feedback(session)
    elif session["index"] < len(session["questions"]):
        ask_current(session)
    else:
        show_summary(session)


if __name__ == "__main__":
    render()
