"""Danish and English texts and number formats of the report.

Every label, heading and note of the report comes from here, so a page is
never mixed-language. Danish writes 1.234,5 and English 1,234.5.
"""

from __future__ import annotations

import math
from typing import Any

from boligeval.errors import ReportError

__all__ = ["LANGS", "TEXT", "fmt_int", "fmt_num", "label", "lower_first", "text"]

LANGS = ("da", "en")

# Headings: every one differs between the languages (a test checks the
# Danish page holds none of the English headings and vice versa).
HEADINGS = {
    "da": {
        "report_title": "Effekt- og resultatevaluering af boligsociale helhedsplaner",
        "contents": "Indholdsfortegnelse",
        "summary": "Sammenfatning af resultaterne",
        "design": "Design og opgørelse af datagrundlaget",
        "baseline": "Sammenlignelighed før indsatsen",
        "effects": "Effekter for beboere og tilflyttere",
        "rent_support": "Huslejestøtte og helhedsplaner",
        "movers": "Individniveau: modeller med og uden tilflyttere",
        "diagnostics": "Ud over den klassiske DiD: diagnostik og følsomhed",
        "survey": "Resultater fra surveyen blandt aktørerne",
        "organisation": "Organisering: krydstabeller",
        "methods": "Metodenoter",
        "suppression": "Oversigt over diskretionering",
        "concordance": "Bilag: Tabeller og figurer i midtvejsevalueringen fra 2013",
    },
    "en": {
        "report_title": "Effect and results evaluation of social master plans",
        "contents": "Table of contents",
        "summary": "Summary of findings",
        "design": "Design and row accounting",
        "baseline": "Balance at baseline",
        "effects": "Effects on residents and in-movers",
        "rent_support": "Rent support and master plans",
        "movers": "Individual level: models with and without in-movers",
        "diagnostics": "Beyond two-way fixed effects: diagnostics and sensitivity",
        "survey": "Results of the actor survey",
        "organisation": "Organisation: cross-tabulations",
        "methods": "Method notes",
        "suppression": "Overview of disclosure control",
        "concordance": "Appendix: Tables and figures of the 2013 mid-term evaluation",
    },
}

