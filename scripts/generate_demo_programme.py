#!/usr/bin/env python3
"""Generate the demo conference programme, ``server/demo/programme.schedule.json``.

The Northern Radiology Congress 2026 ("nrc26") is fictional: every person, handle,
institution, trial and result in it is invented. The content (titles, abstracts, names) is
written by hand below; this script only lays it out as a schedule v2 JSON file
(c3voc ``schema2.json``): it derives guids, slugs, URLs, ISO times and links, hands out the
faculty of each track to its sessions without double-booking anybody, and builds each
person's social links.

The output is deterministic (no clock, no randomness), so re-running the script on an
unchanged file gives a byte-identical result. Run from the repository root::

    python scripts/generate_demo_programme.py            # write the file
    python scripts/generate_demo_programme.py --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "server" / "demo" / "programme.schedule.json"

TZ = ZoneInfo("America/Chicago")
ACRONYM = "nrc26"
SITE = "https://nrc26.example"
DAYS = [date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
DAY_START, DAY_END = "07:00", "19:00"

# Time slots of the grid: (start, default minutes). Coffee 10:00-10:30 and 15:00-15:30,
# lunch 12:00-13:30 (with lunchtime poster and stage sessions), evenings free.
SLOTS = {
    "A": ("08:30", 90),
    "B": ("10:30", 90),
    "L": ("12:15", 60),
    "P": ("13:30", 60),
    "C": ("13:30", 90),
    "D": ("15:30", 90),
}

# --------------------------------------------------------------------------------------
# Tracks and rooms
# --------------------------------------------------------------------------------------

# Hand-written data tables below: keep their compact layout.
# fmt: off
TRACKS = [
    # slug, name, light colour, dark colour, handle words (for speakers' social handles)
    ("neuroradiology", "Neuroradiology", "#6A4C93", "#A48BD0", ("Neuro", "NeuroRad", "brainmri")),
    ("chest", "Chest", "#1982C4", "#5DB3EA", ("Chest", "LungCT", "chestrad")),
    ("breast", "Breast", "#D94F8A", "#F08BB6", ("Breast", "Mammo", "breastimaging")),
    ("musculoskeletal", "Musculoskeletal", "#5E9C1F", "#8FD14F", ("MSK", "Ortho", "mskrad")),
    ("cardiac", "Cardiac", "#C62828", "#EF6B6B", ("Cardio", "HeartCT", "cardiacimaging")),
    ("pediatric", "Pediatric", "#E8731C", "#FFA45C", ("PedsRad", "Kids", "pedsrad")),
    ("interventional", "Interventional", "#1F8A7E", "#4FC7B8", ("IR", "Interv", "irdoc")),
    ("informatics-ai", "Informatics & AI", "#3D3AB5", "#8A87F0", ("AI", "Infx", "radai")),
    ("physics-safety", "Physics & Safety", "#B08A00", "#E6C240", ("Physics", "Dose", "medphys")),
    ("health-policy", "Health Policy", "#4F6D66", "#8DB0A8", ("Policy", "Value", "radpolicy")),
]
TRACK_SLUGS = {t[0] for t in TRACKS}

ROOMS = {
    # key: (name, type, capacity, description)
    "LT": ("Lakefront Theater", "LECTURE_HALL", 3800,
           "Main auditorium, Lakefront Building level 1. Plenaries and large courses."),
    "E450A": ("E450A", "LECTURE_HALL", 900, "East Building level 4, escalators by Gate 43."),
    "E451B": ("E451B", "LECTURE_HALL", 650, "East Building level 4, next to E450A."),
    "S406A": ("S406A", "LECTURE_HALL", 480, "South Building level 4."),
    "N228": ("N228", "WORKSHOP", 60,
             "North Building level 2. Hands-on lab: workstations, phantoms, ultrasound units."),
    "LLC": ("Lakeside Learning Center", "OTHER", 320,
            "South Building Hall A. Poster boards, case-review stations and the social corner."),
    "HALLB": ("Hall B Exhibit Stage", "STAGE", 180,
              "Open stage in the exhibition, Hall B. Short talks, no registration needed."),
}

# --------------------------------------------------------------------------------------
# Faculty (fictional). Fourteen per track; the first line of each group is the track.
# --------------------------------------------------------------------------------------

FACULTY = {
    "neuroradiology": [
        "Nadia Okafor", "Tomasz Wierzbicki", "Priya Raghunathan", "Henrik Lindqvist",
        "Camila Restrepo", "Daniel Abrams", "Yuki Tanabe", "Mariam Haddad",
        "Oluwaseun Adeyemi", "Greta Vollmer", "Rafael Quintero", "Ingrid Solberg",
        "Kwame Asante", "Leah Rosenthal",
    ],
    "chest": [
        "Wei-Lin Chang", "Fatima Al-Sayegh", "Marcus Delaney", "Aisling Brennan",
        "Jorge Villanueva", "Sunita Karki", "Elena Marchetti", "Tobias Brandt",
        "Hana Kobayashi", "Samuel Mensah", "Beatriz Sousa", "Andrei Popescu",
        "Chloé Martin-Diallo", "Nikhil Bhatt",
    ],
    "breast": [
        "Rebecca Holloway", "Amara Nwosu", "Sofia Castellanos", "Mei Tanaka-Ross",
        "Claire Dubois", "Esther Mwangi", "Lucia Ferraro", "Deepa Iyer",
        "Katarzyna Nowak", "Grace Huang", "Olga Petrenko", "Naomi Feld",
        "Isabel Ortega", "Yasmin Rahimi",
    ],
    "musculoskeletal": [
        "Connor O'Shea", "Mateus Almeida", "Ji-woo Park", "Bjørn Aasen",
        "Adaeze Obi", "Luis Carrasco", "Femke de Vries", "Arjun Menon",
        "Sarah Whitfield", "Emre Kaya", "Thandiwe Dlamini", "Pablo Giménez",
        "Hiroshi Matsuda", "Nora Lindahl",
    ],
    "cardiac": [
        "Ravi Subramaniam", "Anna Kowalczyk", "Michael Osei", "Lena Hartmann",
        "Diego Morales", "Soo-ah Lim", "Farid Nazari", "Julia Brenner",
        "Kofi Boateng", "Rosa Espinoza", "Stefan Ionescu", "Meera Pillai",
        "Patrick Nguyen", "Ayelet Cohen",
    ],
    "pediatric": [
        "Hannah Abernathy", "Ifeoma Eze", "Carlos Benítez", "Linnea Berg",
        "Tariq Mahmoud", "Yara Saleh", "Gabriel Fontaine", "Mai Nguyen",
        "Ruth Akinola", "Elif Demir", "Jonah Whitaker", "Valentina Cruz",
        "Siddharth Rao", "Freya McAllister",
    ],
    "interventional": [
        "Omar Farouk", "Laura Jennings", "Kenji Watanabe", "Bianca Rossi",
        "Marek Dvořák", "Chiamaka Uche", "Ethan Caldwell", "Noura Al-Amin",
        "Sebastián Paredes", "Ida Hansen", "Vikram Sethi", "Zoe Papadopoulos",
        "Theo Marsh", "Amina Diallo",
    ],
    "informatics-ai": [
        "Aditi Deshmukh", "Lukas Becker", "Morgan Ellis", "Xiaoming Zhou",
        "Isaac Tembo", "Paula Vásquez", "Kai Jensen", "Rania Khoury",
        "Benjamin Stroud", "Min-jun Seo", "Talia Brooks", "Nikolai Ivanenko",
        "Sana Qureshi", "Felipe Arroyo",
    ],
    "physics-safety": [
        "Margaret Okoye", "Erik Nyström", "Shreya Kulkarni", "Jonas Weber",
        "Adriana Lupu", "Thomas Kearney", "Yusuf Abdi", "Helen Cho",
        "Matteo Conti", "Ngozi Balogun", "Kirsten Vogel", "Alejandro Ibarra",
        "Rina Sato", "David Ben-Haim",
    ],
    "health-policy": [
        "Angela Whitmore", "Desmond Ferreira", "Sabine Krüger", "Ahmed Rashid",
        "Natalie Sørensen", "Jamal Robinson", "Lorena Salazar", "Victoria Ashworth",
        "Chinedu Okeke", "Ingeborg Strand", "Manuel Ortiz", "Fiona Gallagher",
        "Rahul Khanna", "Evelyn Park",
    ],
}

# People on every network (the social-media panel and a few prolific posters).
ALL_NETWORKS = {
    "Nadia Okafor", "Amara Nwosu", "Jamal Robinson", "Hana Kobayashi", "Morgan Ellis",
    "Aditi Deshmukh",
}
# People with no social presence at all, beyond what the hash below already leaves out.
NO_HANDLES = {
    "Henrik Lindqvist", "Hannah Abernathy", "Ifeoma Eze", "Margaret Okoye", "Bjørn Aasen",
    "Julia Brenner", "Ingeborg Strand",
}

INSTITUTIONS = [
    "Lakeshore University Medical Center, Chicago", "Great Plains Health, Omaha",
    "Northfield Children's Hospital, Minneapolis", "St. Brigid's University Hospital, Dublin",
    "Hospital Universitario del Valle Alto, Medellín", "Kestrel Bay Medical Centre, Auckland",
    "Université de la Côte, Nantes", "Rheintal Klinikum, Freiburg",
    "Harbourview Imaging Institute, Toronto", "Sakura Municipal Hospital, Sapporo",
    "Riverbend Academic Health, St. Louis", "Cedar Ridge Cancer Center, Denver",
    "Aurora Coast Hospital, Lagos", "Fjordheim University Hospital, Bergen",
    "Meridian Heart Institute, Houston", "Old Mill Community Radiology, Madison",
]

ROLE_BY_TRACK = {
    "neuroradiology": "Neuroradiologist",
    "chest": "Thoracic radiologist",
    "breast": "Breast imager",
    "musculoskeletal": "Musculoskeletal radiologist",
    "cardiac": "Cardiovascular radiologist",
    "pediatric": "Pediatric radiologist",
    "interventional": "Interventional radiologist",
    "informatics-ai": "Imaging informatician",
    "physics-safety": "Medical physicist",
    "health-policy": "Radiologist and health services researcher",
}

# --------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------


@dataclass
class S:
    """One session as written by hand. ``n``/``mods`` ask the generator to pick that many
    speakers/moderators from the track's faculty; ``speakers``/``moderators`` name them."""

    day: int
    room: str
    slot: str
    code: str
    track: str
    type: str
    title: str
    subtitle: str | None
    abstract: str
    n: int = 3
    mods: int = 1
    minutes: int | None = None
    lang: str = "en"
    speakers: list[str] = field(default_factory=list)
    moderators: list[str] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)
    slides: bool = False
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (type, url, title)


