"""Translations: the plugin speaks German when QGIS does; the .ts files match the code, keep every
placeholder, and the extractor files each string under the context the code uses at run time."""

from __future__ import annotations

import importlib.util
import os
import subprocess  # nosec B404
import sys
import textwrap
from pathlib import Path

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QCheckBox, QGroupBox

from mapillary_retriever.api.errors import Cause
from mapillary_retriever.api.outcome import describe
from mapillary_retriever.api.records import Failure, Report, SearchResult
from mapillary_retriever.dialogs import common

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MLY|4242424242|5a1dbc0ffee0ddba11f00dfacade4242"


def _load_i18n():
    spec = importlib.util.spec_from_file_location("mapillary_i18n", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


i18n = _load_i18n()
LANGUAGES = i18n.languages()


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


@pytest.fixture
def german():
    """QGIS set to German in its options (Override system locale: de_DE), the plugin's translator loaded
    from that setting; English again afterwards."""
    settings = QgsSettings()
    before = {k: settings.value(k) for k in ("locale/overrideFlag", "locale/userLocale")}
    common.remove_translator()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "de_DE")
    qm = common.I18N / "mapillary_retriever_de.qm"
    assert qm.is_file(), f"{qm} is missing: run `make translations`"
    assert common.qgis_locale() == "de_DE"
    assert common.install_translator() is not None
    yield
    common.remove_translator()
    for key, value in before.items():
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)


@pytest.fixture
def german_dialog(german, web_iface, monkeypatch):
    from mapillary_retriever.dialogs.search_dialog import SearchDialog

    monkeypatch.setenv("MAPILLARY_ACCESS_TOKEN", TOKEN)
    d = SearchDialog(web_iface)
    d.show()
    yield d
    d.close()
    d.remove_preview()
    d.deleteLater()


def test_search_dialog_speaks_german(german_dialog):
    d = german_dialog
    assert d.windowTitle() == "Mapillary Retriever: Bilder und Sequenzen suchen"
    assert d.search_button.text() == "Suchen"
    titles = {box.title() for box in d.findChildren(QGroupBox)}
    assert {"Wo", "Welche Bilder", "Ausgabe"} <= titles, titles
    checks = {box.text() for box in d.findChildren(QCheckBox)}
    # the extra fields' labels come from the schema, translated in its context
    assert {"Benutzername", "Kameramodell", "Bildbreite", "Aufgenommen vom"} <= checks, checks
    # a validation message of the form (form.py, context MapillaryRetriever)
    d.area_combo.setCurrentIndex(d.area_combo.findData("box"))
    d.bbox_edit.setText("")
    assert "Geben Sie ein Rechteck ein" in d.problem, d.problem
    assert not d.search_button.isEnabled()
    d.area_combo.setCurrentIndex(d.area_combo.findData("users"))
    assert d.problem.startswith("Geben Sie einen oder mehrere Benutzernamen ein"), d.problem


def test_outcome_texts_are_german(german):
    empty = SearchResult([], [], Report(planned=4, fetched=4))
    told = describe(empty, translate)
    assert told.title == "Keine Mapillary-Bilder gefunden"
    assert told.text.startswith("Nichts passt zu dieser Suche.")
    cut = SearchResult([], [], Report(planned=4, fetched=3, failures=[
        Failure("tile", "14/1/2", "HTTP 500", Cause.SERVER)]))
    told = describe(cut, translate)
    assert told.title == "Mapillary-Suche unvollständig"
    assert "0 Bilder und 0 Sequenzen behalten, aber das Ergebnis ist unvollständig." in told.text, told.text
    assert "1 von 4 Kartenkacheln fehlen." in told.text, told.text


def test_processing_speaks_german(german):
    from mapillary_retriever.processing_provider.provider import MapillaryProvider
    from mapillary_retriever.processing_provider.search_algorithms import SearchImages

    alg = SearchImages()
    alg.initAlgorithm({})
    assert alg.displayName() == "Bilder suchen"
    assert alg.parameterDefinition(alg.RADIUS).description() == "Radius um den Punkt (Meter)"
    assert "Grenzen von Mapillary v4" in alg.shortHelpString()
    assert MapillaryProvider().longName() == "Mapillary-Straßenbilder"


