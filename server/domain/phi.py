"""Patient-privacy (PHI) check for drafts: warn before a post leaks a patient identifier.

Why this exists: people live-posting from a medical meeting write about cases. A study of
healthcare professionals' tweets found about 2% explicitly broke HIPAA, usually by accident: an
exact age of 92, the date of the scan, a medical record number copied from a slide. HIPAA's
Safe Harbor list (45 CFR 164.514(b)(2)) names the identifiers; this module looks for the ones
that can be recognised in plain text and tells the author *before* posting.

Design decisions:

* **Deterministic and local.** Regular expressions plus keyword proximity, no model download,
  so the browser hint, the server check and the tests agree and the result is explainable.
* **Context, not shape.** A seven-digit number is a PMID far more often than an MRN at a
  radiology meeting, and a date is usually the meeting's own. Most rules therefore fire only
  with patient context ("MRN", "pt", "admitted", "DOB", "year-old"), and text that has a
  well-known non-patient meaning (URLs, DOIs, PMIDs, trial ids, hashtags, handles) is
  shielded before any rule runs. The corpus in ``tests/fixtures/phi_corpus`` measures the
  trade-off (recall >= 95%, false positives <= 2%).
* **Warnings, never edits.** Every finding has severity ``"warning"``: the author confirms or
  fixes; the text is never altered here. This is not a de-identification guarantee, and
  images (burned-in DICOM text, faces) are out of scope.
* **Linear time.** Posts come from the network, so every pattern is built to run in linear
  time on Python's backtracking engine: no nested unbounded quantifiers, whitespace gaps are
  bounded (``\\s{0,2}``), and patterns that start with a character run are anchored by a
  look-behind so a match attempt cannot start inside a run. ``tests/unit/test_phi.py`` checks
  the structure of every pattern and times adversarial 50k-character inputs.

Offsets are Python ``str`` indices, i.e. Unicode code points, end exclusive, which is what the
``/compose/check`` API promises.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Final, Literal

__all__ = ["MESSAGES", "PATTERNS", "Finding", "check_phi"]

Severity = Literal["warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One suspected identifier: ``text[start:end]`` matched ``rule``.

    ``rule`` is a stable id (API clients and moderators key on it); ``message`` is for people.
    """

    rule: str
    start: int
    end: int
    message: str
    severity: Severity = "warning"


#: What the author is told, per rule id. The ids are part of the API contract.
MESSAGES: Final[dict[str, str]] = {
    "mrn": "Looks like a medical record number. Patient identifiers must not be posted.",
    "accession": "Looks like an accession number, which points to one patient's exam. "
    "Remove it before posting.",
    "dicom_uid": "Looks like a DICOM UID, which points to one patient's study. "
    "Remove it before posting.",
    "health_plan_id": "Looks like a health-plan, insurance or beneficiary number. "
    "Patient identifiers must not be posted.",
    "account_number": "Looks like a patient account, billing or claim number. "
    "Patient identifiers must not be posted.",
    "patient_date": "Looks like a date tied to a patient (birth, admission, exam, death). "
    "Only the year may be shared; leave the day and month out.",
    "age_over_89": "Ages over 89 can identify a patient. Write \"90 or older\" instead.",
    "patient_name": "Looks like a patient's name. Names must not be posted.",
    "phone": "Looks like a phone or fax number.",
    "email": "Looks like an e-mail address.",
    "street_address": "Looks like a street address, which can identify a patient.",
    "ssn": "Looks like a Social Security number.",
    "zip_with_residence": "A ZIP code next to where someone lives can identify a patient. "
    "Leave it out.",
    "ip_address": "Looks like an IP address.",
    "device_serial": "Looks like a device or implant serial number, which can identify "
    "a patient.",
    "license_plate": "Looks like a vehicle licence plate.",
    "room_bed": "Looks like a hospital room or bed number; with other details it can "
    "identify a patient.",
}