SESSIONS: list[S] = [
    # ---------------------------------------------------------------- Day 1, Sunday 29 Nov
    S(1, "LT", "A", "RC101", "neuroradiology", "TALK",
      "Stroke Imaging in 2026: From CT Perfusion to the Late Window",
      "A practical refresher for the on-call radiologist",
      "Reperfusion therapy now reaches patients well beyond six hours, and imaging decides who "
      "qualifies. This course reviews non-contrast CT scoring, CT angiography for large-vessel "
      "occlusion and the pitfalls of automated perfusion maps. Faculty walk through protocols "
      "that still work at 3 a.m. and show how to report core and penumbra without overstating "
      "their precision.", slides=True),
    S(1, "LT", "D", "SSCH01", "chest", "TALK",
      "Lung Cancer Screening: Beyond the Baseline Round", "Scientific papers",
      "Oral presentations on what happens after the first screen: incidence rounds, growth "
      "assessment, adherence and the findings nobody ordered. Each paper is followed by "
      "moderated questions from the floor.",
      papers=[
          "Volume doubling time versus diameter change for solid nodules in incidence rounds",
          "Returning for round two: adherence in a rural mobile-CT screening programme",
          "Reporting coronary calcium on screening CT: downstream testing at 12 months",
          "Sub-solid nodules that vanish: resolution rates in 3,900 participants",
      ]),
    S(1, "LT", "P", "PL01", "health-policy", "TALK",
      "Opening Plenary — The Lakeshore Lecture: Radiology's Next Decade Is a Team Sport", None,
      "The congress opens with a hard look at how imaging departments can absorb rising volumes "
      "without burning out the people who run them. Drawing on workforce data from three "
      "continents, the lecture argues for shared reading networks, a bigger role for "
      "technologists and physicists, and honest measurement of what automation actually saves. "
      "Welcome remarks from the programme committee precede the lecture.",
      speakers=["Angela Whitmore"], moderators=["Desmond Ferreira"],
      links=[("MEDIA", f"{SITE}/live/pl01", "Livestream")]),
    S(1, "LT", "B", "RC102", "informatics-ai", "TALK",
      "Reading With AI: What Actually Changes at the Workstation",
      "Refresher course",
      "Most radiologists now have at least one algorithm whispering in their worklist. This "
      "course looks at automation bias, how triage flags change reading order, and what a "
      "reasonable override rate looks like. Expect live examples of helpful and unhelpful "
      "AI outputs and a checklist for deciding when to trust the box on the screen.",
      slides=True),
    S(1, "E450A", "A", "RC103", "musculoskeletal", "TALK",
      "Shoulder MRI: The Rotator Cuff and Beyond", "Refresher course",
      "A structured approach to the shoulder MRI that gets the surgeon's questions answered. "
      "Topics include partial-thickness versus full-thickness cuff tears, the biceps pulley, "
      "labral variants that mimic tears, and what matters in the post-repair shoulder.",
      n=2),
    S(1, "E450A", "C", "SSNR01", "neuroradiology", "TALK",
      "Neuro-Oncology: Advanced Imaging and Response Assessment", "Scientific papers",
      "New work on perfusion, spectroscopy and amide proton transfer imaging in gliomas, with "
      "a focus on separating treatment effect from progression. The session closes with a "
      "multicentre look at how consistently RANO criteria are applied in practice.",
      papers=[
          "Amide proton transfer-weighted MRI to separate radiation necrosis from recurrence",
          "DSC perfusion harmonisation across five scanner vendors",
          "Interreader agreement for RANO 2.0 in a community-academic network",
      ]),
    S(1, "E450A", "B", "RC104", "cardiac", "TALK",
      "Cardiac CT for the General Radiologist", "Refresher course",
      "You do not need to be a cardiac imager to read a good coronary CT, but you do need a "
      "system. This course covers patient preparation, CAD-RADS 2.0 reporting, common "
      "artefacts and the extracardiac findings that are easy to miss when everyone is "
      "looking at the coronaries.", slides=True),
    S(1, "E451B", "C", "SSIR01", "interventional", "TALK",
      "Interventional Oncology", "Scientific papers",
      "Outcomes from ablation, radioembolization and combination therapies for primary and "
      "secondary liver tumours, including a prospective registry on ablation margins "
      "confirmed with intraprocedural CT.",
      papers=[
          "Minimal ablative margin on intraprocedural CT predicts local tumour progression",
          "Radiation segmentectomy for hepatocellular carcinoma up to 8 cm: 3-year outcomes",
          "Microwave ablation of colorectal liver metastases after systemic therapy",
          "Cost per local-control year: ablation versus stereotactic radiotherapy",
      ]),
    S(1, "E451B", "A", "RC105", "breast", "TALK",
      "Contrast-Enhanced Mammography: Getting Started", "Refresher course",
      "Contrast-enhanced mammography is moving from problem-solving tool to screening "
      "candidate. Faculty cover patient selection, contrast safety, the workflow changes "
      "technologists need, and a lexicon-based approach to enhancement on recombined images.",
      slides=True),
    S(1, "E451B", "B", "PD01", "health-policy", "DISCUSSION",
      "Prior Authorization and Appropriate Imaging: Who Decides?", "Panel discussion",
      "Clinical decision support was supposed to replace phone calls to benefit managers. A "
      "panel of a radiologist, a primary care physician, a payer medical director and a "
      "patient advocate debate what has worked, what has not, and who should own the "
      "definition of appropriate imaging.", n=4),
    S(1, "E450A", "D", "SSMK01", "musculoskeletal", "TALK",
      "Sports Injuries and Quantitative Cartilage Imaging", "Scientific papers",
      "From the professional locker room to the weekend runner: papers on return-to-play "
      "prediction, T2 mapping of cartilage and ultrasound of muscle injuries.",
      papers=[
          "Hamstring injury MRI grade and time to return to play in professional football",
          "Cartilage T2 mapping after ACL reconstruction: a five-year cohort",
          "Shear-wave elastography in Achilles tendinopathy: reproducibility across operators",
          "Bone stress injuries in female runners: MRI features and recovery",
      ]),
    S(1, "E451B", "D", "RC106", "physics-safety", "TALK",
      "Radiation Dose for the Busy Radiologist: What to Tell Patients", "Refresher course",
      "Patients ask about radiation more often than we are trained to answer. This course "
      "translates effective dose, organ dose and risk models into plain language, and offers "
      "tested scripts for the pregnant patient, the anxious parent and the frequent flyer of CT.",
      n=2),
    S(1, "S406A", "A", "RC107", "pediatric", "TALK",
      "Pediatric Emergency Imaging: The First 24 Hours", "Refresher course",
      "Appendicitis, intussusception, malrotation and the limping child: when ultrasound is "
      "enough, when MRI beats CT, and how to protect small patients from unnecessary "
      "radiation without delaying the diagnosis.", slides=True),
    S(1, "S406A", "B", "RC108", "chest", "TALK",
      "Curso en español: TC de tórax en urgencias",
      "Embolia pulmonar, síndrome aórtico agudo y neumotórax",
      "Curso de actualización en español sobre la TC de tórax en el servicio de urgencias. "
      "Revisamos protocolos de angio-TC, los hallazgos que no se pueden pasar por alto y "
      "cómo redactar un informe claro para el equipo de emergencias.",
      lang="es", speakers=["Jorge Villanueva", "Rosa Espinoza"], moderators=["Lorena Salazar"]),
    S(1, "S406A", "C", "SSPD01", "pediatric", "TALK",
      "Lower Dose, Faster Scans", "Scientific papers",
      "Pediatric papers on sedation-free MRI, deep-learning reconstruction at reduced dose and "
      "photon-counting CT in infants.",
      papers=[
          "Feed-and-wrap MRI in infants under three months: success rate in 612 examinations",
          "Deep-learning reconstruction for pediatric abdominal CT at 40% lower dose",
          "Photon-counting CT of the infant chest without sedation",
      ]),
    S(1, "S406A", "D", "PD02", "informatics-ai", "DISCUSSION",
      "Who Is Liable When the Algorithm Misses?", "Panel discussion",
      "A radiologist, a malpractice attorney, a vendor regulatory lead and an ethicist work "
      "through three fictional cases in which AI and radiologist disagreed. The panel "
      "considers documentation, disclosure and how liability may shift as autonomous tools "
      "arrive.", n=3),
    S(1, "N228", "A", "HW01", "informatics-ai", "HANDS-ON",
      "Build Your First Imaging Dataset Pipeline", "Hands-on workshop, bring a laptop",
      "Participants de-identify a synthetic DICOM collection, extract labels from mock reports "
      "and assemble a training-ready dataset with an audit trail. No prior coding experience "
      "is required; notebooks and synthetic data are provided.", n=3,
      links=[("WEB", "https://example.org/nrc26/hw01-setup", "Laptop setup guide")]),
    S(1, "N228", "B", "HW02", "interventional", "HANDS-ON",
      "Ultrasound-Guided Access and Biopsy on Phantoms", "Hands-on workshop",
      "Small-group stations for venous access, in-plane and out-of-plane needle guidance and "
      "core biopsy technique on gel phantoms. Faculty coach probe handling, needle "
      "visualisation and the habits that keep complication rates low.", n=4, mods=0),
    S(1, "N228", "C", "HW03", "musculoskeletal", "HANDS-ON",
      "MSK Ultrasound Scanning Lab: Shoulder and Knee", "Hands-on workshop",
      "Scan live models under supervision: rotator cuff, biceps tendon, knee extensor "
      "mechanism and collateral ligaments. Aimed at radiologists who read MSK MRI but rarely "
      "pick up a transducer.", n=4, mods=0),
    S(1, "LLC", "A", "MSCB11", "chest", "DISCUSSION",
      "Interstitial Lung Disease: Case-Based Review", None,
      "Interactive case review with audience polling. Usual interstitial pneumonia patterns, "
      "fibrotic hypersensitivity pneumonitis, progressive pulmonary fibrosis and the "
      "interstitial lung abnormalities that turn up on screening CT.", n=2),
    S(1, "LLC", "L", "PS11", "neuroradiology", "LIGHTNING_TALK",
      "Poster Discussions: Neuroradiology and Head & Neck",
      "Five-minute presentations at the boards",
      "Selected poster authors present at their boards and take questions: vessel wall "
      "imaging, temporal bone CT, pituitary MRI protocols and AI for intracranial "
      "haemorrhage detection.", n=5),
    S(1, "LLC", "C", "MSCB12", "cardiac", "DISCUSSION",
      "Cardiomyopathies on Cardiac MRI: Case-Based Review", None,
      "Late gadolinium enhancement patterns, T1 and extracellular volume mapping, and the "
      "cases where the phenotype does not fit the label. Audience members vote on each "
      "diagnosis before the reveal.", n=2),
    S(1, "LLC", "D", "ME01", "health-policy", "MEETING",
      "Residents and Fellows Forum", "Open meeting for trainees",
      "An informal meeting for trainees: call schedules, fellowship applications and what "
      "programme directors wish applicants knew. Senior residents share what they learned "
      "from their first year of independent call.", n=1, mods=1),
    S(1, "HALLB", "B", "ES12", "physics-safety", "TALK",
      "Photon-Counting CT, Explained on One Slide", "Exhibit stage talk", "A physicist "
      "explains energy-resolving detectors, why they sharpen small structures and lower "
      "noise, and what the spectral information really means for daily reading — without "
      "any vendor slides.", n=1, mods=0, minutes=45),
    S(1, "HALLB", "C", "ES11", "informatics-ai", "TALK",
      "Reading an AI Model Card in Ten Minutes", "Exhibit stage talk",
      "What the intended use, training population and performance tables on an AI product "
      "sheet tell you, and which questions to ask the vendor before you sign.",
      n=1, mods=0, minutes=45),
    S(1, "HALLB", "L", "ES13", "health-policy", "TALK",
      "Your First Job Contract: A Trainee's Guide", "Exhibit stage talk",
      "Non-compete clauses, call obligations, partnership tracks and the numbers to look at "
      "before signing. A practice leader and a recent graduate compare notes.",
      n=2, mods=0, minutes=45),
    # ---------------------------------------------------------------- Day 2, Monday 30 Nov
    S(2, "LT", "D", "RC201", "chest", "TALK",
      "Pulmonary Embolism Imaging: CTPA, Dual-Energy and Pregnancy", "Refresher course",
      "A case-driven update on the most common emergency CT angiogram. Topics include "
      "optimising contrast timing, iodine maps on dual-energy CT, right-heart strain signs "
      "that matter, and evidence-based pathways for suspected PE in pregnancy.", slides=True),
    S(2, "LT", "B", "SSCA01", "cardiac", "TALK",
      "Coronary CT Angiography: Plaque, Physiology and Outcomes", "Scientific papers",
      "Studies on quantitative plaque analysis, CT-derived fractional flow reserve and "
      "long-term outcomes after CT-first chest pain pathways.",
      papers=[
          "Low-attenuation plaque burden and 5-year myocardial infarction risk",
          "On-site CT-FFR versus invasive FFR in intermediate stenoses",
          "CT-first chest pain pathway: downstream catheterisation rates in 11 hospitals",
          "Pericoronary fat attenuation in young adults with familial hypercholesterolaemia",
      ]),
    S(2, "LT", "P", "PL02", "informatics-ai", "TALK",
      "Keynote: What We Learned From a Thousand Days of AI in Production", None,
      "A department that has run more than a dozen algorithms on live clinical traffic for "
      "nearly three years opens its books: uptime, drift, silent failures, the tools "
      "radiologists quietly switched off, and the two that changed outcomes. A candid talk "
      "about the unglamorous work of keeping AI honest.",
      speakers=["Aditi Deshmukh"], moderators=["Lukas Becker"],
      links=[("MEDIA", f"{SITE}/live/pl02", "Livestream")]),
    S(2, "LT", "A", "RC202", "breast", "TALK",
      "Dense Breasts, Supplemental Screening and the Notification Era", "Refresher course",
      "Density notification is now routine, and patients arrive with questions. Faculty "
      "review the evidence for supplemental ultrasound, MRI and contrast-enhanced "
      "mammography, how to stratify risk in the clinic, and how to communicate uncertainty "
      "in the letter.", slides=True),
    S(2, "S406A", "A", "RC203", "neuroradiology", "TALK",
      "Demyelinating Disease on MRI: MS, NMOSD and MOGAD", "Refresher course",
      "Telling multiple sclerosis from its mimics matters more than ever now that treatments "
      "differ. The course covers the revised diagnostic criteria, the central vein sign, "
      "paramagnetic rim lesions, and the optic nerve and spinal cord patterns that point "
      "elsewhere."),
    S(2, "E450A", "A", "SSIN01", "informatics-ai", "TALK",
      "Large Language Models in Radiology Reporting", "Scientific papers",
      "Evaluations of language models that draft impressions, simplify reports for patients "
      "and flag follow-up recommendations, with attention to hallucination rates and how "
      "they were measured.",
      papers=[
          "Draft impressions from a locally hosted language model: error taxonomy in 2,000 reports",
          "Patient-friendly report summaries: readability and accuracy rated by patients",
          "Automatic extraction of follow-up recommendations for incidental findings",
          "When the model invents a finding: hallucination rates across four prompts",
      ]),
    S(2, "E451B", "A", "RC204", "interventional", "TALK",
      "Genicular Artery Embolization and the New MSK Interventions", "Refresher course",
      "Embolization for knee osteoarthritis pain, adhesive capsulitis and chronic tendinopathy "
      "is moving out of trials. This course covers patient selection, angiographic anatomy, "
      "particle choice and realistic outcome expectations."),
    S(2, "E451B", "B", "SSBR01", "breast", "TALK",
      "AI in Breast Screening", "Scientific papers",
      "Population-scale results from programmes that replaced or supplemented a human reader "
      "with AI, including interval cancer analyses and the effect on recall rates.",
      papers=[
          "AI as second reader in a biennial screening programme: two-year interval cancer rates",
          "Workload reduction by AI triage of normal screens: a prospective implementation study",
          "Does AI reduce recall variation between readers?",
          "Performance of screening AI in women with implants",
      ]),
    S(2, "E450A", "C", "RC205", "cardiac", "TALK",
      "Cardiac MRI Tissue Characterisation Made Practical", "Refresher course",
      "T1, T2 and ECV mapping without the physics headache. Faculty show how to build a fast "
      "protocol, set local normal ranges and use mapping in myocarditis, amyloidosis and "
      "iron overload.", slides=True),
    S(2, "E450A", "D", "RC206", "pediatric", "TALK",
      "Congenital Heart Disease for the Adult Radiologist", "Refresher course",
      "More adults with repaired congenital heart disease are being scanned in general "
      "departments. Learn to recognise Fontan circulations, repaired tetralogy and the "
      "complications that prompt urgent calls."),
    S(2, "E451B", "C", "SSPH01", "physics-safety", "TALK",
      "Dose Optimisation and Photon-Counting CT", "Scientific papers",
      "Physics and clinical papers on dose reduction with photon-counting detectors, "
      "organ-based tube current modulation and national diagnostic reference levels.",
      papers=[
          "Photon-counting versus energy-integrating CT for lung nodules at ultra-low dose",
          "Organ-based tube current modulation: breast dose in chest CT",
          "Updating national diagnostic reference levels with registry data",
      ]),
    S(2, "E451B", "D", "PD03", "breast", "DISCUSSION",
      "Double Reading, Single Reading Plus AI, or Something Else?", "Panel discussion",
      "Screening programmes are redesigning their reading models. Panellists from four "
      "programmes explain what they changed, what the data showed, and how they handled "
      "radiologist and public concerns.", n=4),
    S(2, "S406A", "C", "RC207", "musculoskeletal", "TALK",
      "Bone Tumours: A Systematic Approach on Radiographs", "Refresher course",
      "The radiograph is still the best single test for a bone lesion. Learn to use age, "
      "location, margin and periosteal reaction to narrow the differential, and to decide "
      "which lesions need no follow-up at all.", slides=True),
    S(2, "S406A", "B", "SSHP01", "health-policy", "TALK",
      "Access, Equity and Utilisation", "Scientific papers",
      "Who gets imaged, who waits and who never gets referred: papers on geographic access, "
      "language barriers and travel time to MRI.",
      papers=[
          "Travel time to the nearest MRI scanner and stage at cancer diagnosis",
          "Interpreter use and completion of recommended follow-up imaging",
          "Evening and weekend outpatient slots: who uses them?",
          "Mobile mammography in tribal communities: a five-year programme review",
      ]),
    S(2, "E450A", "B", "RC208", "neuroradiology", "TALK",
      "Head and Neck Imaging: Spaces, Nodes and the Treated Neck", "Refresher course",
      "A spaces-based approach to neck masses, nodal staging that matters to the oncologist, "
      "and how to read post-treatment neck imaging with NI-RADS.", slides=True),
    S(2, "S406A", "D", "SSNR02", "neuroradiology", "TALK",
      "Neurodegeneration and Amyloid-Related Imaging Abnormalities", "Scientific papers",
      "Unpublished data on MRI monitoring of patients on anti-amyloid therapies, including "
      "ARIA incidence, reader training and the role of susceptibility-weighted imaging.",
      papers=[
          "ARIA-E and ARIA-H incidence in the first 18 months of routine anti-amyloid therapy",
          "A 45-minute training module improves ARIA detection by general radiologists",
          "Automated hippocampal volumetry in a memory-clinic population",
      ]),
    S(2, "N228", "A", "HW04", "cardiac", "HANDS-ON",
      "Cardiac CT Post-Processing Lab", "Hands-on workshop",
      "Work through five coronary CT cases on individual workstations: curved multiplanar "
      "reformats, stenosis grading, plaque characterisation and CAD-RADS reporting.",
      n=3, mods=0),
    S(2, "N228", "D", "HW05", "informatics-ai", "WORKSHOP",
      "Prompting and Validating Language Models for Report Summaries", "Workshop",
      "A guided workshop on writing prompts for radiology tasks and, more importantly, on "
      "testing them: building a small reference set, scoring errors and deciding when a model "
      "is not ready. Uses synthetic reports and a locally hosted open-weight model.",
      n=3, mods=0,
      links=[("WEB", "https://example.org/nrc26/hw05-materials", "Workshop materials")]),
    S(2, "N228", "C", "HW06", "breast", "HANDS-ON",
      "Ultrasound-Guided Breast Biopsy on Phantoms", "Hands-on workshop",
      "Core needle and vacuum-assisted biopsy technique, clip placement and post-biopsy "
      "mammography on realistic phantoms, with faculty at each station.", n=4, mods=0),
    S(2, "N228", "B", "HW07", "physics-safety", "HANDS-ON",
      "MRI Safety Zone Drill", "Screening implants and managing emergencies in zone IV",
      "A simulation workshop: participants screen mock patients with implants, look up "
      "conditional labelling, and run a cardiac arrest scenario in the scanner room with "
      "the MR safety officer.", n=3, mods=0),
    S(2, "LLC", "D", "MSCB21", "musculoskeletal", "DISCUSSION",
      "Musculoskeletal Emergencies: Case-Based Review", None,
      "Fractures that hide on the first radiograph, necrotising soft-tissue infection, "
      "compartment syndrome and septic arthritis. Interactive cases with polling.", n=2),
    S(2, "LLC", "L", "PS21", "chest", "LIGHTNING_TALK",
      "Poster Discussions: Chest and Cardiac Imaging", "Five-minute presentations at the boards",
      "Authors of selected chest and cardiac posters present at their boards: post-COVID "
      "lung changes, lung ultrasound in heart failure and CT screening uptake.", n=5),
    S(2, "LLC", "C", "MSCB22", "neuroradiology", "DISCUSSION",
      "Neurorradiología de urgencias: casos clínicos", "Revisión de casos en español",
      "Sesión interactiva en español con casos de neurorradiología de urgencias: ictus, "
      "hemorragia, trombosis venosa y encefalitis. El público vota el diagnóstico antes de "
      "cada respuesta.", lang="es",
      speakers=["Camila Restrepo", "Rafael Quintero"], moderators=["Valentina Cruz"]),
    S(2, "LLC", "A", "ME02", "health-policy", "MEETING",
      "Global Radiology Outreach Interest Group", "Open meeting",
      "Members and newcomers discuss teleradiology partnerships, donated equipment that "
      "actually gets used, and training exchanges. All welcome.", n=2, mods=0),
    S(2, "HALLB", "L", "ES21", "health-policy", "TALK",
      "Your Report in Plain Language", "Exhibit stage talk",
      "Patients read their reports in the portal before their doctor calls. A radiologist "
      "and a patient partner show what patient-facing summaries look like and how to "
      "write impressions that survive being read at home.", n=2, mods=0, minutes=45),
    S(2, "HALLB", "B", "ES22", "informatics-ai", "TALK",
      "Live Demo: Structured Reporting Templates People Actually Use", "Exhibit stage talk",
      "A live build of a structured template for a common study, showing where structure "
      "helps and where free text is still the better tool.", n=1, mods=0, minutes=45),
    S(2, "HALLB", "C", "ES23", "chest", "TALK",
      "Meet the Expert: Incidental Findings on Chest CT", "Exhibit stage talk",
      "Thyroid nodules, adrenal lesions, coronary calcium and aortic dilatation: what to "
      "report, what to recommend, and what to leave alone.", n=1, mods=0, minutes=45),
    S(2, "HALLB", "D", "SM01", "health-policy", "DISCUSSION",
      "Social Media in Radiology: From Tweetorials to Trust",
      "Panel discussion — phones out, please",
      "Radiologists teach, recruit and argue in public on several networks at once. The "
      "panel covers building an educational presence, posting cases without compromising "
      "privacy, handling misinformation, and whether any of it helps careers. Live posting "
      "is encouraged — the #NRC26 tweetup follows at the Lakeside Learning Center.",
      speakers=["Nadia Okafor", "Amara Nwosu", "Jamal Robinson", "Hana Kobayashi"],
      moderators=["Morgan Ellis"], minutes=75,
      links=[("WEB", "https://example.org/nrc26/social-media-guide",
              "NRC 2026 social media guide")]),
    # ---------------------------------------------------------------- Day 3, Tuesday 1 Dec
    S(3, "LT", "A", "RC301", "interventional", "TALK",
      "Hepatocellular Carcinoma: From LI-RADS to Locoregional Therapy", "Refresher course",
      "Diagnosis and treatment of HCC in one session: LI-RADS categories and treatment "
      "response, how the tumour board chooses between ablation, chemoembolization and "
      "radioembolization, and what the diagnostic radiologist should say in the report.",
      slides=True),
    S(3, "LT", "B", "SSCH02", "chest", "TALK",
      "AI for Chest Radiographs and Opportunistic Screening", "Scientific papers",
      "Algorithms that read chest radiographs autonomously, and those that look for what "
      "nobody asked about — emphysema, osteoporosis and cardiac enlargement — on routine CT.",
      papers=[
          "Autonomous reporting of normal chest radiographs: a six-month prospective audit",
          "Opportunistic emphysema quantification on cardiac CT",
          "Chest radiograph AI in a tuberculosis screening programme",
          "Radiologist agreement with AI-flagged pneumothorax overnight",
      ]),
    S(3, "LT", "P", "PL03", "physics-safety", "TALK",
      "Keynote: The Greenest Scan Is the One Done Right", "Sustainability in imaging",
      "Imaging departments are among the most energy-hungry parts of a hospital. This keynote "
      "quantifies the carbon cost of scanners left idling, helium, contrast and "
      "inappropriate studies, and shows measures that cut emissions without harming patients "
      "or throughput.",
      speakers=["Margaret Okoye"], moderators=["Erik Nyström"],
      links=[("MEDIA", f"{SITE}/live/pl03", "Livestream")]),
    S(3, "LT", "D", "LB01", "chest", "TALK",
      "Late-Breaking Clinical Trial: LUMEN-CT",
      "AI-assisted triage versus double reading in lung cancer screening",
      "LUMEN-CT randomised screening participants at 41 sites to AI-assisted triage or "
      "standard double reading of low-dose CT. The investigators present the primary "
      "endpoint, cancers detected per 1,000 screens, together with reading time and "
      "false-positive recall, followed by an invited discussant. Results are under embargo "
      "until simultaneous publication.",
      speakers=["Wei-Lin Chang", "Marcus Delaney", "Tobias Brandt"],
      moderators=["Aisling Brennan"],
      papers=["LUMEN-CT: primary results (embargoed until 2 December 2026, 07:00 CST)"]),
    S(3, "S406A", "D", "RC302", "breast", "TALK",
      "Breast MRI: Abbreviated Protocols and High-Risk Screening", "Refresher course",
      "Abbreviated MRI can halve table time without losing cancers. Faculty share protocols, "
      "background parenchymal enhancement pitfalls and the management of the solitary "
      "enhancing focus."),
    S(3, "E450A", "C", "SSIR02", "interventional", "TALK",
      "Vascular and Venous Interventions", "Scientific papers",
      "Trial and registry data on deep venous stenting, pulmonary embolism thrombectomy and "
      "peripheral arterial disease.",
      papers=[
          "Mechanical thrombectomy for intermediate-high-risk PE: 90-day outcomes",
          "Iliac vein stent patency at three years in post-thrombotic syndrome",
          "Drug-coated balloons below the knee: a multicentre registry",
      ]),
    S(3, "E450A", "A", "RC303", "informatics-ai", "TALK",
      "Informatics Essentials: PACS, FHIR and DICOMweb", "Refresher course",
      "What happens between the scanner and your reading room, explained for radiologists. "
      "Faculty demystify worklists, HL7 and FHIR messages, DICOMweb and the integration "
      "points where AI results get lost.", slides=True),
    S(3, "E450A", "D", "SSMK02", "musculoskeletal", "TALK",
      "AI and Opportunistic Osteoporosis Screening", "Scientific papers",
      "Using CT scans done for other reasons to find low bone density and vertebral "
      "fractures before the next fall.",
      papers=[
          "L1 attenuation thresholds on routine abdominal CT versus DXA",
          "Automated vertebral fracture detection: does anyone act on the result?",
          "Opportunistic screening on chest CT in men over 65",
      ]),
    S(3, "E450A", "B", "RC304", "neuroradiology", "TALK",
      "Spine Imaging: Degenerative Disease Without Overcalling", "Refresher course",
      "Consistent nomenclature for discs and stenosis, the findings that are normal for "
      "age, and how report wording influences surgery rates and patient anxiety.",
      slides=True),
    S(3, "E451B", "B", "SSPD02", "pediatric", "TALK",
      "Pediatric Neuro and Body MRI", "Scientific papers",
      "Papers on neonatal brain MRI after hypothermia, whole-body MRI in cancer "
      "predisposition syndromes and quantitative liver MRI in children.",
      papers=[
          "Day-4 versus day-10 MRI after therapeutic hypothermia",
          "Whole-body MRI surveillance in Li-Fraumeni syndrome: yield over five years",
          "Liver fat fraction in adolescents with obesity: MRI-PDFF against biopsy",
      ]),
    S(3, "E451B", "C", "RC305", "cardiac", "TALK",
      "Aortic Disease: Acute Aortic Syndromes and TAVR Planning", "Refresher course",
      "Dissection, intramural haematoma and penetrating ulcer on CT, and the measurements the "
      "structural heart team needs before transcatheter aortic valve replacement.",
      slides=True),
    S(3, "E451B", "D", "PD04", "physics-safety", "DISCUSSION",
      "Gadolinium Retention, Ten Years On", "Panel discussion",
      "A decade after retention was first reported, what do we know? Panellists review "
      "clinical data, agent choice, dosing in children and what to tell patients who ask.",
      n=4),
    S(3, "S406A", "A", "RC306", "physics-safety", "TALK",
      "MRI and Implanted Devices: A Practical Update", "Refresher course",
      "Pacemakers, neurostimulators, cochlear implants and unlabelled legacy devices: how to "
      "scan safely and how to build a departmental process that does not depend on one "
      "heroic physicist.", slides=True),
    S(3, "S406A", "B", "SSIN02", "informatics-ai", "TALK",
      "AI Validation, Drift and Monitoring", "Scientific papers",
      "How do you know an algorithm still works after a scanner upgrade? Papers on local "
      "validation, drift detection and post-market surveillance.",
      papers=[
          "Performance drift of an intracranial haemorrhage detector after a CT upgrade",
          "Local validation with 300 cases: is it enough?",
          "A dashboard for monitoring eleven algorithms in production",
          "Subgroup performance of fracture AI by age and sex",
      ]),
    S(3, "S406A", "C", "SSBR02", "breast", "TALK",
      "Contrast-Enhanced Mammography and MRI Outcomes", "Scientific papers",
      "Comparative studies of CEM and MRI for preoperative staging, screening of women with "
      "dense breasts and response to neoadjuvant therapy.",
      papers=[
          "CEM versus MRI for preoperative staging of invasive lobular cancer",
          "Supplemental CEM screening in extremely dense breasts: first-round results",
          "Residual enhancement on MRI after neoadjuvant therapy and pathological response",
      ]),
    S(3, "E451B", "A", "RC307", "health-policy", "TALK",
      "Peer Learning Instead of Peer Review", "Building a just culture",
      "Score-based peer review punishes and rarely teaches. Faculty describe how departments "
      "moved to peer learning conferences, what they measured, and how they kept lawyers and "
      "accreditors satisfied."),
    S(3, "N228", "C", "HW08", "neuroradiology", "HANDS-ON",
      "Perfusion and Diffusion Post-Processing for Stroke", "Hands-on workshop",
      "Process perfusion and diffusion data from anonymised stroke cases, compare software "
      "outputs and learn to recognise the artefacts that produce false mismatch.",
      n=3, mods=0),
    S(3, "N228", "B", "HW09", "interventional", "HANDS-ON",
      "Embolic Agents Lab: Coils, Plugs and Liquid Embolics", "Hands-on workshop",
      "Handle and deploy coils, vascular plugs and liquid embolic agents in flow models, "
      "and discuss how to choose among them for common clinical scenarios.",
      n=4, mods=0),
    S(3, "N228", "A", "HW10", "pediatric", "HANDS-ON",
      "Pediatric Ultrasound: Hips, Pylorus and Intussusception", "Hands-on workshop",
      "Practise the three pediatric ultrasound examinations every general radiologist is "
      "asked to do, on phantoms and with video case review.", n=3, mods=0),
    S(3, "LLC", "A", "MSCB31", "cardiac", "DISCUSSION",
      "Chest Pain in the Emergency Department: Case-Based Review", None,
      "Triple rule-out CT, coronary CT in low-risk chest pain and the non-cardiac causes that "
      "mimic acute coronary syndrome. Interactive cases with audience response.", n=2),
    S(3, "LLC", "L", "PS31", "informatics-ai", "LIGHTNING_TALK",
      "Poster Discussions: Informatics and AI", "Five-minute presentations at the boards",
      "Preliminary results from work in progress: worklist prioritisation, federated "
      "learning between hospitals and automated protocol selection.", n=5),
    S(3, "LLC", "C", "MSCB32", "pediatric", "DISCUSSION",
      "Imaging of Suspected Physical Abuse", "Case-based review with the child protection team",
      "A sensitive case-based review of skeletal surveys, classic metaphyseal lesions, rib "
      "fractures and abusive head trauma, with a child protection paediatrician. The "
      "faculty discuss how to word reports that will be read in court.",
      speakers=["Hannah Abernathy", "Ifeoma Eze"], moderators=["Linnea Berg"]),
    S(3, "LLC", "D", "ME03", "informatics-ai", "MEETING",
      "Open-Source Imaging AI Community Meetup", None,
      "Maintainers and users of open-source imaging AI tools meet to share roadmaps, "
      "swap deployment stories and find collaborators. Bring your questions and your bugs.",
      n=2, mods=0),
    S(3, "HALLB", "L", "ES31", "breast", "TALK",
      "Patient Voices: What a Recall Letter Feels Like", "Exhibit stage talk",
      "A patient partner and a breast imager read real-world recall letters aloud — with "
      "permission and with details changed — and rewrite one together on stage.",
      n=2, mods=0, minutes=45),
    S(3, "HALLB", "D", "ES32", "interventional", "TALK",
      "Building an IR Clinic", "Exhibit stage talk",
      "How interventional radiologists moved from procedure technicians to clinicians with "
      "their own patients, and what it took in staffing, scheduling and billing.",
      n=1, mods=0, minutes=45),
    S(3, "HALLB", "B", "ES33", "physics-safety", "TALK",
      "Ask a Physicist: Protocol Questions From the Floor", "Exhibit stage talk",
      "Bring your protocol headaches. Two medical physicists take questions about noise, "
      "dose, artefacts and contrast timing.", n=2, mods=0, minutes=45),
    S(3, "HALLB", "C", "ES34", "health-policy", "TALK",
      "Visual Abstracts and Tweetorials: A Crash Course", "Exhibit stage talk",
      "How to turn a paper into a visual abstract and a case into a thread that teaches, "
      "with accessible image descriptions and no patient identifiers.",
      n=2, mods=0, minutes=45),
    # ---------------------------------------------------------------- Day 4, Wednesday 2 Dec
    S(4, "LT", "A", "RC401", "musculoskeletal", "TALK",
      "Knee MRI: Menisci, Ligaments and the Post-Operative Knee", "Refresher course",
      "Meniscal root and ramp lesions, the anterolateral complex and how to read the knee "
      "after meniscal repair and ACL reconstruction.", slides=True),
    S(4, "LT", "B", "PD05", "chest", "DISCUSSION",
      "LUMEN-CT in Context: What the Trial Means for Screening Programmes", "Panel discussion",
      "With the embargo lifted, the trial investigators, a screening programme director and "
      "a health economist discuss what the LUMEN-CT results mean for reading models, "
      "workforce planning and reimbursement.",
      speakers=["Wei-Lin Chang", "Fatima Al-Sayegh", "Ahmed Rashid"],
      moderators=["Sunita Karki"]),
    S(4, "LT", "P", "PL04", "neuroradiology", "TALK",
      "Closing Keynote: The Brain's Plumbing", "Glymphatics, sleep and what MRI can show",
      "Cerebrospinal fluid flow and waste clearance have become one of the liveliest topics "
      "in neuroscience. This keynote explains what current MRI techniques can and cannot "
      "measure, and why imaging may help test ideas about sleep and neurodegeneration.",
      speakers=["Leah Rosenthal"], moderators=["Kwame Asante"],
      links=[("MEDIA", f"{SITE}/live/pl04", "Livestream")]),
    S(4, "E450A", "C", "RC402", "chest", "TALK",
      "Occupational and Environmental Lung Disease", "Refresher course",
      "Silicosis from engineered stone, asbestos-related disease and the new exposures of "
      "the last decade: imaging patterns and the occupational history behind them."),
    S(4, "E450A", "A", "SSNR03", "neuroradiology", "TALK",
      "Stroke and Neurovascular", "Scientific papers",
      "Papers on thrombectomy selection, intracranial vessel wall imaging and collateral "
      "scoring.",
      papers=[
          "Thrombectomy for large core infarcts selected on non-contrast CT alone",
          "Vessel wall MRI enhancement and recurrent stroke in intracranial atherosclerosis",
          "Automated collateral scores versus expert readers",
          "Mobile stroke unit CT angiography: time saved and scans repeated",
      ]),
    S(4, "S406A", "B", "RC403", "pediatric", "TALK",
      "Pediatric Neuroimaging: Developmental Anomalies You Should Recognise",
      "Refresher course",
      "Malformations of cortical development, posterior fossa anomalies and the normal "
      "myelination milestones that keep tripping up adult-trained readers."),
    S(4, "E450A", "B", "RC404", "interventional", "TALK",
      "Prostate Artery Embolization and Men's Health Interventions", "Refresher course",
      "Patient selection, CT angiographic planning and technique for prostate artery "
      "embolization, plus varicocele and haemorrhoidal embolization.", slides=True),
    S(4, "E451B", "B", "SSCA02", "cardiac", "TALK",
      "Cardiac MRI Outcomes and Photon-Counting Coronary CT", "Scientific papers",
      "Prognostic value of CMR in heart failure and early experience with ultra-high-resolution "
      "coronary CT.",
      papers=[
          "Extracellular volume and heart-failure hospitalisation in diabetes",
          "Stent lumen visibility on ultra-high-resolution photon-counting CT",
          "Stress perfusion CMR in women with angina and no obstructive disease",
      ]),
    S(4, "E451B", "C", "RC405", "breast", "TALK",
      "Breast Imaging Audits: The Numbers That Matter", "Refresher course",
      "Recall rate, cancer detection rate, PPV and interval cancers: how to calculate them "
      "honestly, benchmark yourself and use the audit to improve rather than to blame."),
    S(4, "S406A", "A", "RC406", "informatics-ai", "TALK",
      "Deploying AI Safely: Governance Checklists That Work", "Refresher course",
      "Procurement questions, local validation, monitoring and decommissioning: a governance "
      "framework tested in both an academic centre and a small private practice.",
      slides=True),
    S(4, "E451B", "A", "SSHP02", "health-policy", "TALK",
      "Value, Cost and Workforce", "Scientific papers",
      "Economics of imaging and the people who deliver it.",
      papers=[
          "Radiologist turnover costs in 40 US practices",
          "Teleradiology overnight coverage and report turnaround",
          "Low-value imaging in the over-80s: a claims analysis",
      ]),
    S(4, "S406A", "C", "PD06", "informatics-ai", "DISCUSSION",
      "Foundation Models in Radiology: Hype, Hope and Homework", "Panel discussion",
      "Generalist models that read images and write reports are arriving fast. The panel "
      "debates evaluation, regulation and what radiologists should learn now.", n=4),
    S(4, "N228", "A", "HW11", "chest", "HANDS-ON",
      "Lung Nodule Measurement Workshop", "Manual calipers versus volumetry",
      "Measure the same nodules by hand and with volumetry software, compare results with "
      "your neighbours, and see why guidelines care about the difference.", n=3, mods=0),
    S(4, "N228", "B", "HW12", "health-policy", "WORKSHOP",
      "Writing the Business Case for a New Scanner", "Workshop",
      "Small groups draft a business case from a realistic scenario: demand, staffing, "
      "reimbursement, sustainability and the arguments that persuade a hospital board.",
      n=2, mods=0),
    S(4, "LLC", "A", "MSCB41", "interventional", "DISCUSSION",
      "Complications in Interventional Radiology: Case-Based Review", None,
      "Non-target embolization, access-site bleeding and lost wires: how the complications "
      "happened, how they were managed, and what the operators would do differently.", n=2),
    S(4, "LLC", "L", "PS41", "musculoskeletal", "LIGHTNING_TALK",
      "Poster Discussions: Musculoskeletal and Pediatric Imaging",
      "Five-minute presentations at the boards",
      "Selected posters on sports imaging, bone age AI, pediatric fracture patterns and "
      "musculoskeletal ultrasound.", n=5),
    S(4, "HALLB", "L", "ES41", "cardiac", "TALK",
      "Meet the Expert: Coronary Calcium on Non-Gated CT", "Exhibit stage talk",
      "How to grade coronary calcium on routine chest CT, and the wording that gets patients "
      "to a statin instead of an unnecessary stress test.", n=1, mods=0, minutes=45),
    S(4, "HALLB", "B", "ES42", "neuroradiology", "TALK",
      "Meet the Expert: The Do-Not-Miss List in Emergency Neuroradiology",
      "Exhibit stage talk",
      "Cerebral venous thrombosis, carotid dissection, posterior reversible encephalopathy and "
      "pituitary apoplexy: subtle on the scan, serious for the patient.",
      n=1, mods=0, minutes=45),
]