_COMMON = {
    "da": {
        "generated": "Dannet",
        "suppressed_note": (
            "· = undertrykt af hensyn til diskretion (færre end {k} personer bag tallet, "
            "én person med mere end {d} af summen, eller et komplementært felt, der ellers kunne "
            "udledes af en total)."
        ),
        "stars_note": "Signifikansniveau: * 0,1; ** 0,05 og *** 0,01.",
        "se_note": "Standardfejl i parentes, clustret på helhedsplansniveau (CR1).",
        "fe_note": "Alle modeller er kontrolleret for boligafdelings-fixed-effects.",
        "indiv_sample_note": (
            "Modellerne på individniveau bruger alle personobservationer i boligafdelinger, der "
            "findes i registrene i hvert måleår, uden minimumsantallet på 20 pr. afdeling. Derfor "
            "indgår flere afdelinger og observationer end i tabellerne på afdelingsniveau."
        ),
        "source": "Kilde: Landsbyggefonden, Danmarks Statistik og egne beregninger.",
        "survey_source": (
            "Kilde: Survey blandt projektledere, kommuner, forretningsførere og "
            "afdelingsbestyrelser."
        ),
        "n_departments": "Antal boligafdelinger",
        "p_value_romano_wolf": "p-værdi, Romano-Wolf",
        "p_value_holm": "p-værdi, Holm",
        "multiple_testing_note": (
            "Romano-Wolf- og Holm-korrigerede p-værdier tager højde for, at tabellens {n} "
            "effekter testes samtidig (wild cluster bootstrap med helhedsplanen som klynge)."
        ),
        "n_plans": "Antal helhedsplaner",
        "n_obs": "Antal observationer",
        "adj_r2": "Justeret R²",
        "n_basis": "Beregningsgrundlag",
        "total": "I alt",
        "table": "Tabel",
        "figure": "Figur",
        "estimate": "Estimat",
        "std_error": "Standardfejl",
        "ci": "95 %-konfidensinterval",
        "ci_low": "Nedre grænse",
        "ci_high": "Øvre grænse",
        "p_value": "p-værdi",
        "population": "Population",
        "outcome": "Udfaldsmål",
        "term": "Led",
        "group": "Gruppe",
        "time": "År",
        "event_time": "År i forhold til start",
        "event_years": "({x} år)",
        "event_period_length": "(1 måleperiode = {x} år)",
        "weight": "Vægt",
        "comparison": "Sammenligning",
        "model": "Model",
        "count": "Antal",
        "reason": "Årsag",
        "value": "Værdi",
        "statistic": "Størrelse",
        "actor": "Aktørgruppe",
        "wave": "Bølge",
        "item": "Spørgsmål",
        "subset": "Udvalg",
        "n": "Antal",
        "unit_plan": (
            "Enhed: helhedsplan (aktørgruppens svar om samme plan er gennemsnit); aktørgrupper "
            "vægtet lige. n er antal helhedsplaner."
        ),
        "unit_plan_actor": (
            "Ved »på tværs af aktører« er n antal planbesvarelser (helhedsplan × aktørgruppe), "
            "summeret over aktørgrupperne: en plan med svar fra tre aktørgrupper tæller tre gange."
        ),
        "unit_answer": "Enhed: besvarelse (ingen gennemsnit pr. plan).",
        "plans_source": "Kilde: Landsbyggefondens registreringer af helhedsplanerne.",
        "plans_survey_source": (
            "Kilde: Landsbyggefondens registreringer af helhedsplanerne; hvor de mangler, "
            "projektledernes svar i surveyen."
        ),
        "crosstab_test_note": (
            "p-værdi fra chi²-test eller Fishers eksakte test. Testen vises ikke (·), når en "
            "af dens rækker er diskretioneret."
        ),
        "goals_top_title": (
            "De tre formål, flest i hver aktørgruppe i høj grad ser som formål med indsatsen"
        ),
        "goals_top_goal": "Formål",
        "other_theme": "Uden tema",
        "goals_top_share": "I høj grad formålet, pct.",
        "actor_group": "Aktørgruppe",
        "focus_title": "Helhedsplaner efter {item} og {group}",
        "focus_rows_note": "Fordelingerne summer til 100 procent vandret.",
        "focus_test_note": "Forskel mellem rækkerne: p = {p} ({test}).",
        "result_area_note": (
            "Gennemsnit af aktørgruppens planbesvarelser; områderne er sorteret efter "
            "gennemsnittet på tværs af aktørgrupperne (vægtet lige). 1 = slet ikke, "
            "4 = i høj grad."
        ),
        "result_type_note": (
            "Gennemsnit på tværs af aktørgrupperne (vægtet lige), grupperet i seedens "
            "temaer; temaets linje er gennemsnittet af dets resultattyper. 1 = slet ikke, "
            "4 = i høj grad."
        ),
        "difference": "Forskel",
        "mean": "Gennemsnit",
        "control": "Kontrolgruppe",
        "cohort": "Indsatsgruppe",
        "departments_table": "Boligafdelinger og personobservationer",
        "residents_table": "Enheder pr. population og udfaldsmål",
        "departments_used": "Afdelinger anvendt",
        "departments_below": "Afdelinger under minimumsantallet",
        "units_used": "Enheder anvendt",
        "unit_kind": "Enhed",
        "combined_test": (
            "Samlet effekt (ψ + τ + ω) med egen standardfejl fra den klyngerobuste kovariansmatrix."
        ),
        "no_findings": "Der er ingen offentliggjorte estimater at sammenfatte.",
        "finding_sig": "{what}: {est} ({se}), statistisk signifikant på {level} pct.-niveau.",
        "finding_ns": "{what}: {est} ({se}), ikke statistisk signifikant.",
        "conc_text": "Tekst, kap.",
        "finding_youth": (
            "Børn og unge: {sig} af {n} estimerede effekter på uddannelse, anbringelser, domme "
            "og sundhed er statistisk signifikante på 5 pct.-niveau."
        ),
        "youth_note": (
            "Forskel-i-forskelle på afdelingsniveau som i de øvrige effekttabeller, for børn og "
            "unge generelt og for socialt udsatte børn og unge, hvis forældre (familiens voksne) "
            "ingen kompetencegivende uddannelse har, eller hvor ingen har beskæftigelse som "
            "primær indkomstkilde det pågældende år. Karakterer måles i eksamensåret, "
            "ungdomsuddannelse året efter, domme fra 15 år. Tomme felter: for få børn og unge "
            "med udfaldet i afdelingerne til at estimere. Med få helhedsplaner bag et estimat "
            "er de klyngerobuste standardfejl for små, og stjernerne lover for meget."
        ),
        "finding_survey": (
            "Niveauet af udfordringer på tværs af aktører var {a} i {w0} og {b} i {w1} (skala 1-4)."
        ),
        "finding_suppressed": "{what}: undertrykt af hensyn til diskretion.",
        "intro_summary": (
            "Hovedresultater for helhedsplanernes betydning; enhed og model fremgår af de enkelte "
            "afsnit."
        ),
        "intro_design": (
            "Alle boligafdelinger og personobservationer er gjort op: de indgår i analysen eller "
            "er udeladt med angivet årsag."
        ),
        "intro_baseline": (
            "Boligafdelingernes karakteristika i før-målingen, særskilt for kontrolgruppen og "
            "indsatsgrupperne."
        ),
        "balance_note": (
            "Stjerner angiver, om forskellen til kontrolgruppen er signifikant: *0,1; ** 0,05 og "
            "*** 0,01. "
            "Fishers eksakte test for andele, Wilcoxon rangsumtest for værelsesandelen, t-test "
            "med ens varians for udsathedsgraden."
        ),
        "intro_effects": (
            "Forskel-i-forskelle-estimater på afdelingsniveau (år- og indsatsgruppe-dummies, "
            "klyngerobuste standardfejl på helhedsplansniveau)."
        ),
        "intro_rent_support": (
            "Tredobbelt forskel: kontrolgruppen er afdelinger uden helhedsplan og uden "
            "huslejestøtte i perioden."
        ),
        "intro_movers": (
            "Individniveau med boligafdelings- og års-fixed-effects; to modeller pr. udfaldsmål: "
            "uden og med tilflytterled."
        ),
        "intro_diagnostics": (
            "Estimater, der ikke hviler på antagelsen om homogene effekter i den klassiske "
            "to-vejs-model."
        ),
        "intro_survey": "Aktørernes vurderinger på en skala fra 1 (slet ikke) til 4 (i høj grad); "
        '"ved ikke" og "ikke relevant" indgår ikke.',
        "intro_organisation": (
            "Udvalgte spørgsmål fordelt efter organiseringen af helhedsplanen, med chi²- eller "
            "Fishers test."
        ),
        "intro_suppression": (
            "Antal værdier undertrykt eller fjernet af diskretionsregler, pr. afsnit og regel."
        ),
        "change_note": (
            "Forskel i gennemsnitlig score (første bølge minus seneste); positiv = udfordringen "
            "vurderes mindre, negativ = større. "
            "Stjerner fra parret test: * 0,1; ** 0,05 og *** 0,01."
        ),
        "appendix_open": "Vis tabellen ({n} rækker)",
        "intro_concordance": (
            "Hver nummereret tabel og figur i midtvejsevalueringen af Landsbyggefondens "
            "2006-10-pulje (SFI og Rambøll, 2013), og hvor den findes i denne rapport, eller "
            "hvorfor den ikke gør."
        ),
        "conc_seed": "Midtvejsevalueringen",
        "conc_content": "Indhold",
        "conc_where": "I denne rapport",
        "conc_table": "tabel",
        "conc_figure": "figur",
        "conc_not_yet": "Ikke med endnu: {why}",
        "conc_out": "Ikke med: {why}",
        "conc_absent": "Ikke med i denne kørsel (analysen eller dens data mangler)",
        "rs_rounds_title": (
            "Boligafdelinger fordelt efter modtagelse af huslejestøtte, særskilt for "
            "kontrolgruppen og indsatsgrupperne (pct.)"
        ),
        "rs_none": "Modtager ikke huslejestøtte i perioden",
        "rs_round": "Modtager huslejestøtte i uddelingsrunde {x}",
        "rs_deprivation_title": (
            "Boligafdelingernes gennemsnitlige udsathedsgrad i før-målingen, særskilt for "
            "kontrolgruppen og indsatsgrupperne samt for, om de modtager huslejestøtte"
        ),
        "rs_without": "uden huslejestøtte",
        "rs_with": "med huslejestøtte",
        "rs_intervention": "Indsatsgrupper",
        "rs_deprivation_note": (
            "Stjerner angiver, om forskellen mellem afdelinger med og uden huslejestøtte inden "
            "for kontrolgruppen og inden for indsatsgrupperne er signifikant: * 0,1; ** 0,05 og "
            "*** 0,01 (t-test med ens varians). Enhed: boligafdeling."
        ),
        "rs_unit_note": "Enhed: boligafdeling; beregningsgrundlag = antal boligafdelinger.",
        "section": "Afsnit",
        "rule": "Regel",
        "methods_text": [
            (
                "Design: indsatsgrupper efter tilsagnsår; en boligafdeling er i en aktiv "
                "helhedsplan fra planens startår. "
                "Før-målingen er det første måleår."
            ),
            (
                "Forskel-i-forskelle: Y = år-dummies + indsatsgruppe-dummies + τ·aktiv plan + "
                "fejl, estimeret med OLS; "
                "standardfejl clustret på helhedsplan med småstikprøvefaktoren "
                "G/(G−1)·(N−1)/(N−K) og t-fordeling med G−1 frihedsgrader."
            ),
            (
                "Huslejestøtte: tredobbelt forskel med ψ (huslejestøtte), τ (helhedsplan) og ω "
                "(huslejestøtte i helhedsplan); "
                "den samlede effekt ψ + τ + ω testes med sin egen standardfejl."
            ),
            (
                "Individniveau: gentagne tværsnit med boligafdelings- og års-fixed-effects; "
                "tilflytter = flyttet ind i måleåret."
            ),
            (
                "Diskretion: ethvert offentliggjort tal hviler på mindst {k} personer; for beløb "
                "har ingen person mere end {d} af summen; "
                "komplementære felter undertrykkes, hvor en total ellers ville afsløre et "
                "undertrykt felt. "
                "Regressioner offentliggøres kun, når alle afdeling-år-celler bag dem overholder "
                "reglerne. "
                "Minima, maksima og enkeltposter eksporteres aldrig."
            ),
            "Beløb er i faste priser; andele i procent og effekter på andele i procentpoint.",
        ],
    },
    "en": {
        "generated": "Generated",
        "suppressed_note": (
            "· = suppressed for disclosure control (fewer than {k} persons behind the number, "
            "one person holding more than {d} of the sum, or a complementary cell that a total "
            "would otherwise reveal)."
        ),
        "stars_note": "Significance level: * 0.1; ** 0.05 and *** 0.01.",
        "se_note": "Standard errors in parentheses, clustered on plan (CR1).",
        "fe_note": "All models include department fixed effects.",
        "indiv_sample_note": (
            "The individual-level models use every person observation in departments found in "
            "the registers in every measurement year, without the minimum count of 20 per "
            "department; so more departments and observations enter than in the area-level "
            "tables."
        ),
        "source": "Source: Landsbyggefonden, Statistics Denmark and own calculations.",
        "survey_source": (
            "Source: survey of project leaders, municipalities, housing managers and tenant boards."
        ),
        "n_departments": "Number of departments",
        "p_value_romano_wolf": "p-value, Romano-Wolf",
        "p_value_holm": "p-value, Holm",
        "multiple_testing_note": (
            "Romano-Wolf and Holm adjusted p-values account for the {n} effects of the "
            "table being tested at once (wild cluster bootstrap, plans as clusters)."
        ),
        "n_plans": "Number of plans",
        "n_obs": "Number of observations",
        "adj_r2": "Adjusted R²",
        "n_basis": "Basis (N)",
        "total": "Total",
        "table": "Table",
        "figure": "Figure",
        "estimate": "Estimate",
        "std_error": "Standard error",
        "ci": "95% confidence interval",
        "ci_low": "Lower bound",
        "ci_high": "Upper bound",
        "p_value": "p-value",
        "population": "Population",
        "outcome": "Outcome",
        "term": "Term",
        "group": "Group",
        "time": "Year",
        "event_time": "Years relative to start",
        "event_years": "({x} years)",
        "event_period_length": "(1 measurement period = {x} years)",
        "weight": "Weight",
        "comparison": "Comparison",
        "model": "Model",
        "count": "Count",
        "reason": "Reason",
        "value": "Value",
        "statistic": "Statistic",
        "actor": "Actor group",
        "wave": "Wave",
        "item": "Item",
        "subset": "Subset",
        "n": "N",
        "unit_plan": (
            "Unit: plan (answers of an actor group about the same plan are averaged); actor "
            "groups weighted equally. n is the number of plans."
        ),
        "unit_plan_actor": (
            "For \"across actors\", n is the number of plan answers (plan × actor group), summed "
            "over the actor groups: a plan answered by three actor groups counts three times."
        ),
        "unit_answer": "Unit: answer (no averaging per plan).",
        "plans_source": "Source: Landsbyggefonden's records of the plans.",
        "plans_survey_source": (
            "Source: Landsbyggefonden's records of the plans; where they are missing, the "
            "project leaders' survey answers."
        ),
        "crosstab_test_note": (
            "p-value from a chi-square or Fisher's exact test. The test is not shown (·) when "
            "one of its rows is suppressed."
        ),
        "goals_top_title": (
            "The three goals most often seen in each actor group as pursued to a high degree"
        ),
        "goals_top_goal": "Goal",
        "other_theme": "Without a theme",
        "goals_top_share": "Goal to a high degree, %",
        "actor_group": "Actor group",
        "focus_title": "Plans by {item} and {group}",
        "focus_rows_note": "Each row sums to 100 per cent.",
        "focus_test_note": "Difference between the rows: p = {p} ({test}).",
        "result_area_note": (
            "Mean of the actor group's plan answers; areas are sorted by the mean across actor "
            "groups (weighted equally). 1 = not at all, 4 = to a high degree."
        ),
        "result_type_note": (
            "Mean across actor groups (weighted equally), grouped into the seed's themes; a "
            "theme's line is the mean of its result types. 1 = not at all, 4 = to a high degree."
        ),
        "difference": "Difference",
        "mean": "Mean",
        "control": "Control group",
        "cohort": "Intervention group",
        "departments_table": "Departments and person observations",
        "residents_table": "Units by population and outcome",
        "departments_used": "Departments used",
        "departments_below": "Departments below the minimum count",
        "units_used": "Units used",
        "unit_kind": "Unit",
        "combined_test": (
            "Combined effect (ψ + τ + ω) with its own standard error from the cluster-robust "
            "covariance."
        ),
        "no_findings": "There are no published estimates to summarise.",
        "finding_sig": "{what}: {est} ({se}), statistically significant at the {level}% level.",
        "finding_ns": "{what}: {est} ({se}), not statistically significant.",
        "conc_text": "Text, ch.",
        "finding_youth": (
            "Children and youth: {sig} of {n} estimated effects on education, placements, "
            "convictions and health are statistically significant at the 5% level."
        ),
        "youth_note": (
            "Department-level difference-in-differences as in the other effect tables, for "
            "children and youth in general and for socially vulnerable children and youth, whose "
            "parents (the family's adults) have no competence-giving education, or none of whom "
            "has employment as primary income source that year. Grades are measured in the exam "
            "year, youth education the year after, convictions from age 15. Empty cells: too "
            "few children and youth with the outcome in the departments to estimate. With few "
            "plans behind an estimate, the cluster-robust standard errors are too small and "
            "the stars promise too much."
        ),
        "finding_survey": (
            "The level of challenges across actors was {a} in {w0} and {b} in {w1} (scale 1-4)."
        ),
        "finding_suppressed": "{what}: suppressed for disclosure control.",
        "intro_summary": (
            "Main results on the effect of the plans; unit and model are given in each section."
        ),
        "intro_design": (
            "Every department and every person observation is accounted for: it enters the "
            "analysis or is excluded with the reason given."
        ),
        "intro_baseline": (
            "Department characteristics at baseline, for the control group and each intervention "
            "group."
        ),
        "balance_note": (
            "Stars show whether the difference from the control group is significant: * 0.1; ** "
            "0.05 and *** 0.01. "
            "Fisher's exact test for shares, Wilcoxon rank-sum for the room share, equal-variance "
            "t-test for the deprivation score."
        ),
        "intro_effects": (
            "Department-level difference-in-differences estimates (year and cohort dummies, "
            "cluster-robust standard errors on plan)."
        ),
        "intro_rent_support": (
            "Triple differences: the control group is departments with neither a plan nor rent "
            "support in the period."
        ),
        "intro_movers": (
            "Individual level with department and year fixed effects; two models per outcome: "
            "without and with mover terms."
        ),
        "intro_diagnostics": (
            "Estimates that do not rest on the assumption of homogeneous effects in the classic "
            "two-way model."
        ),
        "intro_survey": (
            "Actors' assessments on a scale from 1 (not at all) to 4 (to a high degree); "
            '"don\'t know" and "not relevant" are left out.'
        ),
        "intro_organisation": (
            "Selected items by how the plan is organised, with a chi-square or Fisher exact test."
        ),
        "intro_suppression": (
            "Number of values suppressed or removed by the disclosure rules, by section and rule."
        ),
        "change_note": (
            "Difference in mean score (first wave minus latest); positive = the challenge is "
            "rated smaller, negative = larger. "
            "Stars from a paired test: * 0.1; ** 0.05 and *** 0.01."
        ),
        "appendix_open": "Show the table ({n} rows)",
        "intro_concordance": (
            "Every numbered table and figure of the mid-term evaluation of Landsbyggefonden's "
            "2006-10 pool (SFI and Rambøll, 2013), and where it is in this report, or why not."
        ),
        "conc_seed": "Mid-term evaluation",
        "conc_content": "Content",
        "conc_where": "In this report",
        "conc_table": "table",
        "conc_figure": "figure",
        "conc_not_yet": "Not yet: {why}",
        "conc_out": "Not included: {why}",
        "conc_absent": "Not in this run (the analysis or its data are missing)",
        "rs_rounds_title": (
            "Departments by receipt of rent support, for the control group and the "
            "intervention groups (%)"
        ),
        "rs_none": "No rent support in the period",
        "rs_round": "Rent support in round {x}",
        "rs_deprivation_title": (
            "Mean deprivation score of departments at baseline, for the control group and the "
            "intervention groups, without and with rent support"
        ),
        "rs_without": "without rent support",
        "rs_with": "with rent support",
        "rs_intervention": "Intervention groups",
        "rs_deprivation_note": (
            "Stars show whether departments with rent support differ from those without it "
            "within the control group and within the intervention groups: * 0.1; ** 0.05 and "
            "*** 0.01 (equal-variance t-test). Unit: department."
        ),
        "rs_unit_note": "Unit: department; basis = number of departments.",
        "section": "Section",
        "rule": "Rule",
        "methods_text": [
            (
                "Design: intervention groups by grant year; a department is in an active plan "
                "from the plan's start year. "
                "The baseline is the first measurement year."
            ),
            (
                "Difference-in-differences: Y = year dummies + cohort dummies + τ·active plan + "
                "error, estimated by OLS; "
                "standard errors clustered on plan with the small-sample factor "
                "G/(G−1)·(N−1)/(N−K) and a t distribution with G−1 degrees of freedom."
            ),
            (
                "Rent support: triple differences with ψ (rent support), τ (plan) and ω (rent "
                "support within plans); "
                "the combined effect ψ + τ + ω is tested with its own standard error."
            ),
            (
                "Individual level: repeated cross sections with department and year fixed "
                "effects; in-mover = moved in during the measurement year."
            ),
            (
                "Disclosure control: every published number rests on at least {k} persons; for "
                "amounts no person holds more than {d} of the sum; "
                "complementary cells are suppressed where a total would otherwise reveal a "
                "suppressed cell. "
                "Regressions are published only when every department-year cell behind them "
                "passes. "
                "Minima, maxima and single records are never exported."
            ),
            (
                "Amounts are in constant prices; shares in percent and effects on shares in "
                "percentage points."
            ),
        ],
    },
}