# Higher wins when two candidates overlap: a labelled identifier beats a shape guess.
_PRIORITY: Final[dict[str, int]] = {
    "mrn": 90,
    "accession": 90,
    "health_plan_id": 90,
    "account_number": 90,
    "dicom_uid": 88,
    "ssn": 85,
    "email": 80,
    "device_serial": 75,
    "license_plate": 75,
    "ip_address": 70,
    "patient_date": 65,
    "age_over_89": 65,
    "patient_name": 60,
    "street_address": 60,
    "phone": 55,
    "zip_with_residence": 50,
    "room_bed": 40,
}
_BARE_MRN_PRIORITY: Final = 30  # an unlabelled 7-10 digit number is the weakest guess


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# --------------------------------------------------------------------------------------------
# Shields: text with a known non-patient meaning. A candidate overlapping one is dropped.
# --------------------------------------------------------------------------------------------
_SHIELDS: Final[dict[str, re.Pattern[str]]] = {
    "url": _c(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]{1,2000}", re.I),
    "doi": _c(r"(?<![\w.])(?:doi:\s{0,2})?10\.\d{4,9}/[^\s<>\"]{1,300}", re.I),
    "pmid": _c(r"\b(?:PMID|PMCID|PubMed(?:\s{1,2}ID)?)\s{0,2}[:#]?\s{0,2}(?:PMC)?\d{5,9}\b", re.I),
    "pmc": _c(r"\bPMC\d{5,9}\b"),
    "nct": _c(r"\bNCT\s{0,1}\d{8}\b", re.I),
    "isrctn": _c(r"\bISRCTN\s{0,1}\d{8}\b", re.I),
    "eudract": _c(r"\b(?:EudraCT|CTIS)\s{0,2}(?:number|no\.?)?\s{0,2}[:#]?\s{0,2}\d{4}-\d{6}-\d{2}"
                  r"(?:-\d{2})?\b", re.I),
    "orcid": _c(r"\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b"),
    "arxiv": _c(r"\barXiv:\s{0,2}\d{4}\.\d{4,5}(?:v\d{1,3})?\b", re.I),
    "isbn": _c(r"\bISBN(?:-1[03])?:?\s{0,2}[\d-]{10,17}[\dX]?", re.I),
    "issn": _c(r"\bISSN:?\s{0,2}\d{4}-\d{3}[\dX]\b", re.I),
    # A hashtag needs a letter (#1234567 after "MRN" is not a tag); checked in code.
    "hashtag": _c(r"(?<![\w&#])[#\uff03]\w{1,139}"),
    # X/Bluesky/Mastodon handles incl. "@me.bsky.social" and "@me@instance.social".
    "handle": _c(r"(?<![\w@.])@[A-Za-z0-9_.-]{1,253}(?:@[A-Za-z0-9_.-]{1,253})?"),
}

# --------------------------------------------------------------------------------------------
# Rule patterns. Every bounded; every run-start anchored with a look-behind.
# --------------------------------------------------------------------------------------------
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTHS: Final[dict[str, int]] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_AGE = r"(?<![\w.,$€£+>≥<≤~/±-])(?:9\d|1[01]\d)(?![\d.,]\d)"
_NAME_TOKEN = r"[^\W\d_][\w'\u2019-]{1,30}"
_ID_VALUE = r"([A-Z0-9][A-Z0-9-]{3,19})(?![\w-])"
_GAP = r"\s{0,2}[:#=]?\s{0,2}"

PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    # -- identifiers with a label -----------------------------------------------------------
    "mrn_label": _c(
        r"\b(?i:MRN|MR\s{0,2}\#|MR\s{1,2}(?:no\.?|number)|med(?:ical)?\.?\s{0,2}rec(?:ord)?\.?"
        r"\s{0,2}(?:no\.?|number|num|\#)|medical\s{1,2}record|patient\s{1,2}(?:id|number|no\.?|\#)"
        r"|pt\.?\s{0,2}(?:id|\#|no\.?)|hospital\s{1,2}(?:number|no\.?|\#|id)|hosp\.?\s{0,2}"
        r"(?:no\.?|\#)|UR\s{0,2}(?:number|no\.?|\#)|URN|NHS\s{0,2}(?:number|no\.?|\#)?"
        r"|CHI\s{0,2}(?:number|no\.?|\#)|chart\s{0,2}(?:number|no\.?|\#))"
        r"\s{0,2}(?:is\s{1,2}|was\s{1,2})?[:#=]?\s{0,2}"
        r"(\d{3}\s\d{3}\s\d{4}(?!\d)|[A-Z0-9][A-Z0-9-]{3,19}(?![\w-]))"
    ),
    "mrn_bare": _c(r"(?<![\w.,/#$-])\d{7,10}(?![\w/-]|[.,]\d)"),
    "accession": _c(
        r"\b(?i:accession(?:\s{0,2}(?:no\.?|number|num|\#))?|acc\.?(?:\s{0,2}(?:no\.?|number"
        r"|num|\#))?)" + _GAP + r"([A-Z]{0,4}\d{5,14})(?![\w-])"
    ),
    "dicom_uid": _c(r"(?<![\w.])1\.2\.(?:840|826|276|392|250|752)\.[\d.]{4,58}\d(?![\w.])"),
    "health_plan_id": _c(
        r"\b(?i:member\s{0,2}(?:id|number|no\.?|\#)|policy\s{1,2}(?:number|no\.?|\#)"
        r"|insurance\s{1,2}(?:id|number|no\.?|\#)|medicare\s{1,2}(?:id|number|no\.?|\#)"
        r"|medicaid\s{1,2}(?:id|number|no\.?|\#)|MBI|HICN|beneficiary\s{1,2}(?:id|number|no\.?)"
        r"|subscriber\s{1,2}(?:id|number|no\.?))" + _GAP + _ID_VALUE
    ),
    "account_number": _c(
        r"\b(?:(?i:account\s{1,2}(?:number|no\.?|\#)|acct\.?\s{0,2}(?:number|no\.?|\#)?"
        r"|billing\s{1,2}(?:number|no\.?|\#|id)|claim\s{1,2}(?:number|no\.?|\#|id)"
        r"|encounter\s{1,2}(?:number|no\.?|\#|id)|visit\s{1,2}(?:number|no\.?|\#|id))|FIN\b)"
        + _GAP + _ID_VALUE
    ),
    "ssn_label": _c(
        r"\b(?i:SSN|SS\#|social\s{1,2}security(?:\s{1,2}(?:number|no\.?|\#))?)" + _GAP
        + r"(\d{3}[ -]?\d{2}[ -]?\d{4})(?![\w-])"
    ),
    "ssn": _c(r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-]|\.\d)"),
    "device_serial": _c(
        r"\b(?i:serial\s{0,2}(?:number|no\.?|num|\#)|serial(?=\s{0,2}:)|s/n|sn(?=\s{0,2}[:#])"
        r"|UDI|device\s{1,2}(?:id|serial)|implant\s{1,2}(?:id|serial)|serial)" + _GAP
        + r"([A-Z0-9][A-Z0-9-]{3,24})(?![\w-])"
    ),
    "license_plate": _c(
        r"\b(?i:(?:licen[cs]e|registration|number)\s{1,2}plate(?:\s{1,2}(?:number|no\.?|\#))?"
        r"|plate\s{0,2}(?:number|no\.?|\#)|tag\s{1,2}number)" + _GAP
        + r"([A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,4})?)(?![\w-])"
    ),
    # -- direct identifiers -----------------------------------------------------------------
    "email": _c(r"(?<![\w.%+@-])[\w.%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}(?![\w-])"),
    "phone_nanp": _c(
        r"(?<![\w+.,/-])(?:\+?1[\s.-]{1,2})?(?:\(\d{3}\)\s{0,2}|\d{3}[\s.-]{1,2})\d{3}[\s.-]{1,2}"
        r"\d{4}(?![\w-]|[.,]\d)(?:\s{0,2}(?i:ext|x)\.?\s{0,2}\d{1,5}(?!\w))?"
    ),
    "phone_intl": _c(
        r"(?<![\w+])\+(?:[2-9]\d{0,2})[\s.-]{0,2}\(?\d{1,4}\)?[\s.-]{0,2}\d{2,4}[\s.-]{0,2}"
        r"\d{2,4}(?:[\s.-]{0,2}\d{2,4})?(?![\w]|[.,]\d)"
    ),
    "phone_digits": _c(r"(?<![\w.,/+-])\d{10,11}(?![\w/-]|[.,]\d)"),
    "ip_address": _c(
        r"(?<![\w.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\."
        r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"
    ),
    "street_address": _c(
        r"(?<![\w.,/-])\d{1,6}[A-Z]?\s{1,2}(?:[NSEW]\.?\s{1,2})?[A-Z][a-z]{1,20}"
        r"(?:\s[A-Z][a-z]{1,20})?(?:\s[A-Z][a-z]{1,20})?\s{1,2}(?:St|Street|Ave|Avenue|Rd|Road"
        r"|Blvd|Boulevard|Ln|Lane|Dr|Drive|Ct|Court|Way|Pl|Place|Terrace|Ter|Pkwy|Parkway|Hwy"
        r"|Highway|Cir|Circle|Sq|Square)\b\.?(?:,?\s{1,2}(?i:apt|unit|suite|ste)\.?\s{0,2}\#?"
        r"\s{0,2}\w{1,6})?"
    ),
    "zip_labelled": _c(r"\b(?i:zip(?:\s{0,2}code)?|postal\s{1,2}code)" + _GAP
                       + r"(\d{5}(?:-\d{4})?)(?![\w-])"),
    "zip_state": _c(
        r"\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA"
        r"|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s{1,2}(\d{5}(?:-\d{4})?)(?![\w-])"
    ),
    "zip_lives": _c(
        r"\b(?i:lives\s{1,2}in|living\s{1,2}in|resides\s{1,2}in|residing\s{1,2}in|resident\s{1,2}of"
        r"|home\s{1,2}in|from\s{1,2}zip|moved\s{1,2}to)\s{1,2}(\d{5}(?:-\d{4})?)(?![\w-])"
    ),
    # -- dates ------------------------------------------------------------------------------
    "date_numeric": _c(
        r"(?<![\w/.:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|[.:]\d)"
    ),
    "date_iso": _c(r"(?<![\w/.:-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?![\w/-]|[.:]\d)"),
    "date_mdy": _c(
        r"\b(" + _MONTH + r")\.?\s{1,2}(\d{1,2})(?:st|nd|rd|th)?(?![\w:./-]|[.:]\d)"
        r"(?:,?\s{1,2}(\d{4})(?!\w))?"
    ),
    "date_dmy": _c(
        r"(?<![\w.,/-])(\d{1,2})(?:st|nd|rd|th)?[\s-]{1,2}(?:of\s{1,2})?(" + _MONTH
        + r")\b\.?(?:[,-]?\s{0,2}(\d{4}|\d{2})(?!\w))?"
    ),
    "date_on_md": _c(r"\b(?i:on)\s{1,2}(\d{1,2})/(\d{1,2})(?![\w/-]|[.:]\d)"),
    # -- ages -------------------------------------------------------------------------------
    "age_phrase": _c(
        _AGE + r"[\s-]{0,2}(?:(?i:years?|yrs?|y)[\s-]{1,2}(?i:old)|(?i:y/o|y\.o\.?|yoa|yo)"
        r"|(?i:years?|yrs?)\s{1,2}of\s{1,2}age)(?:\s?[MF](?![A-Za-z]))?(?![A-Za-z])"
    ),
    "age_label": _c(r"\b(?i:aged?|age:)\s{1,2}" + _AGE + r"(?!\s{0,2}(?:\+|[-\u2013]\s{0,2}\d))"),
    "age_sex": _c(
        _AGE + r"\s?[MF](?=,?\s{1,2}(?i:with|w/|presenting|presents|presented|s/p|h/o|hx|who|c/o"
        r"|p/w|admitted|patient|pt)\b)"
    ),
    # -- names ------------------------------------------------------------------------------
    "name_title": _c(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s{1,2}(" + _NAME_TOKEN + r")"),
    "name_patient": _c(
        r"\b(?i:patient|pt)\.?[,:]?\s{1,2}(?:(?i:named|is|was|called)\s{1,2})?(" + _NAME_TOKEN
        + r",?\s{1,2}" + _NAME_TOKEN + r")"
    ),
    "name_label": _c(
        r"\b(?i:(?:patient|pt)(?:'s|\u2019s)?\s{1,2}name|name\s{0,2}of\s{0,2}(?:the\s{1,2})?patient)"
        r"\s{0,2}(?:is\s{1,2}|was\s{1,2}|[:=-]\s{0,2})?(" + _NAME_TOKEN + r"(?:,?\s{1,2}"
        + _NAME_TOKEN + r")?)"
    ),
    # -- room and bed -----------------------------------------------------------------------
    "room_bed": _c(
        r"\b(?i:(room|rm\.?|bed|bay))\s{0,2}\#?\s{0,2}(\d{1,4}[A-Z]?)(?![\w-]|[.,]\d)"
        r"(?:\s{0,2}[,/]?\s{0,2}(?i:bed|bay)\s{0,2}\#?\s{0,2}\d{1,3}[A-Z]?(?![\w-]))?"
    ),
}

