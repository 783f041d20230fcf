# survey_app: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app survey_app
BANK   := survey_app/questionnaires/banks/de-an-06
MO     := survey_app/translations/vi/LC_MESSAGES/messages.mo
DEMO_TOTP := DEMOQUANTRIKHAOSATDEANSAUTINHXYZ# the demo admin's key, from survey_app/services/demo_security.py

.PHONY: run serve test lint typecheck pytest db demo translations messages bench clean

run: $(VENV)/.installed $(MO) db ## install, migrate, load the bank and demo data, serve
	@echo ""
	@echo "  survey_app is running at http://$(HOST):$(PORT)/"
	@echo "  Log in with a demo account (password Khao-sat-P06-2024): admin, catinh-coordinator,"
	@echo "  stttt-reviewer, stp-head, stp-editor, ubndhdl-head (see README.md)."
	@echo "  admin also types a code: add the key $(DEMO_TOTP) to an authenticator app"
	@echo "  (Google Authenticator, FreeOTP, ...) as a time-based key."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed $(MO) db ## the same demo under gunicorn, as in production (docs/deployment.md)
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT) 'survey_app:create_app()'

test: $(VENV)/.installed $(MO) lint pytest ## lint, type-check and run every test

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("survey_app needs Python 3.11 or newer (PYTHON=$(PYTHON) is %d.%d)" % sys.version_info[:2]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Catalogs are compiled by the build from the committed .po files, never by hand.
$(MO): survey_app/translations/vi/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d survey_app/translations -f

translations: $(MO)

messages: $(VENV)/.installed ## re-extract source strings and merge them into the catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -o survey_app/translations/messages.pot survey_app
	$(BIN)/pybabel update -i survey_app/translations/messages.pot -d survey_app/translations -w 100

db: $(VENV)/.installed ## migrate the database, load the shipped bank, seed the demo province
	$(FLASK) db upgrade
	$(FLASK) bank load $(BANK)
	$(FLASK) demo seed

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy --strict survey_app
	$(BIN)/lint-imports

# Both cores: each xdist worker has its own SQLite files and PostgreSQL database (tests/conftest.py).
PYTEST_ARGS ?= -n auto --dist loadfile

pytest: $(VENV)/.installed $(MO)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed ## benchmarks; figures go in docs/benchmarks.md
	$(BIN)/python benchmarks/scoring.py
	$(BIN)/python benchmarks/demo_seed.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache .hypothesis $(MO)