_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "population": {
        "da": {
            "all": "Alle beboere",
            "working_age": "Beboere i den erhvervsaktive alder",
            "households": "Husstande",
            "in_movers": "Alle tilflyttere",
            "in_movers_working_age": "Tilflyttere i den erhvervsaktive alder",
            "in_mover_households": "Husstande med min. én tilflytter",
            "all_in_mover_households": "Husstande, hvor alle er tilflyttere",
            "out_movers": "Fraflyttere",
            "youth": "Børn og unge",
            "vulnerable_youth": "Socialt udsatte børn og unge",
        },
        "en": {
            "all": "All residents",
            "working_age": "Residents of working age",
            "households": "Households",
            "in_movers": "All in-movers",
            "in_movers_working_age": "In-movers of working age",
            "in_mover_households": "Households with at least one in-mover",
            "all_in_mover_households": "Households of in-movers only",
            "out_movers": "Out-movers",
            "youth": "Children and youth",
            "vulnerable_youth": "Socially vulnerable children and youth",
        },
    },
    "outcome": {
        "da": {
            "employed": "Andel med beskæftigelse som primær indkomstkilde (pct.)",
            "disposable_income": "Disponibel indkomst (kr.)",
            "equivalised_income": "Husstandsækvivaleret disponibel indkomst (kr.)",
            "competence_education": "Andel med kompetencegivende uddannelse (pct.)",
            "deprivation": "Udsathedsgrad (point)",
            "exam_grade_relative": "Relativt karakterniveau ved afgangseksamen (karakterpoint)",
            "youth_education_started": "Andel, der har påbegyndt en ungdomsuddannelse (pct.)",
            "placed_outside_home": "Andel anbragt uden for hjemmet (pct.)",
            "convicted": "Andel med ubetinget eller betinget dom (pct.)",
            "gp_visits": "Besøg hos praktiserende læge (antal pr. år)",
            "dentist_visits": "Besøg hos tandlæge (antal pr. år)",
        },
        "en": {
            "employed": "Share with employment as primary income source (%)",
            "disposable_income": "Disposable income (DKK)",
            "equivalised_income": "Household-equivalised disposable income (DKK)",
            "competence_education": "Share with competence-giving education (%)",
            "deprivation": "Deprivation score (points)",
            "exam_grade_relative": "Relative grade at the lower-secondary leaving exam (points)",
            "youth_education_started": "Share who started a youth education (%)",
            "placed_outside_home": "Share placed outside the home (%)",
            "convicted": "Share with an unconditional or conditional conviction (%)",
            "gp_visits": "Visits to the general practitioner (per year)",
            "dentist_visits": "Visits to the dentist (per year)",
        },
    },
    "term": {
        "da": {
            "active_plan": "Betydningen af helhedsplaner",
            "rent_support": "Effekten af huslejestøtte (ψ)",
            "rent_support_in_plan": "Effekten af huslejestøtte i helhedsplaner (ω)",
            "combined": "Samlet effekt (ψ + τ + ω)",
            "in_mover": "Tilflyttere",
            "in_mover_active_plan": "Tilflyttere i aktive helhedsplaner",
            "year": "År {x}",
            "cohort": "Indsatsgruppe {x} i før-målingen",
            "plan_tau": "Effekten af helhedsplaner (τ)",
            "capital_area": "København og omegn",
            "mde": "Mindste påviselige effekt",
            "weight": "Vægt",
            "event": "Måleperiode {x} i forhold til start",
            "Intercept": "Konstant",
            "capital_area_x_active_plan": "København og omegn × helhedsplan",
            "capital_area_x_year": "København og omegn × år {x}",
            "rent_support_cohort": "Huslejestøtte, uddelingsrunde {x}",
        },
        "en": {
            "active_plan": "Effect of plans",
            "rent_support": "Effect of rent support (ψ)",
            "rent_support_in_plan": "Effect of rent support within plans (ω)",
            "combined": "Combined effect (ψ + τ + ω)",
            "in_mover": "In-movers",
            "in_mover_active_plan": "In-movers in active plans",
            "year": "Year {x}",
            "cohort": "Intervention group {x} at baseline",
            "plan_tau": "Effect of plans (τ)",
            "capital_area": "Copenhagen and surroundings",
            "mde": "Minimum detectable effect",
            "weight": "Weight",
            "event": "Measurement period {x} relative to start",
            "Intercept": "Constant",
            "capital_area_x_active_plan": "Copenhagen and surroundings × plan",
            "capital_area_x_year": "Copenhagen and surroundings × year {x}",
            "rent_support_cohort": "Rent support, round {x}",
        },
    },
    "analysis": {
        "da": {
            "area_did": "Forskel-i-forskelle på afdelingsniveau",
            "youth_did": ("Børn og unge: effekter på uddannelse, anbringelser, domme og "
                          "sundhed"),
            "area_ddd_rent_support": "Tredobbelt forskel: huslejestøtte",
            "area_ddd_capital": "Følsomhed: København og omegn",
            "individual_did": "Forskel-i-forskelle på individniveau",
            "att_gt": "Gruppe-tid-effekter, ATT(g, t)",
            "att_aggregate": "Sammenvejede gruppe-tid-effekter",
            "bacon": "Goodman-Bacon-dekomponering",
            "event_study": "Event study-analyse",
            "event_study_imputation": "Event study ved imputation (Borusyak, Jaravel og Spiess)",
            "event_study_sun_abraham": "Event study med kohortevægte (Sun og Abraham)",
            "did_switching": ("Helhedsplaner der slutter og starter igen (de Chaisemartin og "
                              "D'Haultfoeuille)"),
            "wild_bootstrap": "Inferens med wild cluster bootstrap",
            "randomization_inference": "Randomiseringsinferens",
            "honest_did": "Følsomhed over for parallelle tendenser",
            "decomposition": "Dekomponering efter flytninger",
            "power": "Styrke og mindste påviselige effekt",
            "cost_effectiveness": "Omkostninger og omkostningseffektivitet",
            "reach": "Effekten for de beboere, indsatsen når",
            "accounting": "Opgørelse af datagrundlaget",
            "balance": "Sammenlignelighed før indsatsen",
            "response_rates": "Svarprocenter",
            "goals": "Mål for helhedsplanerne",
            "barriers": "Barrierer",
            "intervention_areas": "Indsatsområder",
            "item_mean": "Gennemsnit pr. spørgsmål",
            "challenge_level": "Samlet niveau af udfordringer",
            "challenge_change": "Ændring i udfordringer mellem bølgerne",
            "largest_challenges": "De største udfordringer",
            "result_area": "Resultater pr. indsatsområde",
            "result_type": "Resultater pr. resultattype",
            "distribution": "Fordeling af svar",
            "crosstab": "Krydstabel",
            "plan_attributes": "Planernes redskaber fordelt på indsatsgrupper",
            "rent_support_groups": "Huslejestøtte pr. indsatsgruppe og udsathed",
        },
        "en": {
            "area_did": "Department-level difference-in-differences",
            "youth_did": ("Children and youth: effects on education, placements, convictions "
                          "and health"),
            "area_ddd_rent_support": "Triple differences: rent support",
            "area_ddd_capital": "Sensitivity: Copenhagen and surroundings",
            "individual_did": "Individual-level difference-in-differences",
            "att_gt": "Group-time effects, ATT(g, t)",
            "att_aggregate": "Aggregated group-time effects",
            "bacon": "Goodman-Bacon decomposition",
            "event_study": "Event study",
            "event_study_imputation": "Imputation event study (Borusyak, Jaravel and Spiess)",
            "event_study_sun_abraham": "Interaction-weighted event study (Sun and Abraham)",
            "did_switching": ("Plans that end and start again (de Chaisemartin and "
                              "D'Haultfoeuille)"),
            "wild_bootstrap": "Wild cluster bootstrap",
            "randomization_inference": "Randomization inference",
            "honest_did": "Sensitivity to parallel trends",
            "decomposition": "Decomposition by moves",
            "power": "Power and minimum detectable effect",
            "cost_effectiveness": "Costs and cost-effectiveness",
            "reach": "The effect on the residents reached",
            "accounting": "Row accounting",
            "balance": "Balance at baseline",
            "response_rates": "Response rates",
            "goals": "Goals of the plans",
            "barriers": "Barriers",
            "intervention_areas": "Intervention areas",
            "item_mean": "Mean per item",
            "challenge_level": "Overall level of challenges",
            "challenge_change": "Change in challenges between waves",
            "largest_challenges": "The largest challenges",
            "result_area": "Results by intervention area",
            "result_type": "Results by result type",
            "distribution": "Distribution of answers",
            "crosstab": "Cross-tabulation",
            "plan_attributes": "Plan tools by intervention group",
            "rent_support_groups": "Rent support by intervention group and deprivation",
        },
    },
    "reason": {
        "da": {
            "used": "Anvendt",
            "not_in_register_every_year": "Ikke fundet i registrene hvert år",
            "below_min_count": "Under minimumsantallet",
            "missing_outcome": "Manglende udfaldsmål",
            "outside_population": "Uden for populationen",
            "total": "I alt",
            "in_records": "Boligafdelinger i programdata",
            "linked": "Koblet til registrene hvert år",
            "in_file": "Personobservationer (personår) i registerudtrækket",
            "outside_measurement_years": "Uden for måleårene",
            "rows_not_linked": "I afdelinger, der ikke findes i registrene hvert år",
            "rows_linked": "I koblede afdelinger i måleårene",
            "person_years": "personår",
            "household_years": "husstandsår",
            "out_mover_person_years": "personår for fraflyttere",
        },
        "en": {
            "used": "Used",
            "not_in_register_every_year": "Not found in the register every year",
            "below_min_count": "Below the minimum count",
            "missing_outcome": "Missing outcome",
            "outside_population": "Outside the population",
            "total": "Total",
            "in_records": "Departments in the programme records",
            "linked": "Linked to the register every year",
            "in_file": "Person observations (person-years) in the register extract",
            "outside_measurement_years": "Outside the measurement years",
            "rows_not_linked": "In departments not found in the register every year",
            "rows_linked": "In linked departments in the measurement years",
            "person_years": "person-years",
            "household_years": "household-years",
            "out_mover_person_years": "out-mover person-years",
        },
    },
    "actor": {
        "da": {
            "all": "På tværs af aktører",
            "project_leader": "Projektledere",
            "housing_manager": "Forretningsførere",
            "municipality": "Kommuner",
            "tenant_board": "Afdelingsbestyrelser",
        },
        "en": {
            "all": "Across actors",
            "project_leader": "Project leaders",
            "housing_manager": "Housing managers",
            "municipality": "Municipalities",
            "tenant_board": "Tenant boards",
        },
    },
    "subset": {
        "da": {
            "all_answers": "Alle besvarelser",
            "same_actor_both_waves": "Områder med svar fra samme aktørgruppe begge år",
            "round_1_both_waves": "Områder med midler i første uddeling, svar begge år",
            "later_rounds_both_waves": (
                "Områder med midler i og efter anden uddeling, svar begge år"
            ),
        },
        "en": {
            "all_answers": "All answers",
            "same_actor_both_waves": "Plans with answers from the same actor group in both waves",
            "round_1_both_waves": "Plans funded in the first round, answers in both waves",
            "later_rounds_both_waves": "Plans funded in later rounds, answers in both waves",
        },
    },
    "statistic": {
        "da": {
            "mean": "Gennemsnit",
            "share": "Andel (pct.)",
            "sent": "Udsendt",
            "share_answered": "Helt eller delvist besvaret (pct.)",
            "share_complete": "Fuldt besvaret (pct.)",
            "share_high": 'Andel "i høj grad" (pct.)',
            "share_met": "Har mødt barrierer (pct.)",
            "share_named": "Nævner barrieren (pct.)",
            "share_plans": "Andel af planer (pct.)",
            "mean_budget_share": "Gns. andel af budgettet (pct.)",
            "difference": "Forskel",
            "ci_low": "Nedre grænse",
            "ci_high": "Øvre grænse",
            "p_value": "p-værdi",
            "rank": "Placering",
            "share_departments": "Andel af afdelinger (pct.)",
            "mde": "Mindste påviselige effekt",
            "mean_areas": "Gns. antal indsatsområder pr. plan",
        },
        "en": {
            "mean": "Mean",
            "share": "Share (%)",
            "sent": "Sent",
            "share_answered": "Answered fully or partly (%)",
            "share_complete": "Answered fully (%)",
            "share_high": 'Share "high degree" (%)',
            "share_met": "Met barriers (%)",
            "share_named": "Names the barrier (%)",
            "share_plans": "Share of plans (%)",
            "mean_budget_share": "Mean share of budget (%)",
            "difference": "Difference",
            "ci_low": "Lower bound",
            "ci_high": "Upper bound",
            "p_value": "p-value",
            "rank": "Rank",
            "share_departments": "Share of departments (%)",
            "mde": "Minimum detectable effect",
            "mean_areas": "Mean number of intervention areas per plan",
        },
    },
    "baseline_variable": {
        "da": {
            "capital_area": "Placeret i København og omegn (pct.)",
            "built_1955_1975": "Boliger opført 1955-1975 udgør 50 pct. eller mere (pct.)",
            "long_vacancy": "Mindst én bolig ledig i mere end tre måneder (pct.)",
            "one_two_room_share": "Andel af boliger med et eller to værelser (pct.)",
            "deprivation": "Udsathedsgrad (point)",
            "n_departments": "Beregningsgrundlag",
        },
        "en": {
            "capital_area": "Located in Copenhagen and surroundings (%)",
            "built_1955_1975": "Dwellings built 1955-1975 make up 50% or more (%)",
            "long_vacancy": "At least one dwelling vacant for more than three months (%)",
            "one_two_room_share": "Share of dwellings with one or two rooms (%)",
            "deprivation": "Deprivation score (points)",
            "n_departments": "Basis (N)",
        },
    },
    "model": {
        "da": {
            "without_movers": "Uden tilflyttere",
            "with_movers": "Med tilflyttere",
            "area_did": "Forskel-i-forskelle, τ",
            "area_ddd_rent_support": "Tredobbelt forskel, ψ + τ + ω",
        },
        "en": {
            "without_movers": "Without in-movers",
            "with_movers": "With in-movers",
            "area_did": "Difference-in-differences, τ",
            "area_ddd_rent_support": "Triple differences, ψ + τ + ω",
        },
    },
    "category": {
        "da": {
            "not_at_all": "Slet ikke",
            "small_degree": "I mindre grad",
            "some_degree": "I nogen grad",
            "high_degree": "I høj grad",
            "dont_know": "Ved ikke",
            "not_relevant": "Ikke relevant",
            "yes": "Ja",
            "no": "Nej",
            "area_secretariat": "Områdesekretariat",
            "large_housing_team": "Det store boligorganisatoriske projektteam",
            "cross_organisational_team": "Det tværorganisatoriske projektteam",
            "split_team": "Det opdelte projektteam",
            "one_person": "En-mands-projektsekretariatet",
            "large_secretariat": "Stort sekretariat",
            "municipal_staff_in_secretariat": "Kommunalt ansatte i sekretariatet",
            "secretariat_type": "Type af projektsekretariat",
            "tenant_board_in_steering_group": "Afdelingsbestyrelsen i styregruppen",
            "image_intervention": "Imageindsats",
            "letting_tools": "Udlejningsredskaber",
            "children_youth_family": "Børn, unge og familier",
            "employment_education": "Beskæftigelse og uddannelse",
            "ethnic_minorities": "Etniske minoriteter",
            "health": "Beboernes sundhed",
            "reputation": "Områdets omdømme",
            "social_life": "Det sociale liv i området",
            "tenant_democracy": "Beboerdemokrati og inddragelse",
            "vulnerable_residents": "Socialt udsatte beboere",
            "mean_areas": "Gns. antal indsatsområder pr. plan",
            "all": "Alle",
        },
        "en": {
            "not_at_all": "Not at all",
            "small_degree": "To a small degree",
            "some_degree": "To some degree",
            "high_degree": "To a high degree",
            "dont_know": "Don't know",
            "not_relevant": "Not relevant",
            "yes": "Yes",
            "no": "No",
            "area_secretariat": "Area secretariat",
            "large_housing_team": "The large housing-organisation team",
            "cross_organisational_team": "The cross-organisational team",
            "split_team": "The split team",
            "one_person": "The one-person secretariat",
            "large_secretariat": "Large secretariat",
            "municipal_staff_in_secretariat": "Municipal staff in the secretariat",
            "secretariat_type": "Type of project secretariat",
            "tenant_board_in_steering_group": "Tenant board in the steering group",
            "image_intervention": "Image intervention",
            "letting_tools": "Letting tools",
            "children_youth_family": "Children, youth and families",
            "employment_education": "Employment and education",
            "ethnic_minorities": "Ethnic minorities",
            "health": "Residents' health",
            "reputation": "The area's reputation",
            "social_life": "Social life in the area",
            "tenant_democracy": "Tenant democracy and involvement",
            "vulnerable_residents": "Socially vulnerable residents",
            "mean_areas": "Mean number of intervention areas per plan",
            "all": "All",
        },
    },
    "test": {
        "da": {
            "chi_square": "chi²-test",
            "fisher_exact": "Fishers eksakte test",
            "fisher_monte_carlo": "Fishers eksakte test, Monte Carlo",
        },
        "en": {
            "chi_square": "chi-square test",
            "fisher_exact": "Fisher's exact test",
            "fisher_monte_carlo": "Fisher's exact test, Monte Carlo",
        },
    },
    "theme": {
        "da": {
            "social_activities": "Sociale aktiviteter",
            "collaboration": "Samarbejde",
            "wellbeing_safety": "Trivsel og tryghed",
            "resident_mix": "Beboersammensætning",
            "employment": "Beskæftigelse",
            "health": "Sundhed",
        },
        "en": {
            "social_activities": "Social activities",
            "collaboration": "Collaboration",
            "wellbeing_safety": "Well-being and safety",
            "resident_mix": "Resident mix",
            "employment": "Employment",
            "health": "Health",
        },
    },
    "log": {
        "da": {
            "estimates": "Estimater",
            "cells": "Gennemsnit pr. indsatsgruppe og år",
            "balance": "Sammenlignelighed",
            "survey": "Survey",
            "accounting": "Opgørelse af datagrundlaget",
            "min_persons": "Færre end minimumsantallet af personer",
            "dominance": "Én person med for stor andel af summen",
            "secondary": "Komplementær undertrykkelse",
            "cell_behind_regression": "En afdeling-år-celle bag regressionen fejler",
            "suppressed_upstream": "Undertrykt før udgivelse",
            "forbidden_key_removed": "Minimum, maksimum eller topandel fjernet",
        },
        "en": {
            "estimates": "Estimates",
            "cells": "Means by intervention group and year",
            "balance": "Balance",
            "survey": "Survey",
            "accounting": "Row accounting",
            "min_persons": "Fewer than the minimum number of persons",
            "dominance": "One person holds too large a share of the sum",
            "secondary": "Complementary suppression",
            "cell_behind_regression": "A department-year cell behind the regression fails",
            "suppressed_upstream": "Suppressed before publication",
            "forbidden_key_removed": "Minimum, maximum or top share removed",
        },
    },
    "subset_short": {
        "da": {
            "all_answers": "Alle besvarelser",
            "same_actor_both_waves": "Samme aktørgruppe begge år",
            "round_1_both_waves": "Første uddeling",
            "later_rounds_both_waves": "Senere uddelinger",
        },
        "en": {
            "all_answers": "All answers",
            "same_actor_both_waves": "Same actor group both waves",
            "round_1_both_waves": "First round",
            "later_rounds_both_waves": "Later rounds",
        },
    },
    "diag": {
        "da": {
            "cost_term": "Størrelse",
            "programme": "Hele programmet",
            "programme_cost": "Beløb i alt, alle planens år (kr.)",
            "window_cost": "Udgift i de målte aktive afdelingsår (kr.)",
            "cost_per_dwelling": "Kr. pr. bolig",
            "cost_per_resident_year": "Kr. pr. beboerår",
            "resident_years": "Beboerår i de målte aktive afdelingsår",
            "effect": "Effekt pr. beboer (vægtet med beboerår)",
            "extra_outcome": "Ekstra enheder af udfaldsmålet i alt",
            "cost_per_extra_employed": "Kr. pr. ekstra person i beskæftigelse (pr. år)",
            "income_per_dkk": "Ekstra disponibel indkomst pr. anvendt krone",
            "unbounded_set": "(−∞; {a}] ∪ [{b}; ∞)",
            "cost_note": (
                "Beløb i faste priser (prisbasisår i [design]); en helhedsplans beløb fordeles "
                "ligeligt på dens år og på afdelingerne efter antal boliger. Effekten er "
                "Callaway-Sant'Anna ATT(g, t) vægtet med beboerår; udgiften og beboerårene "
                "tæller de samme målte aktive afdelingsår. Beløbene er registreringer, ikke "
                "stikprøver: intervallerne afspejler kun usikkerheden på effekten. Når "
                "effektens interval indeholder 0, er konfidensmængden for kr. pr. ekstra "
                "beskæftiget ubegrænset og vises som to halvlinjer."
            ),
            "itt": "Effekt for alle beboere (ITT)",
            "share_reached": "Andel af beboerne, indsatsen når",
            "effect_reached": "Effekt for de beboere, indsatsen når (ITT / andel)",
            "mde_reached": "Mindste påviselige effekt for de beboere, indsatsen når",
            "reach_note": (
                "Andelen er gennemsnittet af helhedsplanernes reach_share vægtet med beboerår "
                "(eller den andel, blokken angiver). Intervallet er delta-metodens; en andel "
                "fra planernes egne oplysninger regnes uden usikkerhed, en andel estimeret fra "
                "en survey med sin standardfejl (reach_std_error)."
            ),
            "cohort_start": "Startår {x}",
            "simple": "Samlet (vægtet med gruppestørrelse)",
            "group": "Pr. indsatsgruppe",
            "dynamic": "Pr. år i forhold til start",
            "calendar": "Pr. kalenderår",
            "overall": "Samlet",
            "event_year": "{x} år",
            "aggregation": "Sammenvejning",
            "level": "Niveau",
            "treated": "Indsatsgruppe",
            "comparison_group": "Sammenligningsgruppe",
            "never_treated": "Kontrolgruppe (aldrig helhedsplan)",
            "Treated vs Untreated": "Indsatsgrupper mod kontrolgruppen (aldrig helhedsplan)",
            "Earlier vs Later Treated": (
                "Tidlige mod senere indsatsgrupper (endnu uden helhedsplan)"
            ),
            "Later vs Earlier Treated": (
                "Senere mod tidlige indsatsgrupper (allerede med helhedsplan)"
            ),
            "bacon_total": "Vægtet sum (= TWFE-estimat med afdelings- og års-fixed-effects)",
            "reference": "0 (reference)",
            "pretrend_wald": "Fælles Wald-test af førperiodens koefficienter",
            "wald_stat": "F = {s} (fg. {df})",
            "original": "Event study-estimat (første år med helhedsplan)",
            "mbar": "M̄ = {x}",
            "breakdown_mbar": "Breakdown-værdi for M̄",
            "none": "ingen",
            "change": "Samlet ændring",
            "stayers": "Fastboende",
            "in_movers": "Tilflyttere",
            "out_movers": "Fraflyttere",
            "mde": "Mindste påviselige effekt (analytisk)",
            "tau_std_error": "Standardfejl på effekten af aktiv helhedsplan (grundlag for MDE)",
            "mde_individual": "Mindste påviselige effekt for de beboere, indsatsen når",
            "analytic_power": "Styrke ved den mindste påviselige effekt (analytisk)",
            "simulated_power": "Styrke ved den mindste påviselige effekt (simuleret)",
            "ri_note": (
                "p-værdi fra permutation af indsatsgrupper på tværs af helhedsplaner; "
                "standardfejlen er permutationsfordelingens spredning."
            ),
            "wb_note": (
                "Restricted wild cluster bootstrap (Rademacher-vægte), klynger = helhedsplaner. "
                "Alle rækker gælder populationen i titlen; tabellerne over huslejestøtte kan "
                "gælde en anden population (se deres titler). Komponenterne ψ, τ og ω er vist "
                "med klyngerobuste standardfejl (CR1)."
            ),
            "cr1_component": "(CR1)",
            "honest_note": (
                "Robuste konfidensintervaller (Rambachan & Roth) under relativ størrelse: "
                "brud på parallelle tendenser efter start højst M̄ gange det største før start. "
                "Breakdown-værdien er det mindste M̄, hvor intervallet indeholder 0."
            ),
            "decomp_note": (
                "Hver række er effekten af helhedsplaner på ét led af dekomponeringen; "
                "leddene summerer til den samlede ændring. Den samlede ændring er estimeret i "
                "førstedifferencer (ændringen mellem to målinger på periodedummies og ændringen "
                "i aktiv helhedsplan) for afdelinger med beboere ved begge målinger. Den er "
                "derfor ikke det samme tal som effekten i tabellen over forskel-i-forskelle på "
                "afdelingsniveau for samme population og udfaldsmål, som estimeres i niveauer "
                "med indsatsgruppe-effekter på afdelinger over minimumsantallet."
            ),
            "bacon_note": (
                "Hver 2×2-sammenligning i to-vejs-modellen med sin vægt; "
                "den vægtede sum er TWFE-estimatet."
            ),
            "power_note": (
                "Styrke angives som andel (0-1). Mindste påviselige effekt = (t_{1-α/2} + "
                "t_{styrke}) × standardfejlen i samme model som DiD-tabellen (år- og "
                "indsatsgruppe-effekter); den har ingen standardfejl selv."
            ),
            "att_note": (
                "Startår = første år med aktiv helhedsplan; multiplikatorbootstrap clustret på "
                "helhedsplan."
            ),
            "switching_note": (
                "DID_l: effekten l måleperioder efter at afdelingens helhedsplan første gang blev "
                "aktiv (0 = første periode med aktiv plan), uanset om planen siden sluttede eller "
                "en ny begyndte, mod afdelinger hvis status endnu ikke har ændret sig; "
                "placebo før start; DID_l's standardfejl ved jackknife, hvor én helhedsplan ad "
                "gangen udelades (afdelingens første helhedsplan), DID_M's clustret på samme. "
                "Slutter ingen plan i designet, er det effekten af at planen starter. "
                "DID_M forudsætter, at kun den aktuelle status virker (ingen dynamik)."
            ),
            "average_total_effect": "Gennemsnitlig samlet effekt pr. periode med aktiv plan",
            "did_m": "DID_M: alle starter og ophør (ingen dynamik)",
            "did_m_joiners": "DID_M: planer der starter",
            "did_m_leavers": "DID_M: planer der slutter",
            "did_m_placebo": "DID_M: placebo (perioden før)",
        },
        "en": {
            "cost_term": "Quantity",
            "programme": "Whole programme",
            "programme_cost": "Total amount, all the plans' years (DKK)",
            "window_cost": "Spent in the measured active department-years (DKK)",
            "cost_per_dwelling": "DKK per dwelling",
            "cost_per_resident_year": "DKK per resident-year",
            "resident_years": "Resident-years in the measured active department-years",
            "effect": "Effect per resident (weighted by resident-years)",
            "extra_outcome": "Extra units of the outcome in all",
            "cost_per_extra_employed": "DKK per additional person in employment (per year)",
            "income_per_dkk": "Extra disposable income per DKK spent",
            "unbounded_set": "(−∞; {a}] ∪ [{b}; ∞)",
            "cost_note": (
                "Amounts in constant prices ([design] price base year); a plan's amounts are "
                "spread evenly over its years and over its departments by dwellings. The effect "
                "is the Callaway-Sant'Anna ATT(g, t) weighted by resident-years; the cost and "
                "the resident-years count the same measured active department-years. The "
                "amounts are records, not samples: the intervals reflect the uncertainty of the "
                "effect only. When the effect's interval contains 0, the confidence set of the "
                "DKK per additional person employed is unbounded and shown as two rays."
            ),
            "itt": "Effect on all residents (ITT)",
            "share_reached": "Share of residents reached",
            "effect_reached": "Effect on the residents reached (ITT / share)",
            "mde_reached": "Minimum detectable effect for the residents reached",
            "reach_note": (
                "The share is the plans' reach_share averaged with resident-year weights (or the "
                "share the block gives). Delta-method interval; a share from the plans' own "
                "records is taken as known, a share estimated from a survey enters with its "
                "standard error (reach_std_error)."
            ),
            "cohort_start": "Starting {x}",
            "simple": "Overall (weighted by cohort size)",
            "group": "By cohort",
            "dynamic": "By years relative to start",
            "calendar": "By calendar year",
            "overall": "Overall",
            "event_year": "{x} years",
            "aggregation": "Aggregation",
            "level": "Level",
            "treated": "Intervention group",
            "comparison_group": "Comparison group",
            "never_treated": "Control group (never a plan)",
            "Treated vs Untreated": "Intervention groups vs the control group (never a plan)",
            "Earlier vs Later Treated": (
                "Earlier vs later intervention groups (not yet in a plan)"
            ),
            "Later vs Earlier Treated": (
                "Later vs earlier intervention groups (already in a plan)"
            ),
            "bacon_total": "Weighted sum (= TWFE estimate with department and year fixed effects)",
            "reference": "0 (reference)",
            "pretrend_wald": "Joint Wald test of the pre-period coefficients",
            "wald_stat": "F = {s} (df {df})",
            "original": "Event-study estimate (first year with a plan)",
            "mbar": "M̄ = {x}",
            "breakdown_mbar": "Breakdown value of M̄",
            "none": "none",
            "change": "Total change",
            "stayers": "Stayers",
            "in_movers": "In-movers",
            "out_movers": "Out-movers",
            "mde": "Minimum detectable effect (analytical)",
            "tau_std_error": "Standard error of the active-plan effect (basis of the MDE)",
            "mde_individual": "Minimum detectable effect for the residents reached",
            "analytic_power": "Power at the minimum detectable effect (analytical)",
            "simulated_power": "Power at the minimum detectable effect (simulated)",
            "ri_note": (
                "p-value from permuting cohort labels across plans; the standard error is the "
                "spread of the permutation distribution."
            ),
            "wb_note": (
                "Restricted wild cluster bootstrap (Rademacher weights), clusters = plans. Every "
                "row is for the population in the title; the rent-support tables may be for "
                "another population (see their titles). The components ψ, τ and ω are shown "
                "with cluster-robust standard errors (CR1)."
            ),
            "cr1_component": "(CR1)",
            "honest_note": (
                "Robust confidence intervals (Rambachan & Roth) under relative magnitudes: "
                "post-start violations of parallel trends at most M̄ times the largest pre-start "
                "one. The breakdown value is the smallest M̄ at which the interval includes 0."
            ),
            "decomp_note": (
                "Each row is the effect of plans on one term of the decomposition; the terms add "
                "up to the total change. The total change is estimated in first differences (the "
                "change between two measurements on period dummies and the change in active "
                "plan) for departments with residents at both measurements. It is therefore not "
                "the same number as the effect in the area-level difference-in-differences table "
                "for the same population and outcome, which is estimated in levels with cohort "
                "effects on departments above the minimum count."
            ),
            "bacon_note": (
                "Each 2×2 comparison inside the two-way model with its weight; the weighted sum "
                "is the TWFE estimate."
            ),
            "power_note": (
                "Power is shown as a proportion (0-1). Minimum detectable effect = (t_{1-α/2} + "
                "t_{power}) × the standard error of the same model as the DiD table (year and "
                "cohort effects); it has no standard error of its own."
            ),
            "att_note": (
                "Start = first year with an active plan; multiplier bootstrap clustered on plan."
            ),
            "switching_note": (
                "DID_l: the effect l measurement periods after the department's plan first "
                "became active (0 = first period with an active plan), whether the plan ended or "
                "a new one began since, against departments whose status has not changed yet; "
                "placebos before the start; DID_l's standard errors by the jackknife that leaves "
                "out one plan at a time (the department's first plan), DID_M's clustered on the "
                "same plans. When no plan ends in the design, this is the effect of a plan "
                "starting. "
                "DID_M assumes only the current status matters (no dynamics)."
            ),
            "average_total_effect": "Average total effect per period of active plan",
            "did_m": "DID_M: every start and end (no dynamics)",
            "did_m_joiners": "DID_M: plans that start",
            "did_m_leavers": "DID_M: plans that end",
            "did_m_placebo": "DID_M: placebo (the period before)",
        },
    },
    "group": {
        "da": {
            "control": "Kontrolgruppe",
            "g1": "Indsatsgruppe 1",
            "g2": "Indsatsgruppe 2",
            "g3": "Indsatsgruppe 3",
            "overall": "Samlet",
            "stayers": "Fastboende",
            "in_movers": "Tilflyttere",
            "out_movers": "Fraflyttere",
            "total": "Samlet ændring",
        },
        "en": {
            "control": "Control group",
            "g1": "Intervention group 1",
            "g2": "Intervention group 2",
            "g3": "Intervention group 3",
            "overall": "Overall",
            "stayers": "Stayers",
            "in_movers": "In-movers",
            "out_movers": "Out-movers",
            "total": "Total change",
        },
    },
    "figure": {
        "da": {
            "trends": "Gennemsnit pr. indsatsgruppe og år med 95 %-konfidensinterval: {what}",
            "coef": (
                "Betydningen af helhedsplaner på tværs af populationer og udfaldsmål (95 "
                "%-konfidensinterval)"
            ),
            "event": (
                "Event study: effekt pr. måleperiode i forhold til start "
                "(95 %-konfidensinterval)"
            ),
            "decomposition": (
                "Dekomponering af ændringen i afdelingernes gennemsnit efter flytninger"
            ),
            "survey_actor": "Niveau af udfordringer pr. aktørgruppe og bølge (skala 1-4)",
            "challenge_change": "Ændring i aktørernes vurdering af udfordringerne, pr. udfordring",
            "survey_result_area_actors": (
                "Aktørernes vurdering af resultater pr. indsatsområde og aktørgruppe (skala 1-4)"
            ),
            "survey_result_type_themes": (
                "Aktørernes vurdering af typer af resultater, grupperet i temaer (skala 1-4)"
            ),
            "x_year": "År",
            "x_event": "Måleperioder i forhold til start",
            "y_score": "Score (1-4)",
            "x_change": "Ændring i score (negativ = udfordringen er vokset)",
            "y_effect": "Effekt",
        },
        "en": {
            "trends": "Mean by intervention group and year with 95% confidence interval: {what}",
            "coef": "Effect of plans across populations and outcomes (95% confidence interval)",
            "event": (
                "Event study: effect by measurement period relative to start "
                "(95% confidence interval)"
            ),
            "decomposition": "Decomposition of the change in department means by moves",
            "survey_actor": "Level of challenges by actor group and wave (scale 1-4)",
            "challenge_change": "Change in actors' assessment of the challenges, by challenge",
            "survey_result_area_actors": (
                "Actors' assessment of results by intervention area and actor group (scale 1-4)"
            ),
            "survey_result_type_themes": (
                "Actors' assessment of types of results, grouped into themes (scale 1-4)"
            ),
            "x_year": "Year",
            "x_event": "Measurement periods relative to start",
            "y_score": "Score (1-4)",
            "x_change": "Change in score (negative = the challenge has grown)",
            "y_effect": "Effect",
        },
    },
}