# --------------------------------------------------------------------------------------------
# Context vocabularies (lower-case single tokens).
# --------------------------------------------------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_TOKEN_RE: Final = re.compile(r"[\w/']{1,40}")

_PATIENT_WORDS: Final = _words(
    "patient pt mrn chart record dob born admitted admission discharged discharge died death "
    "deceased expired presented presenting presents underwent seen scanned imaged exam examined "
    "biopsy biopsied operated surgery dos ed er icu ward inpatient triage consult consulted "
    "postop post-op preop pre-op isolation precautions nurse nursing rapid stroke"
)
_DATE_STRONG: Final = _words(
    "dob born admitted admission admit discharged discharge died death deceased expired pt "
    "patient patient's pt's presented presenting presents underwent seen scanned imaged exam "
    "examined biopsy biopsied operated surgery dos dod doa injured injury accident fell mva "
    "mvc delivered diagnosed dx birth birthday"
)
_DATE_WEAK: Final = _words(
    "ct mri mr pet ultrasound radiograph xray x-ray mammogram scan cxr cta mra echo "
    "angiogram study"
)
_DATE_NOT_PATIENT: Final = _words(
    "deadline due submission submissions submit register registration registered published "
    "publication released release approved approval cleared clearance updated update launch "
    "launched webinar tweetchat tweetup meetup session meeting conference congress assembly "
    "abstract abstracts embargo embargoed online issue guideline guidelines fda cms effective "
    "version v announced announcement opens closes until through since posted webcast "
    "deadlines vote election elections rsna ecr arrs sir asnr siim acr"
)
_COUNT_NOUNS: Final = _words(
    "impressions tweets posts patients participants views attendees followers people exams "
    "scans studies cases images subjects users members visits downloads reads voxels pixels "
    "records beneficiaries lives dollars usd eur years admissions encounters procedures "
    "reports slices"
)
_NUMBER_LABELS: Final = _words(
    "pmid pmcid nct isrctn doi cpt icd n grant award orcid isbn issn arxiv tweet status "
    "zip phone tel call fax cell mobile ph"
)
_MRN_CONTEXT: Final = _words("patient pt mrn chart record records")
_PHONE_WORDS: Final = _words(
    "call phone tel telephone cell mobile fax ph text txt contact reach number no dial whatsapp "
    "pager beeper"
)
_SPEAKER_WORDS: Final = _words(
    "by thanks thank congrats congratulations kudos chair chaired chairs moderator moderated "
    "moderating panelist panelists speaker speakers presenter presenters keynote talk talks "
    "lecture session panel hosted host hosting interview interviewed award awardee honoree "
    "president ceo director editor cc ft feat featuring welcome welcomes introducing "
    "introduces honor honour ambassador met meet rep vendor founder cofounder vp booth"
)
_VENUE_WORDS: Final = _words(
    "tweetup meetup venue hotel bar restaurant meet join reception party dinner lunch "
    "breakfast brunch center centre convention booth shuttle pub cafe coffee office offices "
    "headquarters hq hall museum gallery ballroom campus university hospital clinic "
    "institute building rsvp"
)
_CONF_ROOM_WORDS: Final = _words(
    "session sessions talk talks lecture hall poster posters booth exhibit exhibits meeting "
    "tweetup meetup course workshop refresher symposium plenary keynote panel join head "
    "headed heading live starts starting tomorrow today am pm level floor wing north south "
    "east west building ballroom overflow webinar rsna"
)
_BAY_QUALIFIERS: Final = _words(
    "trauma resus resuscitation ed er recovery pacu cath treatment procedure"
)
_INSTITUTION_NOUNS: Final = _words(
    "journal tradition society hospital building institution company organization "
    "organisation meeting conference congress technique technology method debate question "
    "problem article paper study trial program programme department school college "
    "university practice rule law concept idea textbook book sign classification"
)
_AGE_BOUND_WORDS: Final = _words(
    "over above under below than least mean median average avg aged>= ≥ > < ≤ beyond"
)
_ROLE_MAILBOXES: Final = _words(
    "info contact meetings meeting support press media hello admin registration office help "
    "abstracts education membership noreply no-reply webmaster events cme journal editor "
    "editorial submissions team secretariat congress"
)
_COHORT_WORDS: Final = _words(
    "patients pts subjects participants adults women men people individuals those cohort "
    "residents veterans cases"
)
_RESIDENCE_WORDS: Final = _words(
    "lives living resides residing resident home patient pt from"
)
_IP_VERSION_WORDS: Final = _words(
    "v version ver rev release section sect fig figure table step chapter item build "
    "firmware software"
)
# Title-case words that follow "Patient" in headings, not names ("Patient Safety Award").
_NOT_NAMES: Final = _words(
    "safety experience experiences care centered centred reported outcome outcomes advocate "
    "advocates advocacy portal portals education engagement partner partners council "
    "committee day week month voice voices perspective perspectives first journey rights "
    "access navigation navigator navigators information privacy consent satisfaction "
    "protection preference preferences selection positioning position prep preparation dose "
    "doses radiation communication story stories summit forum program programme session panel "
    "award zero one two three the a an and with who in on at for of to is was has had presents "
    "presented presenting underwent undergoing had ct mri pet with without after before from "
    "history hx data identifiers identifier id records record name names privacy imaging "
    "images image health information services service relations relationship relationships "
    "family families support needs need report reports case cases demographics registry "
    "registries cohort cohorts population populations trust flow throughput "
    "friendly facing focused-care"
)
_TITLE_NOT_NAMES: Final = _words(
    "tomorrow today this the that it out these those you your our my his her a an and or "
    "universe america world usa international president chair speaker mr mrs ms miss mx dr "
    "prof"
)


