"""Practice page: questions from the exam-style bank and from your notes, graded with citations and
scheduled with FSRS (right: Good, "I guessed": Hard, miss: Again)."""

from __future__ import annotations

import streamlit as st

from app.rag.result import citation_line
from app.study.practice import grade, session_report
from app.ui.common import load_tutor_or_stop, model_choice, safe_markdown
from app.ui.study import plain, practice_bank, progress_store, question_citation, recall_line

ORIGINS = ["All", "Exam-style bank", "Generated from your notes"]


def start_session() -> None:
    """Pick a session's questions from the sidebar choices (due reviews first)."""
    bank = practice_bank(st.session_state.get("practice_origin", "All"))
    domains = st.session_state.get("practice_domains") or []
    count = st.session_state.get("practice_length", 5)
    st.session_state.practice = {"questions": progress_store().pick(bank, domains, count),
                                 "index": 0, "results": [], "feedback": None}


def tutor_explanation(question) -> tuple[str, list[str]]:
    """Why the answer is right, from the tutor's exam mode over the notes (loads the models)."""
    tutor = load_tutor_or_stop(model_choice())
    prepared = tutor.prepare(question.prompt())
    scores = tutor.score_exam(prepared) if prepared.exam else []
    best = [s for s in scores if s.letter in question.answer and s.best]
    why = [f"{s.letter}) {question.choices[s.letter]}: {s.best.sentence} [{s.best.n}]" for s in best]
    cites = {s.best.n for s in best}
    lines = [citation_line(c) for c in prepared.result("", tutor.model).citations if c.n in cites]
    return "\n\n".join(why) or "See the notes below.", lines


def explanation(question, picked: list[str], guessed: bool) -> dict:
    """Grade an answer; explain it by its source sentence (generated) or the tutor's evidence (bank)."""
    if question.evidence:
        why, cites = question_citation(question), []
    else:
        try:
            why, cites = tutor_explanation(question)
            why = safe_markdown(why)
        except Exception as exc:  # a provider or scorer failure: grade anyway, say why there is no explanation
            why, cites = safe_markdown(f"No explanation from the notes this time: {exc}"), []
    return {"correct": grade(question, picked), "picked": picked, "answer": question.answer,
            "guessed": guessed, "why": why, "citations": cites}


def ask_current(session: dict) -> None:
    """Show the current question with its options, an "I guessed" box and a submit button."""
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
    guessed = st.checkbox("I guessed", key=f"guess{session['index']}", help="A right guess is rated Hard, not Good")
    if st.button("Submit answer", disabled=len(chosen) != picks):
        feedback = explanation(question, [c.split(")")[0] for c in chosen], guessed)
        card = progress_store().record(question, feedback["correct"], guessed)
        feedback["next"] = card.due.strftime("%Y-%m-%d %H:%M UTC")
        session["results"].append((question, feedback["correct"]))
        session["feedback"] = feedback
        st.rerun()


def show_feedback(session: dict) -> None:
    """Graded result, the explanation and citations, the next review, and a button to go on."""
    fb = session["feedback"]
    question = session["questions"][session["index"]]
    st.markdown(safe_markdown(question.question))
    for letter, text in question.choices.items():
        mark = "✔" if letter in question.answer else ("✘" if letter in fb["picked"] else "·")
        st.text(f"{mark} {letter}) {text}")
    (st.success if fb["correct"] else st.error)(
        f"{'Correct' if fb['correct'] else 'Not quite'}: the answer is {', '.join(fb['answer'])}.")
    st.markdown(fb["why"])
    for line in fb["citations"]:
        st.caption(line)
    rating = "Again" if not fb["correct"] else ("Hard" if fb["guessed"] else "Good")
    st.caption(f"Rated {rating}; next review {fb['next']}.")
    if st.button("Next question"):
        session["index"] += 1
        session["feedback"] = None
        st.rerun()


def show_summary(session: dict) -> None:
    """Score per domain, recall per domain and the notes to revisit."""
    per_domain, revisit = session_report(session["results"])
    right = sum(c for c, _ in per_domain.values())
    st.subheader(f"Session score: {right} / {len(session['results'])}")
    st.dataframe([{"domain": d, "correct": c, "questions": t} for d, (c, t) in sorted(per_domain.items())],
                 hide_index=True)
    st.caption(recall_line(progress_store()))
    if revisit:
        st.markdown("**Notes to revisit:**")
        for source in revisit:
            st.markdown(f"- {plain(source)}")
    if st.button("New session"):
        start_session()
        st.rerun()


def render() -> None:
    """The practice page."""
    st.title("Practice")
    bank_domains = sorted({"D1", "D2", "D3", "D4", "core"} | {q.domain for q in practice_bank()})
    st.sidebar.selectbox("Questions from", ORIGINS, key="practice_origin")
    st.sidebar.multiselect("Domains", bank_domains, default=bank_domains, key="practice_domains")
    st.sidebar.slider("Questions", 3, 30, 5, key="practice_length")
    if st.sidebar.button("Start session") or "practice" not in st.session_state:
        start_session()
    st.caption(recall_line(progress_store()))
    session = st.session_state.practice
    if not session["questions"]:
        st.info("No questions for these choices.")
    elif session["feedback"]:
        show_feedback(session)
    elif session["index"] < len(session["questions"]):
        ask_current(session)
    else:
        show_summary(session)


if __name__ == "__main__":
    render()