# The process evaluation (case studies, docs/cases.md).
HEADINGS["da"]["process"] = "Procesevaluering: casestudierne"
HEADINGS["en"]["process"] = "Process evaluation: the case studies"
_COMMON["da"].update({
    "intro_process": (
        "Casematerialet som data: udvælgelsen af caseområderne, kodede segmenter efter tema, "
        "niveau og runde, organiseringstyperne og casene side om side med deres helhedsplans "
        "surveyresultater og udfaldsmål. Beskrivende; ingen test på så få cases."
    ),
    "case_change": "Ændring {a}-{b}",
    "case_matrix_title": (
        "Drivkræfter og barrierer efter tema, niveau og runde (antal kodede segmenter)"
    ),
    "case_matrix_note": (
        "Antal kodede segmenter; kilder er antal forskellige interview, dokumenter og "
        "observationer. Farven viser antallet. Små antal segmenter undertrykkes (·)."
    ),
    "case_theme_level": "Tema: niveau",
    "case_matrix_cases_title": (
        "Drivkræfter og barrierer efter caseområde, runde og tema (antal kodede segmenter)"
    ),
    "case_typology_title": (
        "Organiseringstyper i casene: sekretariatstype, "
        "projektorganisering og model"
    ),
    "case_n_cases": "Antal caseområder",
    "case_source": "Kilde: Casestudiet.",
    "case_models_title": (
        "Områdesekretariaternes funktioner efter model og niveau (antal kodede segmenter)"
    ),
    "case_models_note": "Modellerne som i midtvejsevalueringens tabel 10.1.",
    "case_selection_user": (
        "Udvælgelse af caseområder: caseområderne efter bevillingsstørrelse eller "
        "kommunestørrelse og antal lejemål"
    ),
    "case_selection_tool": (
        "Udvælgelse af caseområder: værktøjets udvalg med maksimal variation, efter "
        "kommunestørrelse og antal lejemål"
    ),
    "case_selection_note": (
        "Som midtvejsevalueringens tabel 6.1. Områdestørrelse efter antal lejemål: "
        "under 500, 500-1.499, 1.500 og flere."
    ),
    "case_criteria_user": "Udvælgelse af caseområder: caseområderne efter udvælgelseskriterium",
    "case_criteria_tool": "Udvælgelse af caseområder: værktøjets udvalg efter udvælgelseskriterium",
    "case_links_title": (
        "Casene ved siden af survey og udfaldsmål: drivkræfter og barrierer inden for "
        "{theme}"
    ),
    "case_links_note": (
        "Beskrivende sammenstilling, ikke en test. Segmenter: antal kodede segmenter i casen; "
        "udfordringsniveau og resultatvurdering: gennemsnit (1-4) af aktørernes svar om "
        "helhedsplanen i seneste bølge; ændring i beskæftigelse: procentpoint i beskæftigelse "
        "blandt beboere i den erhvervsaktive alder, sidste minus første måleår, i "
        "helhedsplanens afdelinger."
    ),
})
_COMMON["en"].update({
    "intro_process": (
        "The case material as data: the selection of the case areas, coded segments by theme, "
        "level and round, the organisation typologies, and the cases side by side with their "
        "plan's survey results and outcomes. Descriptive; no test on so few cases."
    ),
    "case_change": "Change {a}-{b}",
    "case_matrix_title": (
        "Drivers and barriers by theme, level and round (number of coded segments)"
    ),
    "case_matrix_note": (
        "Number of coded segments; sources are distinct interviews, documents and "
        "observations. The shade shows the count. Small numbers of segments are suppressed (·)."
    ),
    "case_theme_level": "Theme: level",
    "case_matrix_cases_title": (
        "Drivers and barriers by case area, round and theme (number of coded segments)"
    ),
    "case_typology_title": (
        "Organisation typologies of the cases: secretariat type, "
        "project organisation and model"
    ),
    "case_n_cases": "Number of case areas",
    "case_source": "Source: The case study.",
    "case_models_title": (
        "Functions of the area secretariats by model and level (number of coded segments)"
    ),
    "case_models_note": "The models as in table 10.1 of the mid-term evaluation.",
    "case_selection_user": (
        "Selection of case areas: the case areas by grant size or municipality size and "
        "number of tenancies"
    ),
    "case_selection_tool": (
        "Selection of case areas: the tool's maximal-variation selection, by municipality "
        "size and number of tenancies"
    ),
    "case_selection_note": (
        "As table 6.1 of the mid-term evaluation. Area size by tenancies: under 500, "
        "500-1,499, 1,500 or more."
    ),
    "case_criteria_user": "Selection of case areas: the case areas by selection criterion",
    "case_criteria_tool": "Selection of case areas: the tool's selection by selection criterion",
    "case_links_title": "The cases beside the survey and outcomes: drivers and barriers in {theme}",
    "case_links_note": (
        "A descriptive side-by-side, not a test. Segments: coded segments in the case; "
        "challenge level and result assessment: mean (1-4) of the actors' answers about the "
        "plan in the latest wave; change in employment: percentage points employed among "
        "working-age residents, last minus first measurement year, in the plan's departments."
    ),
})
_LABELS["case"] = {
    "da": {
        "collaboration": "Samarbejde", "steering": "Styring", "coordination": "Koordinering",
        "working_methods": "Arbejdstilgange", "strategic": "Strategisk niveau",
        "executing": "Udførende niveau", "programme_steering": "Programstyring",
        "tactical": "Taktisk niveau", "driver": "Drivkræfter", "barrier": "Barrierer",
        "neutral": "Neutrale", "sources": "Kilder", "segments": "Segmenter",
        "challenge_level": "Udfordringsniveau", "result_level": "Resultatvurdering",
        "change_employed": "Ændring i beskæftigelse",
        "secretariat_type": "Projektsekretariat", "organisation_type": "Projektorganisering",
        "oms_model": "Områdesekretariatets model",
        "large_housing_team": "Det store boligorganisatoriske projektteam",
        "cross_organisational_team": "Det tværorganisatoriske projektteam",
        "split_team": "Det opdelte projektteam", "one_person": "En-mands-projektsekretariatet",
        "central_professional": "Centralt forankret professionel",
        "local_professional": "Lokalt forankret fagprofessionel",
        "local_semiprofessional": "Lokalt forankret semiprofessionel",
        "model_1": "Model 1", "model_2": "Model 2", "model_3": "Model 3", "model_4": "Model 4",
        "large": "Stor kommune", "middle": "Mellemstor kommune", "small": "Lille kommune",
        "area_small": "Mindre område", "area_middle": "Mellemstort område",
        "area_large": "Stort område", "area_unknown": "Ukendt størrelse",
        "grant_under_5": "Under 5 mio. kr.", "grant_5_15": "5-15 mio. kr.",
        "grant_over_15": "Over 15 mio. kr.", "unknown": "Ukendt",
        "cohort": "Bevillingsrunde", "municipality_size": "Kommunestørrelse",
        "region": "Region", "experience": "Erfaring med tidligere helhedsplaner",
        "none": "Ingen", "1_4": "1-4 år", "5_plus": "5 år eller mere",
        "project_leader": "Projektleder", "project_staff": "Projektmedarbejder",
        "housing_management": "Ledelse i boligorganisationen",
        "municipal_manager": "Kommunal chef", "frontline_staff": "Frontmedarbejder",
        "tenant_democrat": "Beboerdemokrat", "other": "Anden",
    },
    "en": {
        "collaboration": "Collaboration", "steering": "Steering", "coordination": "Coordination",
        "working_methods": "Working methods", "strategic": "Strategic level",
        "executing": "Executing level", "programme_steering": "Programme steering",
        "tactical": "Tactical level", "driver": "Drivers", "barrier": "Barriers",
        "neutral": "Neutral", "sources": "Sources", "segments": "Segments",
        "challenge_level": "Challenge level", "result_level": "Result assessment",
        "change_employed": "Change in employment",
        "secretariat_type": "Project secretariat", "organisation_type": "Project organisation",
        "oms_model": "Area secretariat model",
        "large_housing_team": "The large housing-organisation team",
        "cross_organisational_team": "The cross-organisational team",
        "split_team": "The split team", "one_person": "The one-person secretariat",
        "central_professional": "Centrally anchored professional",
        "local_professional": "Locally anchored professional",
        "local_semiprofessional": "Locally anchored semi-professional",
        "model_1": "Model one", "model_2": "Model two", "model_3": "Model three",
        "model_4": "Model four",
        "large": "Large municipality", "middle": "Middle-sized municipality",
        "small": "Small municipality",
        "area_small": "Small area", "area_middle": "Middle-sized area",
        "area_large": "Large area", "area_unknown": "Size unknown",
        "grant_under_5": "Under DKK 5m", "grant_5_15": "DKK 5-15m",
        "grant_over_15": "Over DKK 15m", "unknown": "Unknown",
        "cohort": "Grant round", "municipality_size": "Municipality size",
        "region": "Region", "experience": "Experience with earlier plans",
        "none": "None", "1_4": "1-4 years", "5_plus": "5 years or more",
        "project_leader": "Project leader", "project_staff": "Project staff",
        "housing_management": "Housing organisation management",
        "municipal_manager": "Municipal manager", "frontline_staff": "Frontline staff",
        "tenant_democrat": "Tenant democrat", "other": "Other",
    },
}
_LABELS["analysis"]["da"].update({
    "case_selection": "Udvælgelse af caseområder",
    "case_matrix": "Drivkræfter og barrierer",
    "case_typology": "Organiseringstyper i casene",
    "case_links": "Casene ved siden af survey og udfaldsmål",
})
_LABELS["analysis"]["en"].update({
    "case_selection": "Selection of case areas",
    "case_matrix": "Drivers and barriers",
    "case_typology": "Organisation typologies of the cases",
    "case_links": "The cases beside the survey and outcomes",
})


