from decimal import Decimal

from sklearn.base import clone

from snu.classify.evaluation import evaluate, format_report
from snu.classify.model import StrategyAligner

ELEMENTS = [
    {
        "kind": "focus_area",
        "code": "HAV",
        "name": {"nb": "Havnæringer"},
        "description": {"nb": "Verdiskaping fra havet langs hele kysten."},
        "keywords": {"nb": ["sjømat", "havbruk", "fiskeri"]},
        "industry_codes": ["03", "10.2"],
    },
    {
        "kind": "focus_area",
        "code": "OPP",
        "name": {"nb": "Reiseliv og opplevelser"},
        "description": {"nb": "Helårs reiseliv med kultur og natur som grunnlag."},
        "keywords": {"nb": ["reiseliv", "turisme", "opplevelse"]},
        "industry_codes": ["55", "79"],
    },
    {
        "kind": "focus_area",
        "code": "ENE",
        "name": {"nb": "Fornybar energi"},
        "description": {"nb": "Ny fornybar kraft og lavere utslipp."},
        "keywords": {"nb": ["fornybar", "energi", "hydrogen"]},
        "industry_codes": ["35"],
    },
    {
        "kind": "focus_area",
        "code": "MAT",
        "name": {"nb": "Mat og landbruk"},
        "description": {"nb": "Lokalmat og landbruk."},
        "keywords": {"nb": ["lokalmat", "landbruk"]},
        "industry_codes": ["10"],
    },
    {
        "kind": "driver",
        "code": "KOMP",
        "name": {"nb": "Kompetanse"},
        "description": {"nb": "Kompetanseheving for ansatte."},
        "keywords": {"nb": ["kompetanse", "opplæring", "kurs"]},
        "industry_codes": [],
    },
]

# Words the strategy never mentions, so only labels can teach them.
UNSEEN = {
    "HAV": ["torsk", "kveite", "sei", "reke", "krabbe", "blåskjell"],
    "OPP": ["hytteutleie", "camping", "rorbu", "skitrekk", "guiding", "festival"],
    "ENE": ["solcelle", "batteri", "vindmølle", "varmepumpe", "biogass", "ladestasjon"],
}


def zero_shot():
    return StrategyAligner(ELEMENTS).fit()


def labelled(n, offset=0):
    X, y = [], []
    for i in range(n):
        code = list(UNSEEN)[i % 3]
        words = UNSEEN[code]
        word, other = words[(i + offset) % 6], words[(i * 5 + offset + 1) % 6]
        X.append({"title": f"Satsing på {word}", "description": f"Prosjekt med {other} i regionen."})
        y.append({code})
    return X, y


def test_it_aligns_on_keywords_without_labels():
    [decision] = zero_shot().predict([{"title": "Ny reiselivsbedrift i Lofoten", "description": ""}])
    assert decision["primary"] == "OPP"
    assert decision["origin"] == "rule"
    assert "OPP" in decision["assigned"]["focus_area"]


def test_it_matches_compound_words_to_keywords():
    [decision] = zero_shot().predict([{"title": "Styrking av sjømatnæringen på kysten"}])
    assert decision["primary"] == "HAV"


def test_it_reads_nynorsk():
    [decision] = zero_shot().predict([{"title": "Kompetanseheving for tilsette i berekraftig energiverksemd"}])
    assert decision["primary"] == "ENE"
    assert "KOMP" in decision["assigned"]["driver"]


def test_it_says_outside_the_strategy_when_nothing_matches():
    [decision] = zero_shot().predict([{"title": "Innkjøp av kontorrekvisita", "org_form": "AS"}])
    assert decision["primary"] is None
    assert decision["weights"] == {}


def test_it_applies_the_longest_industry_code_prefix():
    model = zero_shot()
    [decision] = model.predict([{"title": "Driftstilskudd", "industry_code": "10.201"}])
    assert decision["primary"] == "HAV"
    rules = model.explain({"title": "Driftstilskudd", "industry_code": "10.201"})["evidence"]["HAV"]["rules"]
    assert rules == ["industry code 10.201 → HAV (prefix 10.2)"]


def test_it_keeps_scores_in_range_and_weights_summing_to_one():
    X = [{"title": t} for t in ["Sjømat og reiseliv", "Hydrogen til havbruk og turisme", "Lokalmat", "Kurs"]]
    for decision in zero_shot().predict(X):
        assert all(0.0 <= score <= 1.0 for score in decision["scores"].values())
        if decision["primary"]:
            assert sum(Decimal(str(w)) for w in decision["weights"].values()) == Decimal(1)
            assert set(decision["weights"]) == set(decision["assigned"]["focus_area"])


def test_it_improves_when_fitted_on_labels():
    X_train, y_train = labelled(90)
    X_test, y_test = labelled(30, offset=3)
    truth = [next(iter(labels)) for labels in y_test]
    before = [d["primary"] for d in zero_shot().predict(X_test)]
    model = StrategyAligner(ELEMENTS, prior_strength=5.0).fit(X_train, y_train)
    after = model.predict(X_test)
    accuracy = sum(d["primary"] == t for d, t in zip(after, truth, strict=True)) / len(truth)
    assert accuracy > sum(p == t for p, t in zip(before, truth, strict=True)) / len(truth)
    assert accuracy >= 0.8
    assert after[0]["origin"] == "model"


def test_it_round_trips_through_bytes():
    X_train, y_train = labelled(30)
    model = StrategyAligner(ELEMENTS).fit(X_train, y_train)
    copy = StrategyAligner.from_bytes(model.to_bytes())
    X = [{"title": "Reiselivsbedrift med torsk og hydrogen"}]
    assert copy.predict(X) == model.predict(X)
    assert copy.similar(X[0], 2) == model.similar(X[0], 2)


def test_it_explains_with_matched_terms_and_fields():
    explanation = zero_shot().explain({"title": "Ny reiselivsbedrift", "description": "Sjømat til turistene"})
    terms = explanation["evidence"]["OPP"]["terms"]
    assert {"term": "reiseliv", "token": "reiselivsbedrift", "field": "title"} in terms
    assert any(t["field"] == "description" for t in explanation["evidence"]["HAV"]["terms"])
    assert "MAT" not in explanation["evidence"]


def test_it_finds_similar_labelled_allocations():
    X_train, y_train = labelled(30)
    model = StrategyAligner(ELEMENTS).fit(X_train, y_train)
    [(index, similarity), *_] = model.similar(X_train[7], k=3)
    assert X_train[index] == X_train[7]
    assert similarity > 0.99


def test_it_follows_estimator_conventions():
    model = StrategyAligner(ELEMENTS, threshold=0.6)
    assert clone(model).get_params()["threshold"] == 0.6
    assert not [name for name in vars(model) if name.endswith("_")]
    assert model.fit() is model
    assert model.codes_ == ["HAV", "OPP", "ENE", "MAT", "KOMP"]


def test_it_evaluates_against_baselines():
    X, y = labelled(60)
    rows = [{**x, "labels": labels} for x, labels in zip(X, y, strict=True)]
    result = evaluate(rows, ELEMENTS, folds=3, prior_strength=5.0)
    assert result["kfold"]["macro_f1"]["focus_area"] > result["majority"]["macro_f1"]["focus_area"]
    assert "TF-IDF + LogisticRegression" in format_report(result)