# fmt: on


# --------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slugify(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    return slug[:limit].rstrip("-")


def digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def person_guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"acct:{slugify(name)}@{ACRONYM}.example"))


def pick(options: tuple[str, ...] | list[str], *key: str) -> str:
    return options[digest(*key) % len(options)]


def social_links(name: str, track: str) -> list[dict[str, str]]:
    """The person's links: social profiles with ``service`` and maybe LinkedIn."""
    if name in NO_HANDLES:
        return []
    words = next(t[4] for t in TRACKS if t[0] == track)
    first, *_, last = ascii_fold(name).replace("'", "").split()
    first_c, last_c = first.replace("-", ""), last.replace("-", "")
    h = digest(name, "networks")
    everything = name in ALL_NETWORKS
    if not everything and h % 11 == 0:
        return []  # a few more people who simply are not on social media
    links: list[dict[str, str]] = []
    if everything or h % 10 < 7:
        # X allows 15 characters; keep the styles that fit.
        degree = "PhD" if track == "physics-safety" else "MD"
        styles = [
            f"{first_c[0]}{last_c}_{words[0]}",
            f"{last_c}{words[1]}",
            f"{first_c}Reads{words[0]}",
            f"{first_c}_{last_c}_{degree}",
            f"{first_c}{words[1]}",
        ]
        x = pick([h for h in styles if len(h) <= 15] or [f"{first_c}{words[1]}"[:15]], name, "x")
        links.append({"url": f"https://x.com/{x}", "title": "X", "service": "TWITTER"})
    if everything or (h >> 8) % 10 < 6:
        bsky = pick(
            (
                f"{first_c}{last_c}".lower(),
                f"{last_c}-{words[2]}".lower(),
                f"dr{first_c[0]}{last_c}".lower(),
            ),
            name,
            "bsky",
        )
        links.append(
            {
                "url": f"https://bsky.app/profile/{bsky}.bsky.social",
                "title": "Bluesky",
                "service": "BLUESKY",
            }
        )
    if everything or (h >> 16) % 10 < 4:
        instance = pick(("med-mastodon.com", "mastodon.social", "fediscience.org"), name, "inst")
        user = pick(
            (
                f"{first_c}{last_c}".lower(),
                f"{first_c[0]}{last_c}".lower(),
                f"{last_c}_{words[2]}".lower(),
            ),
            name,
            "masto",
        )
        links.append(
            {
                "type": "ACTIVITYPUB",
                "url": f"https://{instance}/@{user}",
                "title": "Mastodon",
                "service": "MASTODON",
            }
        )
    if everything or (h >> 24) % 10 < 2:
        threads = pick(
            (f"dr.{first_c}.{last_c}".lower(), f"{first_c}_{words[2]}".lower()), name, "threads"
        )
        links.append(
            {"url": f"https://www.threads.com/@{threads}", "title": "Threads", "service": "THREADS"}
        )
    if everything or (h >> 32) % 10 < 4:
        suffix = pick(("md", "phd", "radiology", "imaging"), name, "li")
        links.append(
            {
                "type": "WEB",
                "url": f"https://www.linkedin.com/in/{first_c.lower()}-{last_c.lower()}-{suffix}",
                "title": "LinkedIn",
            }
        )
    return links