_DOB_DOTTED: Final = re.compile(r"\b[Dd]\.[Oo]\.[Bb]\b\.?")


def _tokens_before(text: str, pos: int, n: int) -> list[str]:
    window = _DOB_DOTTED.sub("DOB", text[max(0, pos - 16 * n - 16) : pos])
    return [t.lower() for t in _TOKEN_RE.findall(window)][-n:]


def _tokens_after(text: str, pos: int, n: int) -> list[str]:
    window = text[pos : pos + 16 * n + 16]
    return [t.lower() for t in _TOKEN_RE.findall(window)][:n]


def _any(tokens: list[str], vocabulary: frozenset[str]) -> bool:
    return any(t in vocabulary or t.removesuffix("'s") in vocabulary for t in tokens)


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule: str
    start: int
    end: int
    priority: int


_HONORIFICS: Final = frozenset({"dr", "prof", "mr", "mrs", "ms", "miss", "mx", "md", "phd"})


def _name_tokens(name: str) -> list[str]:
    """Lower-case name parts without honorifics or possessives: "Ms. O'Neill's" -> [o'neill]."""
    tokens = (t.lower().removesuffix("'s").removesuffix("\u2019s").rstrip("'\u2019-")
              for t in re.findall(r"[^\W\d_][\w'\u2019-]{0,40}", name))
    return [t for t in tokens if t and t not in _HONORIFICS]


