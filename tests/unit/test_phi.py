"""Tests for the patient-privacy (PHI) check in ``server.domain.phi``.

Three layers: exact per-rule cases (spans are part of the API), the labelled corpus in
``tests/fixtures/phi_corpus`` (recall and false-positive rate, the figures quoted in
``docs/phi-check.md``), and robustness (never raises, valid spans, linear-time patterns).
"""

from __future__ import annotations

import importlib.util
import json
import re
import re._constants as const  # type: ignore[import-not-found]  # private, to inspect patterns
import re._parser as parser  # type: ignore[import-not-found]
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain import phi
from server.domain.phi import MESSAGES, Finding, check_phi

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "phi_corpus"
RSNA16 = [date(2016, 11, 27) + timedelta(days=i) for i in range(6)]


def spans(text: str, **kwargs: Any) -> list[tuple[str, str]]:
    return [(f.rule, text[f.start : f.end]) for f in check_phi(text, **kwargs)]


# ------------------------------------------------------------------------------------------
# Per-rule cases: (text, expected [(rule, exact span text)])
# ------------------------------------------------------------------------------------------
POSITIVE_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # mrn
    ("Pt MRN 12345678 presented with SBO", [("mrn", "12345678")]),
    ("MR# A1234567 on the slide", [("mrn", "A1234567")]),
    ("medical record number: 00482913", [("mrn", "00482913")]),
    ("Patient ID: M0098223 in the header", [("mrn", "M0098223")]),
    ("NHS number 943 476 5919 visible", [("mrn", "943 476 5919")]),
    ("pt 7720194 back in the ED", [("mrn", "7720194")]),
    ("the patient's chart 20339871 shows 14 CTs", [("mrn", "20339871")]),
    ("MRN 123-45-6789", [("mrn", "123-45-6789")]),  # labelled MRN beats the SSN shape
    # accession
    ("acc# RAD1234567 shows the finding", [("accession", "RAD1234567")]),
    ("Accession: E2024060512 rectal MRI", [("accession", "E2024060512")]),
    ("acc CT20161103118 from St. Mary's", [("accession", "CT20161103118")]),
    # dicom uid
    ("UID 1.2.840.113619.2.55.3.604688119.971 in metadata",
     [("dicom_uid", "1.2.840.113619.2.55.3.604688119.971")]),
    # plan / account
    ("member ID XGH884102177 on the form", [("health_plan_id", "XGH884102177")]),
    ("Medicare number 1EG4-TE5-MK73", [("health_plan_id", "1EG4-TE5-MK73")]),
    ("account number 8871029344", [("account_number", "8871029344")]),
    ("FIN 448812903 on the screenshot", [("account_number", "448812903")]),
    # dates
    ("CT on 3/4/2016 showed pt had PE", [("patient_date", "3/4/2016")]),
    ("DOB 01/02/1931", [("patient_date", "01/02/1931")]),
    ("D.O.B. 1950-03-14 in the HL7 sample", [("patient_date", "1950-03-14")]),
    ("admitted on March 3, 2016 with SAH", [("patient_date", "March 3, 2016")]),
    ("Pt admitted 14 February 2024", [("patient_date", "14 February 2024")]),
    ("seen in ED on 11/12 with flank pain", [("patient_date", "11/12")]),
    ("Died Jan 19, 2024, two weeks after the scan", [("patient_date", "Jan 19, 2024")]),
    # ages
    ("92-year-old woman with hip pain", [("age_over_89", "92-year-old")]),
    ("our 101 yo with a hip fx", [("age_over_89", "101 yo")]),
    ("Grandma 102yo smiling", [("age_over_89", "102yo")]),
    ("lovely lady, 103 years old", [("age_over_89", "103 years old")]),
    ("Aged 97 and still sharp", [("age_over_89", "Aged 97")]),
    ("The case: 92F with dyspnoea", [("age_over_89", "92F")]),
    ("91 years of age, TACE done", [("age_over_89", "91 years of age")]),
    # names
    ("Mr. Johnson had a great outcome", [("patient_name", "Mr. Johnson")]),
    ("Mrs. O'Brien consented", [("patient_name", "Mrs. O'Brien")]),
    ("patient John Smith was scanned", [("patient_name", "John Smith")]),
    ("pt name: Hiroshi Tanabe, appendicitis", [("patient_name", "Hiroshi Tanabe")]),
    ("Pt: Garcia, Maria, LLQ pain", [("patient_name", "Garcia, Maria")]),
    ("🔥🔥 Mr. Müller's CT", [("patient_name", "Mr. Müller's")]),
    # direct identifiers
    ("Call me at 312-555-0199", [("phone", "312-555-0199")]),
    ("family at (216) 555-0199 please", [("phone", "(216) 555-0199")]),
    ("cell 312 555 0147 for the file", [("phone", "312 555 0147")]),
    ("referral letter +44 20 7946 0958", [("phone", "+44 20 7946 0958")]),
    ("email jane.doe@hospital.org", [("email", "jane.doe@hospital.org")]),
    ("Pt lives at 123 Main Street", [("street_address", "123 Main Street")]),
    ("SSN 123-45-6789", [("ssn", "123-45-6789")]),
    ("SSN: 512803344 in RIS", [("ssn", "512803344")]),
    ("pt lives in 60616", [("zip_with_residence", "60616")]),
    ("from Boise, ID 83702, 40 pack-years", [("zip_with_residence", "83702")]),
    ("zip code 90210", [("zip_with_residence", "90210")]),
    ("server 10.0.0.12 leaked", [("ip_address", "10.0.0.12")]),
    ("pacemaker serial number PJN123456", [("device_serial", "PJN123456")]),
    ("Neurostim S/N NMA221987 in notes", [("device_serial", "NMA221987")]),
    ("license plate 7KLM442 in the history", [("license_plate", "7KLM442")]),
    ("pt in room 412, bed 2", [("room_bed", "room 412, bed 2")]),
    ("ICU bed 7: PICC in azygos", [("room_bed", "bed 7")]),
    ("trauma bay 3: splenic lac", [("room_bed", "bay 3")]),
    # several in one post, sorted by start
    ("Mr. Abernathy, age 94, admitted Oct 30 with SBO",
     [("patient_name", "Mr. Abernathy"), ("age_over_89", "age 94"),
      ("patient_date", "Oct 30")]),
]  # fmt: skip