def build_persons() -> tuple[list[dict[str, Any]], dict[str, str]]:
    persons: list[dict[str, Any]] = []
    track_of: dict[str, str] = {}
    for track, names in FACULTY.items():
        for name in names:
            assert name not in track_of, f"duplicate faculty name {name}"
            track_of[name] = track
            guid = person_guid(name)
            persons.append(
                {
                    "guid": guid,
                    "name": name,
                    "biography": f"{ROLE_BY_TRACK[track]}, "
                    f"{pick(INSTITUTIONS, name, 'inst')}. Fictional demo faculty.",
                    "url": f"{SITE}/faculty/{slugify(name)}/",
                    "links": social_links(name, track),
                }
            )
    return persons, track_of


def local(day: int, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(
        DAYS[day - 1].year, DAYS[day - 1].month, DAYS[day - 1].day, hour, minute, tzinfo=TZ
    )


def iso_duration(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")


def timing(s: S) -> tuple[datetime, datetime]:
    start_hhmm, default = SLOTS[s.slot]
    start = local(s.day, start_hhmm)
    return start, start + timedelta(minutes=s.minutes or default)


def assign_people(track_of: dict[str, str]) -> dict[str, tuple[list[str], list[str]]]:
    """Speakers and moderators per session code; nobody is in two places at once."""
    busy: dict[str, list[tuple[datetime, datetime]]] = {name: [] for name in track_of}
    load = dict.fromkeys(track_of, 0)
    result: dict[str, tuple[list[str], list[str]]] = {}

    def free(name: str, span: tuple[datetime, datetime]) -> bool:
        return all(span[1] <= b[0] or b[1] <= span[0] for b in busy[name])

    def book(name: str, code: str, span: tuple[datetime, datetime]) -> None:
        if name not in busy:
            raise SystemExit(f"{code}: unknown person {name!r}")
        if not free(name, span):
            raise SystemExit(f"{code}: {name} is double-booked")
        busy[name].append(span)
        load[name] += 1

    explicit = [s for s in SESSIONS if s.speakers]
    for s in explicit:
        for name in [*s.speakers, *s.moderators]:
            book(name, s.code, timing(s))
        result[s.code] = (list(s.speakers), list(s.moderators))
    for s in sorted((s for s in SESSIONS if not s.speakers), key=lambda s: (timing(s), s.code)):
        span = timing(s)
        wanted = len(s.papers) or s.n
        pool = sorted(
            (n for n, t in track_of.items() if t == s.track),
            key=lambda n: (load[n], digest(s.code, n)),
        )
        chosen = [n for n in pool if free(n, span)][: wanted + s.mods]
        if len(chosen) < wanted + s.mods:
            raise SystemExit(f"{s.code}: not enough free faculty in {s.track}")
        for name in chosen:
            book(name, s.code, span)
        result[s.code] = (chosen[:wanted], chosen[wanted:])
    return result


def event_links(s: S) -> list[dict[str, str]]:
    code = s.code.lower()
    links = [{"type": type_, "url": url, "title": title} for type_, url, title in s.links]
    for i, paper in enumerate(s.papers, start=1):
        links.append(
            {
                "type": "PAPER",
                "url": f"https://doi.org/10.5555/{ACRONYM}.{code}.{i}",
                "title": paper,
            }
        )
    if s.slides:
        links.append(
            {"type": "SLIDES", "url": f"{SITE}/slides/{code}.pdf", "title": "Handout (PDF)"}
        )
    links.append(
        {
            "type": "FEEDBACK",
            "url": f"{SITE}/programme/{code}/feedback/",
            "title": "Rate this session",
        }
    )
    return links


def build() -> dict[str, object]:
    codes = [s.code for s in SESSIONS]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise SystemExit(f"duplicate session codes: {duplicates}")
    persons, track_of = build_persons()
    guid_of = {p["guid"]: p for p in persons}
    people = assign_people(track_of)
    rooms = {}
    for key, (name, type_, capacity, description) in ROOMS.items():
        rooms[key] = {
            "name": name,
            "slug": slugify(name),
            "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SITE}/rooms/{slugify(name)}")),
            "type": type_,
            "capacity": capacity,
            "description": description,
            "features": {
                "recording": "RECORD_BY_DEFAULT"
                if type_ == "LECTURE_HALL"
                else "NOT_RECORDED_BY_DEFAULT"
            },
        }
    events: list[dict[str, Any]] = []
    for s in sorted(SESSIONS, key=lambda s: (timing(s), list(ROOMS).index(s.room))):
        assert s.track in TRACK_SLUGS, s.code
        start, end = timing(s)
        speakers, moderators = people[s.code]
        room = rooms[s.room]
        participants = [
            {"guid": person_guid(n), "name": n, "role": "MODERATOR"} for n in moderators
        ]
        participants += [{"guid": person_guid(n), "name": n, "role": "SPEAKER"} for n in speakers]
        for p in participants:
            assert p["guid"] in guid_of, p
        events.append(
            {
                "type": s.type,
                "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SITE}/programme/{s.code.lower()}")),
                "code": s.code,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "duration": iso_duration(int((end - start).total_seconds() // 60)),
                "room": {"name": room["name"], "slug": room["slug"], "guid": room["guid"]},
                "url": f"{SITE}/programme/{s.code.lower()}/",
                "slug": f"{ACRONYM}-{s.code.lower()}-{slugify(s.title, 48)}",
                "title": s.title,
                "subtitle": s.subtitle,
                "language": s.lang,
                "track": {"slug": s.track},
                "abstract": s.abstract,
                "logo": None,
                "participants": participants,
                "links": event_links(s),
                "state": "CONFIRMED",
            }
        )
    days = [
        {
            "index": i,
            "date": d.isoformat(),
            "start": local(i, DAY_START).isoformat(),
            "end": local(i, DAY_END).isoformat(),
        }
        for i, d in enumerate(DAYS, start=1)
    ]
    conference = {
        "acronym": ACRONYM,
        "title": "Northern Radiology Congress 2026",
        "description": "Four days of refresher courses, scientific papers, hands-on workshops and "
        "debate for radiologists, physicists, technologists and trainees. A "
        "fictional congress shipped with Backchannel as its demo programme.",
        "start": min(e["start"] for e in events),
        "end": max(e["end"] for e in events),
        "time_zone_name": "America/Chicago",
        "url": f"{SITE}/",
        "languages": ["en", "es"],
        "defaults": {"theme": "light", "language": "en"},
        "colors": {"primary": "#1F4E79", "background": "#F5F8FB"},
        "keywords": ["radiology", "medical imaging", "NRC26"],
        "tracks": [
            {
                "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{SITE}/tracks/{slug}")),
                "name": name,
                "slug": slug,
                "color": light,
                "colors": {"light": light, "dark": dark},
            }
            for slug, name, light, dark, _ in TRACKS
        ],
        "rooms": list(rooms.values()),
        "days": days,
    }
    used = {p["guid"] for e in events for p in e["participants"]}
    return {
        "$schema": "https://c3voc.de/schedule/schema2.json",
        "generator": {"name": "backchannel scripts/generate_demo_programme.py", "version": "1"},
        "schedule": {
            "version": "2026-10-01 demo",
            "base_url": f"{SITE}/",
            "conference": conference,
            "events": events,
            "persons": [p for p in persons if p["guid"] in used],
        },
    }


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale; re-run the generator", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    data = json.loads(text)["schedule"]
    print(
        f"wrote {OUTPUT.relative_to(ROOT)}: {len(data['events'])} sessions, "
        f"{len(data['persons'])} people, {len(data['conference']['rooms'])} rooms, "
        f"{len(data['conference']['days'])} days"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