TEXT: dict[str, dict[str, Any]] = {lang: {**_COMMON[lang], **HEADINGS[lang]} for lang in LANGS}


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ReportError(f"report language must be one of {', '.join(LANGS)}, got {lang!r}")


def text(lang: str, key: str) -> Any:
    """Return the text ``key`` in ``lang`` (strings, or a list for method notes)."""
    _check(lang)
    try:
        return TEXT[lang][key]
    except KeyError:
        raise ReportError(f"no report text {key!r}") from None


def label(lang: str, kind: str, ident: Any, extra: dict[str, dict[str, str]] | None = None) -> str:
    """Translate a stable identifier (population, outcome, term, ...) into a label.

    Terms ``year_<t>`` and ``cohort_<g>`` are expanded; identifiers unknown to
    the dictionaries come from ``extra`` (``{ident: {"da": ..., "en": ...}}``,
    e.g. survey item texts from the codebook) or are shown as they are, with
    underscores as spaces.
    """
    _check(lang)
    key = "" if ident is None else str(ident)
    if extra and key in extra and lang in extra[key]:
        return extra[key][lang]
    table = _LABELS.get(kind, {}).get(lang, {})
    if key in table:
        return table[key]
    if kind in ("item", "group") and key in _LABELS["category"][lang]:
        return _LABELS["category"][lang][key]
    if kind == "term":
        for prefix in ("capital_area_x_year", "rent_support_cohort", "year", "cohort", "event"):
            if key.startswith(prefix + "_"):
                rest = key[len(prefix) + 1 :]
                if prefix in ("cohort", "rent_support_cohort") and rest[:1] in ("g", "r"):
                    rest = rest[1:]
                return table[prefix].format(x=rest)
    if kind == "group" and key.startswith("cohort_"):
        return label(lang, "group", key[len("cohort_") :], extra)
    return key.replace("_", " ")