class _Scan:
    """One check of one text: the shields, the allow-lists and the candidates found so far."""

    def __init__(
        self, text: str, allow_names: Collection[str], conference_dates: Collection[date]
    ) -> None:
        self.text = text
        names = [_name_tokens(name) for name in allow_names]
        self.allow_surnames = frozenset(tokens[-1] for tokens in names if tokens)
        self.allow_full = frozenset(" ".join(tokens) for tokens in names if tokens)
        self.conference_days = frozenset((d.month, d.day) for d in conference_dates)
        self.conference_dates = frozenset(conference_dates)
        self.shield_starts, self.shield_ends = self._shields()
        self.candidates: list[_Candidate] = []

    def _shields(self) -> tuple[list[int], list[int]]:
        spans: list[tuple[int, int]] = []
        for kind, pattern in _SHIELDS.items():
            for m in pattern.finditer(self.text):
                if kind == "hashtag" and not any(ch.isalpha() for ch in m.group()):
                    continue
                spans.append((m.start(), m.end()))
        spans.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in spans:
            if ends and s < ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        return starts, ends

    def shielded(self, start: int, end: int) -> bool:
        i = bisect_right(self.shield_starts, end - 1) - 1
        return i >= 0 and self.shield_ends[i] > start

    def add(self, rule: str, start: int, end: int, priority: int | None = None) -> None:
        if start >= end or self.shielded(start, end):
            return
        self.candidates.append(
            _Candidate(rule, start, end, _PRIORITY[rule] if priority is None else priority)
        )

    def allowed_name(self, name: str) -> bool:
        """A speaker is named by surname ("Ms. Rivera") or in full ("Ana Rivera")."""
        tokens = _name_tokens(name)
        return bool(tokens) and (
            tokens[-1] in self.allow_surnames or " ".join(tokens) in self.allow_full
        )

    def is_conference_date(self, year: int | None, month: int, day: int) -> bool:
        if year is None:
            return (month, day) in self.conference_days
        try:
            return date(year, month, day) in self.conference_dates
        except ValueError:
            return False