NEGATIVE_CASES: list[str] = [
    "PMID 28123456 and PMID: 27845678 are the refs",
    "Trial NCT01234567 and ISRCTN12345678 both enrolling",
    "doi:10.1148/radiol.2016160123 and https://doi.org/10.2214/AJR.23.29876",
    "Sessions MSRO21, SSA01-02 and RC215 in Room S406A",
    "Back in 2016 and again in 2019",
    "Dose 1.2 mSv, CTDIvol 7.4 mGy, 0.1 mg/kg, 370 MBq",
    "p<0.001, P = .03, 95% CI 0.81-0.93",
    "0.625 mm slices at 3T with 120 kVp and 250 mAs",
    "n=1,234; 87% sensitivity; 12.5% recall",
    "patients aged 40-75, mean age 62, median age 58 (IQR 49-67)",
    "a 54-year-old man with appendicitis",
    "patients aged 90 years or older were excluded",
    "Patients aged ≥90 years were excluded",
    "aged 65 to 95 years old in the cohort",
    "Sens/spec/PPV 312 455 1290",
    "https://pubs.rsna.org/doi/10.1148/radiol.2016151234",
    "Great talk by Mr. Patel on dose",
    "Dr. Smith on PE: CTA first",
    "@RSNA @rads.bsky.social @neurorad@med-mastodon.com #RSNA16 #Case1234",
    "The 100-year-old journal Radiology",
    "between 1/1/2015 and 12/31/2018 we scanned 4,211 patients",
    "FDA cleared the CT AI tool on 3/14/2024",
    "Version 3.0.1.2 of the toolkit",
    "Tweetup at 2301 S Lake Shore Dr, the convention center",
    "Questions? meetings@rsna.org",
    "Patient Safety Award goes to the ED team",
    "Room 201 for the MSK session at 10:30",
    "CPT 71250, ICD-10 C34.90, LI-RADS 5, BI-RADS 4A",
    "ORCID 0000-0002-1825-0097, EudraCT 2016-001234-56, arXiv:2401.12345",
    "Serial CT at 6 and 12 weeks",
    "",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE_CASES)
