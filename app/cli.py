"""The `tutor` command: ingest notes, ask questions, run the UI."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from app.config import get_settings
from app.providers import ProviderError
from app.rag.chain import EmptyQuestion, Tutor, load_tutor
from app.rag.exam_model import ModelMissing
from app.rag.result import TutorAnswer, citation_line, shown_source, verdict
from app.store import Store, StoreError
from app.study.bank import shipped_questions
from app.study.flashcards import export_apkg, export_csv
from app.study.library import StudyMaterial, material_from_store
from app.study.mock import EXAM_MINUTES, EXAM_QUESTIONS, MockTimer, draw_mock
from app.study.plan import study_plan
from app.study.practice import Progress, ProgressError
from app.study.terminal import finish_mock, plan_text, practise, report_text, take_mock

app = typer.Typer(help="MLA Tutor: an offline study assistant for the AWS MLA-C01 exam.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
# what answering can raise for a reason the user can fix: each ends the command in one line
ANSWER_ERRORS = (ProviderError, StoreError, EmptyQuestion, ModelMissing)


def fail(message: str) -> None:
    """Print one clear line to stderr and exit non-zero (never a stack trace)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def settings_from(**overrides):
    """Settings from env/.env with CLI overrides; an invalid value is one line, not a trace."""
    try:
        return get_settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid setting TUTOR_{str(first['loc'][0]).upper()}: {first['msg']}")


@app.command()
def ingest(paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: corpus and your notes)")] = None,
           rebuild: Annotated[bool, typer.Option(help="Drop the store and embed everything again")] = False,
           quiet: Annotated[bool, typer.Option(help="No progress bar")] = False) -> None:
    """Add, update and remove notes in the store (only changed files are embedded)."""
    from ingest.index import ingest_paths  # lazy: loaders and splitters would slow every `tutor ask`

    settings = settings_from()
    targets = paths or [p for p in (settings.corpus_path, settings.notes_path) if p.exists()]
    try:
        report = ingest_paths(targets, settings, rebuild=rebuild, show_bar=not quiet)
    except StoreError as exc:
        fail(str(exc))
    for result in report.files:
        if result.status == "failed":
            typer.echo(f"skipped {shown_source(result.source)}: {result.reason}", err=True)
    typer.echo(report.summary())


@app.command()
def ask(question: Annotated[str, typer.Argument(help="Your question")],
        as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
        k: Annotated[Optional[int], typer.Option("--k", help="Chunks to retrieve")] = None,
        llm: Annotated[Optional[str], typer.Option(help="Provider string, e.g. openai/gpt-4o-mini")] = None,
        domain: Annotated[Optional[str], typer.Option(help="Only notes of this exam domain (D1-D4, core)")] = None,
        stream: Annotated[bool, typer.Option(help="Print tokens as they come")] = False) -> None:
    """Answer a question from your notes, with numbered citations."""
    settings = settings_from(k=k)
    if not question.strip():  # before any model loads
        fail("the question is empty: type a question, or paste an exam question with its options")
    try:
        tutor = load_tutor(settings, llm)
        result = stream_answer(tutor, question, k, domain) if stream else tutor.ask(question, k, domain)
    except ANSWER_ERRORS as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.model_dump(), ensure_ascii=False, indent=2))
    else:
        print_answer(result, answer=not stream)


def stream_answer(tutor: Tutor, question: str, k, domain, history=None) -> TutorAnswer:
    """Write tokens to stdout as they arrive, then the grounding check's verdict; return the result."""
    result, streamed = None, []
    for piece in tutor.stream(question, k, domain, history):
        if isinstance(piece, TutorAnswer):
            result = piece
        else:
            streamed.append(piece)
            sys.stdout.write(piece)
            sys.stdout.flush()
    sys.stdout.write("\n")
    if result.answer.strip() != "".join(streamed).strip():
        # the check changed the streamed text: show what survived, clearly marked
        typer.echo(f"\n[grounding check: {verdict(result)}]\n{result.answer}")
    else:
        typer.echo(f"[{verdict_line(result)}]")
    return result