def test_plugin_loads_the_translator_of_qgis_locale_and_removes_it(web_iface):
    from mapillary_retriever.plugin import MapillaryRetrieverPlugin

    settings = QgsSettings()
    common.remove_translator()
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "de_AT")  # no de_AT file: the German one
    try:
        plugin = MapillaryRetrieverPlugin(web_iface)
        assert translate("MapillaryRetriever", "Help") == "Hilfe"
        plugin.unload()
        assert translate("MapillaryRetriever", "Help") == "Help"
        settings.setValue("locale/userLocale", "pt_BR")  # no Portuguese: English, no translator
        plugin = MapillaryRetrieverPlugin(web_iface)
        assert translate("MapillaryRetriever", "Help") == "Help"
        plugin.unload()
    finally:
        common.remove_translator()
        settings.remove("locale/overrideFlag")
        settings.remove("locale/userLocale")


def test_there_is_a_german_translation():
    assert "de" in LANGUAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_translated_and_keeps_its_placeholders(lang):
    messages = i18n.read_ts(i18n.ts_path(lang))
    unfinished = [m.source for m in messages.values() if not m.finished or not m.translation.strip()]
    assert not unfinished, f"{len(unfinished)} untranslated, e.g. {unfinished[:3]}"
    assert not i18n.placeholder_mistakes(messages)


def test_placeholder_check_can_fail():
    bad = {("c", "{n} images"): i18n.Message("c", "{n} images", [], "{m} Bilder", True)}
    assert i18n.placeholder_mistakes(bad)
    twice = {("c", "{a} and {a}"): i18n.Message("c", "{a} and {a}", [], "{a}", True)}
    assert i18n.placeholder_mistakes(twice)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ts_files_are_up_to_date_with_the_code(lang):
    found = i18n.extract()
    assert not found.problems
    in_ts = set(i18n.read_ts(i18n.ts_path(lang)))
    new, gone = set(found.messages) - in_ts, in_ts - set(found.messages)
    assert not new and not gone, f"run `make translations-update`: new {sorted(new)[:5]}, obsolete {sorted(gone)[:5]}"
    assert i18n.main(["extract", "--check"]) == 0


def test_built_qm_holds_every_translation(german):
    """The .qm is built from the current .ts, and each string is found under the context the extractor gave it."""
    for (context, source), msg in i18n.read_ts(i18n.ts_path("de")).items():
        assert translate(context, source) == msg.translation, (context, source)


def test_extractor_finds_the_run_time_contexts(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "common.py").write_text(textwrap.dedent('''
        from qgis.PyQt.QtCore import QCoreApplication

        def tr(text):
            return QCoreApplication.translate("Ctx1", text)
    '''))
    (pkg / "sub" / "base.py").write_text(textwrap.dedent('''
        from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
        from ..common import tr as _tr

        LABELS = {"a": QT_TRANSLATE_NOOP("labels", "Label A")}

        def ptr(text):
            return QCoreApplication.translate("Ctx2", text)

        class Base:
            def tr(self, text):
                return ptr(text)

        def use():
            return _tr("From common") + QCoreApplication.translate("labels", LABELS["a"])
    '''))
    (pkg / "sub" / "alg.py").write_text(textwrap.dedent('''
        from .base import Base

        class Alg(Base):
            def name(self):
                return self.tr("Via the base class") + self.tr(f"{self} no")

        def describe(translate=None):
            def t(text):
                return translate("outcome", text) if translate else text
            return t("Nested helper") + t("Implicit " "concatenation")
    '''))
    found = i18n.Extractor(pkg).extract()
    assert set(found.messages) == {
        ("labels", "Label A"), ("Ctx1", "From common"), ("Ctx2", "Via the base class"),
        ("outcome", "Nested helper"), ("outcome", "Implicit concatenation")}
    assert any("f-string" in p for p in found.problems)
    assert found.messages[("Ctx1", "From common")].files == ["../sub/base.py"]


QGIS_PROCESS = "/usr/bin/qgis_process.bin"


@pytest.mark.skipif(not Path(QGIS_PROCESS).exists(), reason=f"{QGIS_PROCESS} is not installed")
def test_qgis_process_in_german(tmp_path):
    """qgis_process loads the plugin without a GUI: its help is German when the profile says so."""
    ini = tmp_path / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nmapillary_retriever=true\n\n[locale]\nuserLocale=de_DE\noverrideFlag=true\n")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path), QGIS_PLUGINPATH=str(ROOT),
               QT_QPA_PLATFORM="offscreen")
    env.pop("QGIS_OPTIONS_PATH", None)
    p = subprocess.run([QGIS_PROCESS, "help", "mapillary:searchimages"], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Bilder suchen (mapillary:searchimages)" in p.stdout
    assert "RADIUS: Radius um den Punkt (Meter)" in p.stdout
    assert "Grenzen von Mapillary v4" in p.stdout