def test_rule_exact_spans(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize("text", NEGATIVE_CASES)
def test_ordinary_conference_text_is_quiet(text: str) -> None:
    assert check_phi(text) == []


def test_offsets_are_code_points() -> None:
    text = "🔥🔥 Mr. Okafor"
    (finding,) = check_phi(text)
    assert (finding.start, finding.end) == (3, 13)


def test_finding_shape() -> None:
    (finding,) = check_phi("MRN 12345678")
    assert finding == Finding(rule="mrn", start=4, end=12, message=MESSAGES["mrn"])
    assert finding.severity == "warning"
    with pytest.raises(AttributeError):
        finding.rule = "x"  # type: ignore[misc]
    assert "medical record number" in finding.message


def test_every_rule_has_a_message() -> None:
    assert set(MESSAGES) == set(phi._PRIORITY)
    assert all(msg.endswith(".") and len(msg) > 20 for msg in MESSAGES.values())


def test_allow_names_silences_speakers_only() -> None:
    text = "Mr. Okafor explained the protocol; Mrs. Lindqvist was the case"
    assert spans(text) == [("patient_name", "Mr. Okafor"), ("patient_name", "Mrs. Lindqvist")]
    assert spans(text, allow_names=["Chidi Okafor"]) == [("patient_name", "Mrs. Lindqvist")]
    # A first name shared with a speaker does not hide a patient.
    assert spans("patient Chidi Brown", allow_names=["Chidi Okafor"]) == [
        ("patient_name", "Chidi Brown")
    ]


def test_conference_dates_are_allowed() -> None:
    text = "Pt scanned 11/28/2016, rescanned 11/3/2016"
    assert spans(text) == [("patient_date", "11/28/2016"), ("patient_date", "11/3/2016")]
    assert spans(text, conference_dates=RSNA16) == [("patient_date", "11/3/2016")]
    assert spans("pt seen Nov 29 in clinic", conference_dates=RSNA16) == []


def test_findings_sorted_and_non_overlapping() -> None:
    text = "pt Mr. Abernathy MRN 4471203 DOB 4/12/1931 92-year-old 312-555-0147 bed 4"
    findings = check_phi(text)
    assert [f.rule for f in findings] == [
        "patient_name", "mrn", "patient_date", "age_over_89", "phone", "room_bed"
    ]
    assert all(a.end <= b.start for a, b in pairwise(findings))


# ------------------------------------------------------------------------------------------
# Corpus: recall and false-positive rate
# ------------------------------------------------------------------------------------------
def _load(name: str) -> list[dict[str, Any]]:
    with (CORPUS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _check(record: dict[str, Any]) -> list[Finding]:
    return check_phi(
        record["text"],
        allow_names=record["allow_names"],
        conference_dates=[date.fromisoformat(d) for d in record["conference_dates"]],
    )


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("phi_corpus_generate", CORPUS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_corpus_files_are_current_and_well_formed() -> None:
    positive, negative = _load("positive.jsonl"), _load("negative.jsonl")
    assert len(positive) >= 300
    assert len(negative) >= 1000
    assert sum(r["source"] == "handwritten" for r in positive) >= 80
    assert sum(r["source"] == "handwritten" for r in negative) >= 80
    for rec in positive:
        assert rec["expected"]
        for exp in rec["expected"]:
            assert rec["text"][exp["start"] : exp["end"]] == exp["text"]
            assert exp["rule"] in MESSAGES
    assert all(not rec["expected"] for rec in negative)
    # Every rule is exercised by the positive corpus.
    assert {e["rule"] for r in positive for e in r["expected"]} == set(MESSAGES)
    # The committed files are exactly what the generator makes.
    regenerated_pos, regenerated_neg = _generator().render()
    assert regenerated_pos == positive
    assert regenerated_neg == negative


def test_corpus_recall_and_false_positive_rate(record_property: Any) -> None:
    positive, negative = _load("positive.jsonl"), _load("negative.jsonl")
    expected = found = 0
    missed: list[str] = []
    for rec in positive:
        findings = _check(rec)
        for exp in rec["expected"]:
            expected += 1
            if any(
                f.rule == exp["rule"] and f.start < exp["end"] and exp["start"] < f.end
                for f in findings
            ):
                found += 1
            else:
                missed.append(f"{rec['id']}: {exp['rule']} {exp['text']!r}")
    flagged = [rec["id"] for rec in negative if _check(rec)]
    recall = found / expected
    fp_rate = len(flagged) / len(negative)
    summary = (
        f"PHI corpus: recall {found}/{expected} = {recall:.4f}; "
        f"false positives {len(flagged)}/{len(negative)} posts = {fp_rate:.4f}"
    )
    print(summary, "\nmissed:", missed, "\nfalse positives:", flagged)
    record_property("phi_recall", round(recall, 4))
    record_property("phi_fp_rate", round(fp_rate, 4))
    assert recall >= 0.95, summary
    assert fp_rate <= 0.02, summary


# ------------------------------------------------------------------------------------------
# Robustness
# ------------------------------------------------------------------------------------------
TRICKY = st.sampled_from(
    ["Mr ", "Mrs. ", "MRN ", "pt ", "patient ", "DOB ", "acc# ", "room ", "bed ", "@", "#",
     "-", "/", ".", ":", " ", "1", "9", "0", "92", "-year-old", "yo", " St", "Jan ", "3/4/",
     "2016", "lives in ", "SSN ", "+44 ", "(", ")", "é", "🔥", "\u200d", "\n", "Smith",
     "serial # ", "license plate ", "1.2.840.", "10.", "@x.org"]
)  # fmt: skip


def _assert_valid(text: str, findings: list[Finding]) -> None:
    previous_end = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= previous_end
        assert f.rule in MESSAGES and f.message == MESSAGES[f.rule]
        assert f.severity == "warning"
        previous_end = f.end


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _assert_valid(text, check_phi(text))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(TRICKY, max_size=60).map("".join),
    st.lists(st.text(max_size=20), max_size=3),
    st.lists(st.dates(), max_size=3),
)
def test_never_raises_on_phi_like_text(
    text: str, allow_names: list[str], conference_dates: list[date]
) -> None:
    findings = check_phi(text, allow_names=allow_names, conference_dates=conference_dates)
    _assert_valid(text, findings)


ADVERSARIAL: list[tuple[str, str]] = [
    ("digits", "1" * 50_000),
    ("digit-space", "1 " * 25_000),
    ("spaces", " " * 50_000),
    ("mr", "Mr " * 16_667),
    ("mr-dot", "Mr. A" * 10_000),
    ("mrn-spaces", "MRN" + " " * 49_990 + "x"),
    ("mrn-repeat", "MRN 12345 " * 5_000),
    ("email-local", "a" * 50_000),
    ("email-dots", "a." * 25_000 + "@"),
    ("at-signs", "a@b." * 12_500),
    ("dates", "1/1/2016 " * 5_556),
    ("slashes", "1/" * 25_000),
    ("dots", "1." * 25_000),
    ("dashes", "1-" * 25_000),
    ("patient-caps", "patient Aa " * 4_545),
    ("age", "92 y " * 10_000),
    ("street", "1 Aa " * 10_000),
    ("room", "room 1 bed " * 4_545),
    ("hashtags", "#" * 50_000),
    ("mixed", "pt MRN 92-year-old Mr Smith 3/4/2016 10.0.0.1 " * 1_087),
]


@pytest.mark.parametrize(("name", "text"), ADVERSARIAL, ids=[n for n, _ in ADVERSARIAL])
def test_adversarial_inputs_complete(name: str, text: str, record_property: Any) -> None:
    started = time.perf_counter()
    findings = check_phi(text)
    elapsed = time.perf_counter() - started
    _assert_valid(text, findings)
    record_property("seconds", round(elapsed, 4))
    print(f"adversarial {name}: {len(text)} chars, {len(findings)} findings, {elapsed:.3f} s")


def _pattern_nodes(parsed: Any, depth: int = 0) -> Iterator[tuple[int, int, int]]:
    """Yield (max repeat, nesting depth of repeats with max > 1, ...) for a parsed pattern."""
    for op, arg in parsed:
        if op in (const.MAX_REPEAT, const.MIN_REPEAT):
            low, high, sub = arg
            yield low, high, depth
            yield from _pattern_nodes(sub, depth + (1 if high > 1 else 0))
        elif op is const.SUBPATTERN:
            yield from _pattern_nodes(arg[3], depth)
        elif op is const.BRANCH:
            for branch in arg[1]:
                yield from _pattern_nodes(branch, depth)
        elif op in (const.ASSERT, const.ASSERT_NOT):
            yield from _pattern_nodes(arg[1], depth)
        elif isinstance(arg, parser.SubPattern):
            yield from _pattern_nodes(arg, depth)


def _module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for name, value in vars(phi).items():
        if isinstance(value, re.Pattern):
            yield name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, re.Pattern):
                    yield f"{name}[{key}]", item


def test_patterns_are_linear() -> None:
    """No unbounded quantifier, and no repeat (max > 1) inside another such repeat."""
    checked = 0
    for name, pattern in _module_patterns():
        parsed = parser.parse(pattern.pattern, pattern.flags)
        for _low, high, depth in _pattern_nodes(parsed):
            assert high != const.MAXREPEAT, f"{name}: unbounded quantifier"
            assert not (depth >= 1 and high > 1), f"{name}: nested quantifier"
        checked += 1
    assert checked >= 40