@app.command()
def chat(llm: Annotated[Optional[str], typer.Option(help="Provider string, e.g. openai/gpt-4o-mini")] = None,
         domain: Annotated[Optional[str], typer.Option(help="Only notes of this exam domain")] = None) -> None:
    """A terminal conversation: streamed answers, follow-ups understood; empty line or Ctrl-D quits."""
    history: list[dict] = []
    try:
        tutor = load_tutor(settings_from(), llm)
        while question := read_question():
            result = stream_answer(tutor, question, None, domain, history)
            print_answer(result, answer=False)
            history += [{"role": "user", "content": question},
                        {"role": "assistant", "content": result.answer}]
    except ANSWER_ERRORS as exc:
        fail(str(exc))


def read_question() -> str:
    """One line from the user ('' at end of input)."""
    try:
        return input("\nyou> ").strip()
    except (EOFError, KeyboardInterrupt):
        return ""


def verdict_line(result: TutorAnswer) -> str:
    """The verdict, with the confidence of an exam pick."""
    sure = f", confidence {result.confidence:.2f}" if result.confidence is not None else ""
    return verdict(result) + sure


def print_answer(result: TutorAnswer, answer: bool = True) -> None:
    """Human-readable answer and numbered citations."""
    if answer:
        typer.echo(result.answer)
        if result.confidence is not None:
            typer.echo(f"[{verdict_line(result)}]")
    typer.echo("\nSources:")
    for cite in result.citations:
        typer.echo(f"  {citation_line(cite)}")


@app.command()
def docs() -> None:
    """List the documents in the store with their chunk counts."""
    try:
        docs = Store(settings_from()).documents()
    except StoreError as exc:
        fail(str(exc))
    for doc in docs:
        typer.echo(f"{doc['chunks']:4d}  {doc.get('domain') or '-':5s}  {doc['source']}")


@app.command("eval")
def run_evals(dataset: Annotated[Optional[Path], typer.Option(help="JSONL dataset (default: the dev set)")] = None,
              limit: Annotated[Optional[int], typer.Option(help="Only the first N items")] = None,
              subset: Annotated[Optional[int], typer.Option(help="N items of each kind and domain")] = None,
              provider: Annotated[Optional[str], typer.Option(help="LLM provider string")] = None,
              out: Annotated[Path, typer.Option(help="Folder for results and report")] = Path("eval-out"),
              baselines: Annotated[bool, typer.Option(help="Also run the tutorial-pipeline baseline (BM25-only and dense-only are always scored)")] = True,
              gate: Annotated[bool, typer.Option(help="Exit 1 when a gate in evals/gates.toml fails")] = False,
              quiet: Annotated[bool, typer.Option(help="No progress bar")] = False) -> None:
    """Score the tutor and the baselines on a dataset; write results.jsonl, report.md/html and plots."""
    # lazy: evals pulls in ranx and matplotlib (seconds); only this command needs them
    from evals.datasets import DEV_SET, DatasetError, load_items, pick_subset
    from evals.report import check_gates, gate_section, headline_table, markdown
    from evals.run import run_eval

    try:
        items = load_items(dataset or DEV_SET)
        items = pick_subset(items, subset) if subset else items
        run = run_eval(settings_from(), items[:limit], out, provider, baselines, show_bar=not quiet,
                       gate_section=gate_section(dataset))
    except (DatasetError, *ANSWER_ERRORS) as exc:
        fail(str(exc))
    typer.echo(markdown(*headline_table(run)))
    typer.echo(f"{len(run.rows)} items in {run.seconds:.0f} s; report: {out / 'report.md'}")
    failures = check_gates(run.summary["ours"], section=run.gate_section)
    for line in failures:
        typer.echo(f"gate failed: {line}", err=True)
    if gate and failures:
        raise typer.Exit(1)


@app.command()
def ui(port: Annotated[int, typer.Option(help="Port for the web UI")] = 8501,
       host: Annotated[str, typer.Option(help="Address to listen on")] = "localhost") -> None:
    """Start the Streamlit study app on http://localhost:PORT."""
    script = Path(__file__).parent / "ui" / "main.py"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
               "--server.address", host, "--server.headless", "true", "--client.toolbarMode", "minimal"]
    # exec, not a child process: SIGTERM and Ctrl-C reach the Streamlit server itself, so it never
    # outlives `tutor ui` holding the port
    os.execve(sys.executable, command, env)


def study_setup(settings) -> tuple[Progress, StudyMaterial]:
    """The progress file next to the store and the store's generated questions and flashcards."""
    try:
        return Progress(settings.store_path.parent / "practice.sqlite"), material_from_store(Store(settings))
    except (StoreError, ProgressError) as exc:
        fail(str(exc))


