# Two commands matter on a fresh machine: `make demo` and `make test`.
# Each installs what it needs: QGIS 3.40 from bookworm-backports, and a venv
# (with system site packages, so it sees qgis and osgeo) holding the test tools.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup demo test test-unit lint bench zip clean translations translations-update translations-check

$(VENV)/.ready: requirements-dev.txt .ci/install-system.sh
	bash .ci/install-system.sh
	/usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.ready

demo: setup
	bash scripts/demo.sh

test: setup translations
	$(PY) -m pytest -q tests

# the QGIS-free tests alone (engine, sandbox, command line pieces): fast
test-unit: setup
	$(PY) -m pytest -q tests/unit

lint: setup zip
	$(PY) -m ruff check mapillary_retriever sandbox tests bench scripts
	$(PY) -m mypy
	$(PY) -m bandit -q -r mapillary_retriever -c pyproject.toml
	$(PY) -m detect_secrets scan --all-files mapillary_retriever | $(PY) -c "import json, sys; \
	  r = json.load(sys.stdin)['results']; print(r or 'detect-secrets: clean'); sys.exit(1 if r else 0)"
	$(PY) scripts/check_plugin_zip.py $(ZIP)

bench: setup
	$(PY) -m pip install -q --disable-pip-version-check -r bench/requirements.txt
	$(PY) bench/run.py

# the plugin zip as plugins.qgis.org takes it: the committed package (HEAD; .gitattributes leaves tests and
# caches out), plus the compiled translations (.qm, built, not committed) if there are any
DIST ?= dist
ZIP := $(DIST)/mapillary_retriever.zip
zip: translations
	mkdir -p $(DIST) && rm -f $(ZIP)
	git archive --format zip -o $(ZIP) HEAD mapillary_retriever
	python3 -c "import glob, sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'a'); have = set(z.namelist()); \
	  [z.write(f) for f in sorted(glob.glob('mapillary_retriever/i18n/*.qm')) if f not in have]; z.close()" $(ZIP)

# translations: the .ts files in mapillary_retriever/i18n are committed; the .qm files are built from them
# (lrelease, Debian's qttools5-dev-tools). After changing texts in the code: make translations-update, translate
# the new strings (Qt Linguist or any editor), commit the .ts. scripts/i18n.py says more.
TS := $(wildcard mapillary_retriever/i18n/*.ts)
QM := $(TS:.ts=.qm)
translations: $(QM)

mapillary_retriever/i18n/%.qm: mapillary_retriever/i18n/%.ts
	python3 scripts/i18n.py build $<

translations-update:
	python3 scripts/i18n.py extract

translations-check:
	python3 scripts/i18n.py extract --check
	python3 scripts/i18n.py status

clean:
	rm -rf $(VENV) dist out mapillary_retriever/i18n/*.qm