# --------------------------------------------------------------------------------------------
# Rules. Each adds candidates to the scan; overlap resolution happens once at the end.
# --------------------------------------------------------------------------------------------
def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _labelled_ids(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["mrn_label"].finditer(text):
        if _digits(m.group(1)) >= 4:
            scan.add("mrn", m.start(1), m.end(1))
    for m in PATTERNS["accession"].finditer(text):
        scan.add("accession", m.start(1), m.end(1))
    for m in PATTERNS["dicom_uid"].finditer(text):
        scan.add("dicom_uid", m.start(), m.end())
    for rule in ("health_plan_id", "account_number"):
        for m in PATTERNS[rule].finditer(text):
            if _digits(m.group(1)) >= 4:
                scan.add(rule, m.start(1), m.end(1))
    for m in PATTERNS["ssn_label"].finditer(text):
        scan.add("ssn", m.start(1), m.end(1))
    for m in PATTERNS["ssn"].finditer(text):
        scan.add("ssn", m.start(), m.end())
    for m in PATTERNS["device_serial"].finditer(text):
        value = m.group(1)
        label = m.group()[: m.start(1) - m.start()].strip(" :#=").lower()
        has_letter = any(ch.isalpha() for ch in value)
        # Bare "serial" ("serial CT", "serial 2019 exams") needs a code-like value.
        if label == "serial" and not (has_letter and _digits(value) >= 3):
            continue
        if _digits(value) >= 3:
            scan.add("device_serial", m.start(1), m.end(1))
    for m in PATTERNS["license_plate"].finditer(text):
        value = m.group(1)
        compact = re.sub(r"[ -]", "", value)
        if len(compact) >= 4 and any(ch.isdigit() for ch in compact):
            scan.add("license_plate", m.start(1), m.end(1))


def _bare_mrn(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["mrn_bare"].finditer(text):
        before = _tokens_before(text, m.start(), 5)
        after = _tokens_after(text, m.end(), 1)
        if after and after[0] in _COUNT_NOUNS:
            continue
        if before and before[-1] in _NUMBER_LABELS:
            continue
        if _any(before[-3:], _PHONE_WORDS):
            continue
        if _any(before, _MRN_CONTEXT):
            scan.add("mrn", m.start(), m.end(), _BARE_MRN_PRIORITY)


def _phones(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["phone_nanp"].finditer(text):
        digits = re.sub(r"\D", "", m.group())
        core = digits[1:11] if digits.startswith("1") and len(digits) >= 11 else digits[:10]
        if len(core) < 10 or core[0] in "01" or core[3] in "01":
            continue
        number = m.group()
        strong_separator = any(ch in number for ch in "-.()+")
        if not strong_separator and not _any(_tokens_before(text, m.start(), 4), _PHONE_WORDS):
            continue  # "312 455 1290" in a results table is not a phone number
        scan.add("phone", m.start(), m.end())
    for m in PATTERNS["phone_intl"].finditer(text):
        if 8 <= _digits(m.group()) <= 15:
            scan.add("phone", m.start(), m.end())
    for m in PATTERNS["phone_digits"].finditer(text):
        if _any(_tokens_before(text, m.start(), 3), _PHONE_WORDS):
            scan.add("phone", m.start(), m.end())


def _emails_and_ips(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["email"].finditer(text):
        local = m.group().split("@", 1)[0]
        if local.lower() in _ROLE_MAILBOXES:
            continue  # "meetings@rsna.org" is an organisation, not a person
        if local.strip(".") and not local.startswith("."):
            scan.add("email", m.start(), m.end())
    for m in PATTERNS["ip_address"].finditer(text):
        if _any(_tokens_before(text, m.start(), 2), _IP_VERSION_WORDS):
            continue
        scan.add("ip_address", m.start(), m.end())


def _addresses(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["street_address"].finditer(text):
        near = _tokens_before(text, m.start(), 10) + _tokens_after(text, m.end(), 6)
        if _any(near, _VENUE_WORDS):
            continue  # "tweetup at 2301 S Lake Shore Dr" is the venue, not a patient's home
        scan.add("street_address", m.start(), m.end())
    for m in PATTERNS["zip_labelled"].finditer(text):
        scan.add("zip_with_residence", m.start(1), m.end(1))
    for m in PATTERNS["zip_lives"].finditer(text):
        scan.add("zip_with_residence", m.start(1), m.end(1))
    for m in PATTERNS["zip_state"].finditer(text):
        near = _tokens_before(text, m.start(), 10)
        if _any(near, _RESIDENCE_WORDS) and not _any(near, _VENUE_WORDS):
            scan.add("zip_with_residence", m.start(1), m.end(1))


def _valid_day(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    value = int(raw)
    if len(raw) == 2:
        return 2000 + value if value < 50 else 1900 + value
    return value


def _dates(scan: _Scan) -> None:
    text = scan.text
    found: list[tuple[int, int]] = []  # spans of plausible dates, for range detection

    def consider(start: int, end: int, year: int | None, options: list[tuple[int, int]]) -> None:
        options = [(mo, d) for mo, d in options if _valid_day(mo, d)]
        if not options:
            return
        if year is not None and not 1880 <= year <= 2100:
            return
        if any(scan.is_conference_date(year, mo, d) for mo, d in options):
            return
        found.append((start, end))

    for m in PATTERNS["date_numeric"].finditer(text):
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if sep == "." and len(y) == 2:
            continue  # "1.5.16" is more likely a version than a date
        consider(m.start(), m.end(), _year(y), [(a, b), (b, a)])
    for m in PATTERNS["date_iso"].finditer(text):
        consider(m.start(), m.end(), int(m.group(1)), [(int(m.group(3)), int(m.group(4)))])
    for m in PATTERNS["date_mdy"].finditer(text):
        month = _MONTHS[m.group(1)[:3].lower()]
        consider(m.start(), m.end(), _year(m.group(3)), [(month, int(m.group(2)))])
    for m in PATTERNS["date_dmy"].finditer(text):
        month = _MONTHS[m.group(2)[:3].lower()]
        consider(m.start(), m.end(), _year(m.group(3)), [(month, int(m.group(1)))])
    for m in PATTERNS["date_on_md"].finditer(text):
        consider(m.start(1), m.end(2), None, [(int(m.group(1)), int(m.group(2)))])

    found = _drop_nested(found)
    in_range = _ranges(text, found)
    for start, end in found:
        if (start, end) in in_range:
            continue  # "between 1/1/2015 and 12/31/2018": a study period, not a patient
        before = _tokens_before(text, start, 8)
        after = _tokens_after(text, end, 4)
        if _any(before, _DATE_NOT_PATIENT) and not _any(before[-3:], _DATE_STRONG):
            continue  # "FDA cleared the CT tool on 3/14/2024", "abstracts due Jan 15"
        if _any(before + after, _DATE_STRONG) or _any(before[-4:] + after[:2], _DATE_WEAK):
            scan.add("patient_date", start, end)


def _drop_nested(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int]] = []
    for s, e in spans:
        if kept and s < kept[-1][1]:
            continue
        kept.append((s, e))
    return kept


_RANGE_JOIN: Final = re.compile(
    r"\s{0,3}(?:-|\u2013|\u2014|to|through|thru|until|till)\s{0,3}", re.I
)
_AND_JOIN: Final = re.compile(r"\s{0,3}(?:and|&)\s{0,3}", re.I)
_BETWEEN_END: Final = re.compile(r"(?i:between|from)\s{1,3}$")


def _ranges(text: str, spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for first, second in pairwise(spans):
        gap = text[first[1] : second[0]]
        if _RANGE_JOIN.fullmatch(gap) or (
            _AND_JOIN.fullmatch(gap) and _BETWEEN_END.search(text[max(0, first[0] - 12) : first[0]])
        ):
            out.update((first, second))
    return out


def _ages(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["age_phrase"].finditer(text):
        if _age_is_bound_or_range(text, m.start()):
            continue
        after = _tokens_after(text, m.end(), 1)
        if after and after[0] in _INSTITUTION_NOUNS:
            continue  # "the 100-year-old journal"
        scan.add("age_over_89", m.start(), m.end())
    for m in PATTERNS["age_label"].finditer(text):
        before = _tokens_before(text, m.start(), 2)
        if _any(before, _AGE_BOUND_WORDS) or _any(before, _COHORT_WORDS):
            continue  # "mean age 91", "patients aged 90" describe a cohort
        if _AGE_OPEN_END.match(text, m.end()):
            continue  # "aged 90 years or older" is the recommended aggregate
        scan.add("age_over_89", m.start(), m.end())
    for m in PATTERNS["age_sex"].finditer(text):
        if not _age_is_bound_or_range(text, m.start()):
            scan.add("age_over_89", m.start(), m.end())


_AGE_OPEN_END: Final = re.compile(
    r"\s{0,2}(?:years?\s{1,2})?(?:(?:-|\u2013|to|and|or)\s{0,2}(?:\d|over|older|above)|\+)",
    re.I,
)
_AGE_RANGE_BEFORE: Final = re.compile(
    r"(?:\d\s{0,2}(?:-|\u2013|\u2014|to|and|or)\s{0,2}|(?:≥|>=|>|<|≤|=<|over|above|under|below|than|least"
    r"|beyond|mean|median|average)\s{0,2})$",
    re.I,
)


def _age_is_bound_or_range(text: str, start: int) -> bool:
    return _AGE_RANGE_BEFORE.search(text[max(0, start - 12) : start]) is not None


def _names(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["name_title"].finditer(text):
        name = m.group(1)
        bare = name.lower().removesuffix("'s").removesuffix("\u2019s")
        if not _looks_like_name(name) or bare in _TITLE_NOT_NAMES:
            continue
        if scan.allowed_name(name):
            continue
        if _any(_tokens_before(text, m.start(), 5), _SPEAKER_WORDS):
            continue  # "great talk by Mr. Okafor": a speaker being credited
        if re.match(r"\s{0,2}\(?\s{0,2}@\w", text[m.end() : m.end() + 6]):
            continue  # "Ms. Rivera (@rivera_rt)": a person with a public handle
        scan.add("patient_name", m.start(), m.end())
    for key in ("name_patient", "name_label"):
        for m in _overlapping(PATTERNS[key], text):
            parts = re.split(r",?\s{1,2}", m.group(1))
            if not all(_looks_like_name(p) and p.lower() not in _NOT_NAMES for p in parts):
                continue
            if scan.allowed_name(m.group(1)):
                continue
            scan.add("patient_name", m.start(1), m.end(1))


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches that may overlap ("pt patient named X": try "pt" and then "patient")."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


def _looks_like_name(token: str) -> bool:
    token = token.rstrip("'\u2019-")
    return (
        len(token) >= 2
        and token[0].isupper()
        and any(ch.islower() for ch in token[1:])
        and not any(ch.isdigit() for ch in token)
    )


def _rooms(scan: _Scan) -> None:
    text = scan.text
    for m in PATTERNS["room_bed"].finditer(text):
        label = m.group(1).lower().rstrip(".")
        before = _tokens_before(text, m.start(), 8)
        after = _tokens_after(text, m.end(), 4)
        if label == "bay" and not (before and before[-1] in _BAY_QUALIFIERS):
            continue
        if label in {"room", "rm"}:
            if "bed" in m.group().lower()[4:]:
                pass  # "room 412, bed 2" is a ward, whatever else is near
            elif _any(before + after, _CONF_ROOM_WORDS):
                continue
            elif _any(before + after, _PATIENT_WORDS):
                pass
            elif (before and before[-1] in {"at", "to", "from"}) or not _near_identifier(scan, m):
                continue  # "see you at Room 201" is the venue even next to a case description
        scan.add("room_bed", m.start(), m.end())


def _near_identifier(scan: _Scan, m: re.Match[str]) -> bool:
    """A room number next to a patient's name or age is part of that patient's description."""
    return any(c.start < m.end() + 80 and c.end > m.start() - 80 for c in scan.candidates)


_RULES: Final = (
    _labelled_ids, _bare_mrn, _phones, _emails_and_ips, _addresses, _dates, _ages, _names,
    _rooms,
)  # fmt: skip


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the strongest of overlapping candidates (ties: the longer, then the earlier)."""
    starts: list[int] = []  # chosen spans, non-overlapping, sorted by start
    chosen: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-c.priority, -(c.end - c.start), c.start)):
        i = bisect_right(starts, cand.start)
        if i > 0 and chosen[i - 1].end > cand.start:
            continue
        if i < len(chosen) and chosen[i].start < cand.end:
            continue
        starts.insert(i, cand.start)
        chosen.insert(i, cand)
    return chosen


def check_phi(
    text: str,
    *,
    allow_names: Collection[str] = (),
    conference_dates: Collection[date] = (),
) -> list[Finding]:
    """Return the suspected patient identifiers in ``text``, sorted by ``start``.

    ``allow_names`` are people who may be named (the author, the session's speakers): a
    titled name ("Mr. Okafor") whose surname or given name is among them is not reported.
    ``conference_dates`` are the meeting's own days: a date on one of them is never reported.
    The findings never overlap; when two rules claim the same text the more specific wins.
    Every finding is a warning for the author to confirm; nothing here edits the text.
    """
    if not text:
        return []
    scan = _Scan(text, allow_names, conference_dates)
    for rule in _RULES:
        rule(scan)
    return [
        Finding(rule=c.rule, start=c.start, end=c.end, message=MESSAGES[c.rule])
        for c in _resolve(scan.candidates)
    ]