def read_line(prompt: str) -> str | None:
    """One line from the user, None at end of input."""
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


@app.command()
def practice(questions: Annotated[int, typer.Option(help="How many questions")] = 10,
             domain: Annotated[Optional[list[str]], typer.Option(help="Only these domains (D1-D4, core, notes)")] = None,
             source: Annotated[str, typer.Option(help="all, bank (exam-style) or notes (generated from your notes)")] = "all") -> None:
    """A practice quiz in the terminal with feedback; reviews are scheduled with FSRS."""
    if source not in ("all", "bank", "notes"):
        fail(f"--source must be all, bank or notes, not {source!r}")
    progress, stuff = study_setup(settings_from())
    bank = (shipped_questions() if source != "notes" else []) + (stuff.questions if source != "bank" else [])
    picked = progress.pick(bank, domain or [], questions)
    if not picked:
        fail("no questions for these choices: ingest notes (tutor ingest) or pick other domains")
    right = practise(picked, progress, stuff.chunks, read_line, typer.echo)
    typer.echo(f"\n{right} right; run `tutor plan` to see what to review next.")


@app.command()
def mock(questions: Annotated[int, typer.Option(help="How many questions (the exam has 65)")] = EXAM_QUESTIONS,
         minutes: Annotated[Optional[float], typer.Option(help="Time limit (default: the exam's pace, 2 minutes a question)")] = None) -> None:
    """A timed mock exam in the terminal: no feedback until the end, then a score report."""
    if not 1 <= questions <= EXAM_QUESTIONS or (minutes is not None and minutes <= 0):
        fail(f"--questions must be 1-{EXAM_QUESTIONS} and --minutes above 0")
    progress, stuff = study_setup(settings_from())
    drawn = draw_mock(shipped_questions() + stuff.questions, questions)
    timer = MockTimer(minutes or EXAM_MINUTES * questions / EXAM_QUESTIONS)
    typer.echo(f"{len(drawn)} questions, {timer.minutes:g} minutes. No feedback until the end.")
    answers = take_mock(drawn, timer, read_line, typer.echo)
    typer.echo(report_text(finish_mock(drawn, answers, timer, progress), stuff.chunks))


@app.command()
def plan(items: Annotated[int, typer.Option(help="How many items")] = 12) -> None:
    """What to review next: FSRS due dates first, weak domains first, each with its note section."""
    progress, stuff = study_setup(settings_from())
    typer.echo(plan_text(study_plan(progress, shipped_questions() + stuff.questions, stuff.flashcards,
                                    stuff.chunks, limit=items)))


flashcards_app = typer.Typer(help="Flashcards from your notes (term -> definition and decision rules, cited).",
                             no_args_is_help=True)
app.add_typer(flashcards_app, name="flashcards")


@flashcards_app.command("export")
def flashcards_export(out: Annotated[Path, typer.Option(help="Output file: .apkg (Anki) or .csv")] = Path("mla-tutor.apkg")) -> None:
    """Export the flashcards to an Anki package (.apkg) or CSV."""
    if out.suffix.lower() not in (".apkg", ".csv"):
        fail(f"{out}: the file name must end in .apkg (Anki) or .csv")
    _, stuff = study_setup(settings_from())
    if not stuff.flashcards:
        fail("no flashcards: the store has no notes with definitions, tables or rules (run tutor ingest)")
    try:
        count = (export_apkg if out.suffix.lower() == ".apkg" else export_csv)(stuff.flashcards, out)
    except OSError as exc:
        fail(f"{out}: cannot write ({exc.strerror or exc})")
    typer.echo(f"{count} flashcards written to {out}")


def main() -> None:
    """Console-script entry point; keeps hub libraries offline before anything loads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar on stderr
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if sys.argv[1:2] != ["ask"]:
        app()
        return
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    exit_now(code)


def exit_now(code: int | str | None) -> None:
    """End a finished `tutor ask` without the interpreter's teardown.

    Tearing down onnxruntime and Chroma's native core takes about half a second after the answer is
    out. `ask` writes only files it has already closed (vector cache, BM25, stats), never to Chroma, so
    the exit handlers run and the process ends (commands that write to Chroma exit normally).
    """
    import atexit

    if isinstance(code, str):  # sys.exit("message") prints the message and exits 1
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away (`| head`) or the stream is closed
            pass
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
