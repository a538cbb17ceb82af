"""Help ▸ About carries the attributions the shipped data's licences ask for."""
from gui.about import about_text, atlas_attributions


def test_about_names_every_shipped_data_source_with_its_licence():
    sources = atlas_attributions()
    assert len(sources) == 2
    assert any("datta07" in line and "MIT" in line for line in sources)
    assert any("datameet/railways" in line and "CC0" in line for line in sources)
    text = about_text()
    assert "Survey of India Open Series Map 1:50,000 index" in text and "CC BY 4.0" in text
    assert all(line in text for line in sources)
    assert "Leaflet" in text and "Open Font License" in text and "illustrative" in text


def test_about_is_in_the_help_menu(qtbot, settings_dir):
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    menus = {action.text(): action.menu() for action in window.menuBar().actions()}
    assert [a.text() for a in menus["&Help"].actions()] == ["&About Khanij…"]