def lower_first(s: str) -> str:
    """Lower-case the first letter of a label for use inside a sentence (keeps "DKK", "ATT")."""
    if len(s) > 1 and s[1].isupper():
        return s
    return s[:1].lower() + s[1:]


def fmt_num(x: Any, decimals: int, lang: str) -> str:
    """Format a number with the language's separators (da 1.234,5; en 1,234.5)."""
    _check(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    v = float(x)
    if round(v, decimals) == 0:
        v = 0.0  # no "-0,00"
    s = f"{v:,.{decimals}f}"
    if lang == "da":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s.replace("-", "−")


def fmt_int(x: Any, lang: str) -> str:
    """Format a count with the language's thousands separator."""
    return fmt_num(x, 0, lang)


# The area classification chapter (docs/areas.md), kept together here.
HEADINGS["da"]["areas"] = "Områdeklassifikation efter almenboligloven"
HEADINGS["en"]["areas"] = "Official area classification"
_LABELS["analysis"]["da"]["area_classification"] = "Områdeklassifikation (§ 61 a og § 61 b)"
_LABELS["analysis"]["en"]["area_classification"] = "Area classification (§ 61 a and § 61 b)"
_LABELS["area_status"] = {
    "da": {
        "transformation": "Omdannelsesområde",
        "parallel_society": "Parallelsamfund",
        "vulnerable": "Udsat boligområde",
        "prevention": "Forebyggelsesområde",
        "none": "Ingen status",
        "undetermined": "Kan ikke afgøres",
        "below_min_residents": "Under 1.000 beboere",
        "not_classified": "Ikke i data",
    },
    "en": {
        "transformation": "Transformation area",
        "parallel_society": "Parallel society",
        "vulnerable": "Vulnerable area",
        "prevention": "Prevention area",
        "none": "No status",
        "undetermined": "Cannot be decided",
        "below_min_residents": "Below 1,000 residents",
        "not_classified": "Not in the data",
    },
}
_LABELS["area_option"] = {
    "da": {
        "area_status_listed": "Områder på listen",
        "area_status_not_listed": "Områder uden for listen",
        "comparison_listed": "Kontrolgruppe på listen",
    },
    "en": {
        "area_status_listed": "Areas on the list",
        "area_status_not_listed": "Areas not on the list",
        "comparison_listed": "Controls on the list",
    },
}
_LABELS["area_criterion"] = {
    "da": {
        "outside": "Uden for arbejde og uddannelse (%)",
        "convictions": "Dømte (gange landsniveau)",
        "basic_education": "Kun grundskole (%)",
        "income": "Bruttoindkomst (andel af regionens)",
        "non_western": "Ikke-vestlig oprindelse",
        "residents": "Antal beboere",
        "parallel_society_years": "År som parallelsamfund",
    },
    "en": {
        "outside": "Outside work and education (%)",
        "convictions": "Convicted (times national)",
        "basic_education": "Basic education only (%)",
        "income": "Gross income (share of region's)",
        "non_western": "Non-western origin",
        "residents": "Number of residents",
        "parallel_society_years": "Years as parallel society",
    },
}
_AREA_TEXT = {
    "da": {
        "intro_areas": (
            "Boligområderne klassificeret efter kriterierne i almenboligloven § 61 a og § 61 b "
            "(regelsæt og referencetal: se metodenoterne og docs/areas.md)."
        ),
        "areas_total": "Områder i alt",
        "areas_count_note": "Antal boligområder (ikke personer).",
        "areas_by_cohort": "Områdernes status i før-målingen ({year}) pr. indsatsgruppe",
        "areas_over_time": "Områdernes status over tid",
        "areas_criteria_title": "Kriterierne i {year} pr. område",
        "areas_criteria_note": (
            "* = kriteriet er opfyldt. Andele i procent (toårsgennemsnit, hvor loven siger det); "
            "dømte som forhold til landsandelen; indkomst som forhold til regionens gennemsnit."
        ),
        "areas_status_col": "Status",
        "areas_unknown": "ukendt",
        "areas_reconcile_title": "Afstemning med den officielle liste",
        "areas_reconcile_note": "{agree} af {total} område-år stemmer overens.",
        "areas_ours": "Beregnet",
        "areas_official": "Officiel",
        "areas_deciding": "Afgørende kriterier",
        "areas_finding": "I {year} er {listed} af {total} boligområder på listen over udsatte "
                         "boligområder.",
    },
    "en": {
        "intro_areas": (
            "The housing areas classified by the criteria of almenboligloven § 61 a and § 61 b "
            "(ruleset and reference figures: see the method notes and docs/areas.md)."
        ),
        "areas_total": "All areas",
        "areas_count_note": "Number of housing areas (not persons).",
        "areas_by_cohort": "Status of the areas at baseline ({year}) by intervention group",
        "areas_over_time": "Status of the areas over time",
        "areas_criteria_title": "The criteria in {year} by area",
        "areas_criteria_note": (
            "* = criterion met. Shares in percent (two-year averages where the law says so); "
            "convictions as a ratio to the national share; income as a ratio to the region's "
            "mean."
        ),
        "areas_status_col": "Status (computed)",
        "areas_unknown": "unknown",
        "areas_reconcile_title": "Reconciliation with the official list",
        "areas_reconcile_note": "{agree} of {total} area-years agree.",
        "areas_ours": "Computed",
        "areas_official": "Official",
        "areas_deciding": "Deciding criteria",
        "areas_finding": "In {year}, {listed} of {total} housing areas are on the list of "
                         "vulnerable areas.",
    },
}
for _lang in LANGS:
    TEXT[_lang].update(_AREA_TEXT[_lang])
    TEXT[_lang]["areas"] = HEADINGS[_lang]["areas"]

# boligeval monitor (docs/areas.md).
_LABELS["monitor_indicator"] = {
    "da": {
        "residents": "Beboere", "age_0_17": "0-17 år", "age_18_29": "18-29 år",
        "age_30_64": "30-64 år", "age_65_plus": "65 år og derover",
        "employed": "I beskæftigelse, 18-64 år (%)",
        "disposable_income": "Disponibel indkomst, gns. (kr.)",
        "competence_education": "Kompetencegivende uddannelse (%)",
        "deprivation": "Udsathedsscore", "in_movers": "Tilflyttere siden forrige år i data",
        "out_movers": "Fraflyttere siden forrige år i data",
    },
    "en": {
        "residents": "Residents", "age_0_17": "Aged 0-17", "age_18_29": "Aged 18-29",
        "age_30_64": "Aged 30-64", "age_65_plus": "Aged 65 and over",
        "employed": "Employed, aged 18-64 (%)",
        "disposable_income": "Disposable income, mean (DKK)",
        "competence_education": "Competence-giving education (%)",
        "deprivation": "Deprivation score", "in_movers": "In-movers since the previous data year",
        "out_movers": "Out-movers since the previous data year",
    },
}
_LABELS["monitor_unit"] = {
    "da": {"area": "Boligområde", "plan": "Helhedsplan", "municipality": "Kommune"},
    "en": {"area": "Housing area", "plan": "Master plan", "municipality": "Municipality"},
}
_LABELS["monitor_units"] = {
    "da": {"area": "Boligområder", "plan": "Helhedsplaner", "municipality": "Kommuner"},
    "en": {"area": "Housing areas", "plan": "Master plans", "municipality": "Municipalities"},
}
_MONITOR_TEXT = {
    "da": {
        "monitor_title": "Monitorering af boligområder og helhedsplaner",
        "monitor_overviews": "Oversigt pr. kommune",
        "monitor_index": "Til oversigten",
        "monitor_indicators": "Nøgletal pr. år",
        "monitor_criteria": "Kriterierne i almenboligloven § 61 a pr. år",
        "monitor_status": "Status {year}: {status}",
        "monitor_active": "Helhedsplanernes aktive år",
        "monitor_too_small": (
            "For få beboere til at vise tal: hvert tal skal bygge på mindst det antal personer, "
            "som diskretioneringsreglerne kræver."
        ),
        "monitor_note": (
            "· = undertrykt af hensyn til diskretion (færre end {k} personer bag tallet, en "
            "dominerende person, eller et felt, der ellers kunne regnes ud). * = kriteriet er "
            "opfyldt."
        ),
    },
    "en": {
        "monitor_title": "Monitoring of housing areas and master plans",
        "monitor_overviews": "Overview by municipality",
        "monitor_index": "Back to the overview",
        "monitor_indicators": "Indicators by year",
        "monitor_criteria": "The criteria of almenboligloven § 61 a by year",
        "monitor_status": "Status {year}: {status}",
        "monitor_active": "Active years of the master plans",
        "monitor_too_small": (
            "Too few residents to show numbers: every number must rest on at least the number "
            "of persons the disclosure rules require."
        ),
        "monitor_note": (
            "· = suppressed for confidentiality (fewer than {k} persons behind the number, one "
            "dominant person, or a cell that could otherwise be derived). * = criterion met."
        ),
    },
}
for _lang in LANGS:
    TEXT[_lang].update(_MONITOR_TEXT[_lang])
