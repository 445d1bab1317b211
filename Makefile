# Two commands for a newcomer: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install ingest ui eval train train-fresh train-crossencoder bench clean

run: ingest ui

test: $(STAMP)
	scripts/ensure-chromium
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# a venv's bundled pip can be old; old resolvers backtrack for many minutes over this dependency set
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25'
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m app.embeddings
	$(BIN)/python -m compileall -q app ingest > /dev/null
	touch $(STAMP)

# byte-compiled once here: a process started with PYTHONDONTWRITEBYTECODE=1 (some shells and CI set it)
# would otherwise compile the tutor's own modules on every start (about 0.15 s of a cold `tutor ask`)
ingest: $(STAMP)
	$(BIN)/python -m compileall -q app ingest > /dev/null
	$(BIN)/tutor ingest

ui: $(STAMP)
	$(BIN)/tutor ui

eval: $(STAMP)
	$(BIN)/tutor eval

# Fit the exam option scorer on training/exam_bank and training/exam_bank_blind (its bank memory also
# holds training/exam_bank_blind3), choose and calibrate it on the tune half of training/exam_bank_blind2 (the "confident" cut on both halves);
# write app/rag/data/exam_scorer.json and exam_memory.npz (see evals/README.md). Memory-bank questions
# the present exam_memory.npz already holds keep their vectors (training/reuse.py); `make train-fresh`
# embeds everything again (17-25 minutes on 2 cores, machines differ).
train: $(STAMP)
	nice -n 5 $(BIN)/python -m training.train

train-fresh: $(STAMP)
	nice -n 5 $(BIN)/python -m training.train --fresh

# The same, plus the cross-encoder the shipped scorer was measured against (nothing of it is shipped).
train-crossencoder: $(STAMP)
	nice -n 5 $(BIN)/python -m training.train --crossencoder

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	benchmarks/run

clean:
	rm -rf .tutor eval-out test-artifacts
