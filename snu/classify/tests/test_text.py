from snu.classify.text import Analyser, normalise, tokenise


def analyser(*vocabulary):
    return Analyser("nb", vocabulary)


def test_it_splits_compounds_against_known_words():
    parts = analyser("reiseliv", "sjømat").analyse_token("reiselivsbedrift")
    assert "reiseliv" in parts
    assert "bedrift" in parts
    assert "sjømat" in analyser("reiseliv", "sjømat").analyse_token("sjømatnæringen")


def test_it_splits_on_a_known_last_part():
    parts = analyser("næring").analyse_token("havbruksnæringen")
    assert "næring" in parts
    assert "havbruk" in parts


def test_it_does_not_split_inflection_endings():
    parts = Analyser("da", ["produkt", "proces"]).analyse_token("produkter")
    assert all(len(part) >= 4 for part in parts)


def test_it_folds_nynorsk_onto_bokmal():
    a = analyser()
    assert a.analyse("berekraftig") == a.analyse("bærekraftig")
    assert a.analyse("verksemder") == a.analyse("virksomheter")
    assert a.analyse("forsking") == a.analyse("forskning")
    assert a.analyse("utviklinga") == a.analyse("utviklingen")
    assert a.analyse("naturleg") == a.analyse("naturlig")


def test_it_folds_swedish_and_danish_letters():
    assert normalise("Miljö och Näring") == "miljø och næring"
    assert normalise("Aalborg") == "ålborg"
    assert tokenise("ny\u00adskaping") == ["nyskaping"]


def test_it_drops_stop_words_in_all_languages():
    a = analyser()
    assert a.analyse("og ikkje det är för af") == []
    assert a.analyse("Fiskeri og havbruk") == [a.stem("fiskeri"), a.stem("havbruk")]


def test_it_keeps_hyphenated_compounds_together():
    assert tokenise("E-handel og CO2-fangst") == ["e-handel", "og", "co2-fangst"]
    assert analyser().analyse_token("e-handel") == analyser().analyse_token("ehandel")
