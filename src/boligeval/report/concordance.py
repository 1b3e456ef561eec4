"""Concordance: every numbered table and figure of the seed report and where it is here.

The seed is the 2013 mid-term evaluation of Landsbyggefonden's 2006-10 pool
(SFI/Rambøll). Each entry names the report blocks (table or figure keys,
``fnmatch`` patterns) that show it; at build time they are resolved to the
report's own numbers. An entry without keys says why it is not in the report.
docs/concordance.md is the same list for readers of the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENTRIES", "Entry"]


@dataclass(frozen=True)
class Entry:
    """One numbered table or figure of the seed.

    Attributes
    ----------
    seed : str
        Its number in the seed, e.g. ``"T4.2"`` or ``"F5.1"``.
    title_da, title_en : str
        What it shows.
    keys : tuple of str
        Keys (fnmatch patterns) of the report's tables and figures that show it.
    why_da, why_en : str
        What is shown differently, or why it is not in the report.
    out_of_scope : bool
        A diagram or qualitative case material that no data input carries.
    """

    seed: str
    title_da: str
    title_en: str
    keys: tuple[str, ...] = ()
    why_da: str = ""
    why_en: str = ""
    out_of_scope: bool = False


_QUAL_DA = "kvalitativt casemateriale; ingen datakilde i inputkontrakten"
_QUAL_EN = "qualitative case material; no data source in the input contract"
_DIAG_DA = "begrebsdiagram uden tal"
_DIAG_EN = "conceptual diagram without numbers"
_ITEMS_DA = "spørgsmålene findes ikke i surveyens kodebog"
_ITEMS_EN = "the items are not in the survey codebook"

ENTRIES: tuple[Entry, ...] = (
    Entry("F1.1", "Boligorganisatorisk og kommunalt perspektiv",
          "Housing-organisation and municipal perspective", (), _DIAG_DA, _DIAG_EN, True),
    Entry("F2.1", "Analyseramme for evalueringen", "Framework of the evaluation", (),
          _DIAG_DA, _DIAG_EN, True),
    Entry("F2.2", "Procesevalueringens fokus og analyseniveauer",
          "Focus and levels of the process evaluation", (), _DIAG_DA, _DIAG_EN, True),
    Entry("T3.1", "Formål, der i høj grad er tilstræbt, pr. aktørgruppe",
          "Goals pursued to a high degree, by actor group", ("survey_goals_top",)),
    Entry("F3.1", "Boligområder efter grad af fuldførelse af helhedsplanen",
          "Areas by degree of completion of the plan", (),
          "fuldførelsesgraden er ikke i programdata eller survey",
          "completion is in neither the programme records nor the survey"),
    Entry("T3.2", "Barrierer for implementeringen", "Barriers to implementation",
          ("survey_barriers",)),
    Entry("T3.3", "Indsatsområder med aktiviteter og andel af budgettet",
          "Intervention areas with activities and share of the budget",
          ("survey_intervention_areas",)),
    Entry("F3.2", "Målgrupper for beskæftigelses- og uddannelsesindsatser",
          "Target groups of employment and education activities", ("survey_distribution*",),
          "som fordeling af svar (tabel), ikke som figur",
          "as a distribution of answers (table), not as a figure"),
    Entry("F3.3", "Aktiviteter inden for børn, unge og familie",
          "Activities for children, youth and families", ("survey_distribution*",),
          "som fordeling af svar (tabel), ikke som figur",
          "as a distribution of answers (table), not as a figure"),
    Entry("T4.1", "Sammenlignelighed før indsatsen", "Balance at baseline", ("balance",)),
    Entry("T4.2", "Helhedsplaner og beskæftigelse", "Plans and employment",
          ("area_did_employed",)),
    Entry("F4.1", "Beskæftigelse pr. indsatsgruppe og år", "Employment by group and year",
          ("trends_working_age_employed",)),
    Entry("T4.3", "Helhedsplaner og indkomst", "Plans and income",
          ("area_did_disposable_income", "area_did_equivalised_income")),
    Entry("F4.2", "Husstandsækvivaleret indkomst pr. indsatsgruppe og år",
          "Household-equivalised income by group and year",
          ("trends_households_equivalised_income",)),
    Entry("T4.4", "Helhedsplaner og tilflytteres beskæftigelse",
          "Plans and in-movers' employment", ("area_did_employed",),
          "kolonnerne for tilflyttere", "the in-mover columns"),
    Entry("T4.5", "Helhedsplaner og tilflytteres indkomst", "Plans and in-movers' income",
          ("area_did_disposable_income", "area_did_equivalised_income"),
          "kolonnerne for tilflyttere", "the in-mover columns"),
    Entry("T4.6", "Individniveau: beskæftigelse med og uden tilflyttere",
          "Individual level: employment with and without in-movers",
          ("individual_did_employed",)),
    Entry("T4.7", "Individniveau: indkomst med og uden tilflyttere",
          "Individual level: income with and without in-movers",
          ("individual_did_disposable_income", "individual_did_equivalised_income")),
    Entry("T4.8", "Boligafdelinger efter modtagelse af huslejestøtte pr. indsatsgruppe",
          "Departments by receipt of rent support per group", ("rent_support_groups_rounds",)),
    Entry("T4.9", "Udsathedsgrad efter indsatsgruppe og huslejestøtte",
          "Deprivation by group and rent support", ("rent_support_groups_deprivation",)),
    Entry("T4.10", "Huslejestøtte, helhedsplaner og tilflytteres beskæftigelse",
          "Rent support, plans and in-movers' employment",
          ("area_ddd_rent_support_employed",)),
    Entry("T4.11", "Huslejestøtte, helhedsplaner og tilflytteres indkomst",
          "Rent support, plans and in-movers' income",
          ("area_ddd_rent_support_disposable_income",
           "area_ddd_rent_support_equivalised_income"),
          "én tabel pr. udfaldsmål", "one table per outcome"),
    Entry("T4.12", "Huslejestøtte, helhedsplaner og tilflytteres kompetencegivende uddannelse",
          "Rent support, plans and in-movers' competence-giving education",
          ("area_ddd_rent_support_competence_education",),
          "én kolonne: uddannelse måles for 25-64-årige, så alle tilflyttere og tilflyttere i "
          "den erhvervsaktive alder er samme population",
          "one column: education is measured at ages 25-64, so all in-movers and in-movers of "
          "working age are the same population"),
    Entry("T4.13", "Forsøg med fleksibel udlejning og kommunal anvisning",
          "Trials with flexible letting and municipal allocation", ("survey_plan_attributes",)),
    Entry("T4.14", "Imageforbedrende indsatser", "Image interventions",
          ("survey_plan_attributes",)),
    Entry("T5.1", "De fem største udfordringer pr. aktørgruppe",
          "The five largest challenges by actor group", ("survey_largest_challenges",)),
    Entry("T5.2", "Gennemsnitligt niveau af udfordringer 2010 og 2013",
          "Mean level of challenges 2010 and 2013", ("survey_challenge_level",)),
    Entry("F5.1", "Ændring i vurderingen af udfordringerne 2010-2013",
          "Change in the assessment of challenges 2010-2013", ("challenge_change",)),
    Entry("T5.3", "Resultater pr. indsatsområde", "Results by intervention area",
          ("survey_result_area",)),
    Entry("F5.2", "Resultater pr. indsatsområde og aktørtype",
          "Results by intervention area and actor type", ("survey_result_area_actors",)),
    Entry("F5.3", "Typer af resultater", "Types of results", ("survey_result_type_themes",),
          "grupperet i seedens seks temaer: tre med resultater i nogen eller høj grad, tre i "
          "ringe grad",
          "grouped into the seed's six themes: three with results to some or a high degree, "
          "three to a small degree"),
    Entry("F5.4", "Resultater inden for beskæftigelse og uddannelse",
          "Results in employment and education", ("survey_distribution*",),
          "som fordeling af svar (tabel), ikke som figur",
          "as a distribution of answers (table), not as a figure"),
    Entry("F5.5", "Resultater inden for børn, unge og familie",
          "Results for children, youth and families", ("survey_distribution*",),
          "som fordeling af svar (tabel), ikke som figur",
          "as a distribution of answers (table), not as a figure"),
    Entry("T6.1", "De 13 caseområder efter antal lejemål og bevilling",
          "The 13 case areas by tenancies and grant", (), _QUAL_DA, _QUAL_EN, True),
    Entry("F6.1", "Repræsentation i styregruppen", "Representation in the steering group", (),
          _ITEMS_DA, _ITEMS_EN),
    Entry("F8.1", "Samarbejdsformer efter sekretariatstype",
          "Forms of collaboration by secretariat type", ("survey_crosstab*",),
          "som krydstabel (projektledere 2013)", "as a cross-tabulation (project leaders 2013)"),
    Entry("F8.2", "To dagsordener", "Two agendas", (), _DIAG_DA, _DIAG_EN, True),
    Entry("T9.1", "Fokus på mål og resultater efter kommunalt ansatte i sekretariatet",
          "Focus on goals and results by municipal staff in the secretariat",
          ("survey_crosstab_goal_focus",)),
    Entry("F9.1", "Planer for forankring", "Plans for anchoring", ("survey_distribution*",),
          "som fordeling af svar (tabel), ikke som figur",
          "as a distribution of answers (table), not as a figure"),
    Entry("TB2.1", "Svarprocenter pr. aktørgruppe (bilag 2)",
          "Response rates by actor group (appendix 2)", ("survey_response_rates",)),
    Entry("T10.1", "Områdesekretariaternes funktioner i casene",
          "Functions of the area secretariats in the cases", (), _QUAL_DA, _QUAL_EN, True),
    Entry("F10.1", "Områdesekretariatet sikrer koordinering og støtte",
          "The area secretariat ensures coordination and support", (), _ITEMS_DA, _ITEMS_EN),
    Entry("F10.2", "Samarbejdets kvalitet med og uden områdesekretariat",
          "Quality of collaboration with and without an area secretariat", (),
          _ITEMS_DA, _ITEMS_EN),
    Entry("F10.3", "Barrierer med og uden områdesekretariat",
          "Barriers with and without an area secretariat", (),
          "endnu ikke: barrierer krydset med områdesekretariat",
          "not yet: barriers crossed with area secretariat"),
    Entry("F10.4", "Koordinering, sparring og videndeling (projektledere, kommuner)",
          "Coordination, sparring and knowledge sharing (project leaders, municipalities)", (),
          _ITEMS_DA, _ITEMS_EN),
    Entry("F10.5", "Områdesekretariatet driver projekter; beboerinddragelse",
          "The area secretariat runs projects; resident involvement", (),
          _ITEMS_DA, _ITEMS_EN),
)
