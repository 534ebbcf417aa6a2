/* CVSS 4.0 scores, from FIRST's "CVSS v4.0 Specification Document": metrics and values from sections
 * 2-5 and 7 (vector string), scoring from section 8 ("CVSS v4.0 Scoring"):
 *
 *   1. The vector's metrics are reduced to their effective values: a modified (environmental) metric
 *      that is given replaces its base metric; E not given counts as Attacked (A), CR/IR/AR not
 *      given as High (H), the worst case.
 *   2. The effective values put the vector in one MacroVector: six equivalence classes EQ1..EQ6,
 *      each a level 0 (most severe) to 2. FIRST publishes one score per MacroVector (cvss4_table.c).
 *   3. Within its MacroVector the vector sits some "severity distance" below the MacroVector's most
 *      severe vectors. For each EQ, that distance, as a fraction of the MacroVector's depth in that
 *      EQ, scales the score gap to the next lower MacroVector in that EQ; the score is the
 *      MacroVector's score minus the mean of those scaled gaps, rounded to one decimal.
 *
 * The highest-severity vectors and the depths of each MacroVector are published with the
 * specification in FIRST's reference calculator (max_composed.js, max_severity.js) and are
 * transcribed here as data. */
#include "cairn/error.h"
#include "vuln/cvss_internal.h"

#include <string.h>

enum {
	AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, /* base */
	E,                                          /* threat */
	CR, IR, AR,                                 /* environmental: security requirements */
	MAV, MAC, MAT, MPR, MUI, MVC, MVI, MVA, MSC, MSI, MSA, /* environmental: modified base */
	SAFETY, AUTOMATABLE, RECOVERY, VALUE_DENSITY, RESPONSE_EFFORT, URGENCY, /* supplemental */
	METRIC_COUNT
};

static const char *const av_values[] = {"N", "A", "L", "P", NULL};
static const char *const ac_values[] = {"L", "H", NULL};
static const char *const at_values[] = {"N", "P", NULL};
static const char *const pr_values[] = {"N", "L", "H", NULL};
static const char *const ui_values[] = {"N", "P", "A", NULL};
static const char *const impact_values[] = {"H", "L", "N", NULL};
static const char *const e_values[] = {"X", "A", "P", "U", NULL};
static const char *const req_values[] = {"X", "H", "M", "L", NULL};
static const char *const mav_values[] = {"X", "N", "A", "L", "P", NULL};
static const char *const mac_values[] = {"X", "L", "H", NULL};
static const char *const mat_values[] = {"X", "N", "P", NULL};
static const char *const mpr_values[] = {"X", "N", "L", "H", NULL};
static const char *const mui_values[] = {"X", "N", "P", "A", NULL};
static const char *const mimpact_values[] = {"X", "H", "L", "N", NULL};
/* MSI and MSA add Safety (S): the subsequent system's harm reaches human safety. */
static const char *const msafety_values[] = {"X", "S", "H", "L", "N", NULL};
static const char *const s_values[] = {"X", "N", "P", NULL};
static const char *const au_values[] = {"X", "N", "Y", NULL};
static const char *const r_values[] = {"X", "A", "U", "I", NULL};
static const char *const v_values[] = {"X", "D", "C", NULL};
static const char *const re_values[] = {"X", "L", "M", "H", NULL};
static const char *const u_values[] = {"X", "Clear", "Green", "Amber", "Red", NULL};

static const struct cvss_metric metrics[METRIC_COUNT] = {
	[AV] = {"AV", av_values, true},
	[AC] = {"AC", ac_values, true},
	[AT] = {"AT", at_values, true},
	[PR] = {"PR", pr_values, true},
	[UI] = {"UI", ui_values, true},
	[VC] = {"VC", impact_values, true},
	[VI] = {"VI", impact_values, true},
	[VA] = {"VA", impact_values, true},
	[SC] = {"SC", impact_values, true},
	[SI] = {"SI", impact_values, true},
	[SA] = {"SA", impact_values, true},
	[E] = {"E", e_values, false},
	[CR] = {"CR", req_values, false},
	[IR] = {"IR", req_values, false},
	[AR] = {"AR", req_values, false},
	[MAV] = {"MAV", mav_values, false},
	[MAC] = {"MAC", mac_values, false},
	[MAT] = {"MAT", mat_values, false},
	[MPR] = {"MPR", mpr_values, false},
	[MUI] = {"MUI", mui_values, false},
	[MVC] = {"MVC", mimpact_values, false},
	[MVI] = {"MVI", mimpact_values, false},
	[MVA] = {"MVA", mimpact_values, false},
	[MSC] = {"MSC", mimpact_values, false},
	[MSI] = {"MSI", msafety_values, false},
	[MSA] = {"MSA", msafety_values, false},
	[SAFETY] = {"S", s_values, false},
	[AUTOMATABLE] = {"AU", au_values, false},
	[RECOVERY] = {"R", r_values, false},
	[VALUE_DENSITY] = {"V", v_values, false},
	[RESPONSE_EFFORT] = {"RE", re_values, false},
	[URGENCY] = {"U", u_values, false},
};

static const struct cvss_scheme scheme = {"4.0", metrics, METRIC_COUNT};

/* ---- step 1: effective values, one letter per metric that scoring uses (AV..AR) ---- */

#define SCORED_COUNT (AR + 1)

/* The letter the vector gives for a metric, 'X' (Not Defined) when it gives none. All values that
 * scoring reads are one letter; only the supplemental U has longer ones. */
static char given(const struct cvss_parsed *p, int metric)
{
	if (p->value[metric] == CVSS_ABSENT)
		return 'X';
	return metrics[metric].values[p->value[metric]][0];
}

static void effective_values(const struct cvss_parsed *p, char eff[SCORED_COUNT])
{
	/* The modified metrics MAV..MSA are in the same order as the base metrics AV..SA. */
	for (int m = AV; m <= SA; m++) {
		char modified = given(p, MAV + (m - AV));
		eff[m] = modified != 'X' ? modified : given(p, m);
	}
	eff[E] = given(p, E) == 'X' ? 'A' : given(p, E);
	for (int m = CR; m <= AR; m++)
		eff[m] = given(p, m) == 'X' ? 'H' : given(p, m);
}

/* ---- step 2: the MacroVector ---- */

struct macrovector {
	int eq[6]; /* eq[0] is EQ1 ... eq[5] is EQ6 */
};

static struct macrovector macrovector_of(const char *eff)
{
	struct macrovector mv;
	/* EQ1: 0 = AV:N and PR:N and UI:N; 1 = any one of them N, but not all, and not AV:P;
	 * 2 = AV:P or none of them N. */
	bool av_n = eff[AV] == 'N', pr_n = eff[PR] == 'N', ui_n = eff[UI] == 'N';
	if (av_n && pr_n && ui_n)
		mv.eq[0] = 0;
	else if ((av_n || pr_n || ui_n) && eff[AV] != 'P')
		mv.eq[0] = 1;
	else
		mv.eq[0] = 2;
	/* EQ2: 0 = AC:L and AT:N; 1 otherwise. */
	mv.eq[1] = eff[AC] == 'L' && eff[AT] == 'N' ? 0 : 1;
	/* EQ3: 0 = VC:H and VI:H; 1 = otherwise any of VC, VI, VA high; 2 = none high. */
	if (eff[VC] == 'H' && eff[VI] == 'H')
		mv.eq[2] = 0;
	else if (eff[VC] == 'H' || eff[VI] == 'H' || eff[VA] == 'H')
		mv.eq[2] = 1;
	else
		mv.eq[2] = 2;
	/* EQ4: 0 = MSI:S or MSA:S; 1 = otherwise any of SC, SI, SA high; 2 = none high. */
	if (eff[SI] == 'S' || eff[SA] == 'S')
		mv.eq[3] = 0;
	else if (eff[SC] == 'H' || eff[SI] == 'H' || eff[SA] == 'H')
		mv.eq[3] = 1;
	else
		mv.eq[3] = 2;
	/* EQ5: E:A 0, E:P 1, E:U 2. */
	mv.eq[4] = eff[E] == 'A' ? 0 : eff[E] == 'P' ? 1 : 2;
	/* EQ6: 0 = a high impact where the requirement is high too (CR:H and VC:H, or IR:H and
	 * VI:H, or AR:H and VA:H); 1 otherwise. */
	bool high = (eff[CR] == 'H' && eff[VC] == 'H') || (eff[IR] == 'H' && eff[VI] == 'H') ||
	            (eff[AR] == 'H' && eff[VA] == 'H');
	mv.eq[5] = high ? 0 : 1;
	return mv;
}

static double score_of(const struct macrovector *mv)
{
	return cvss4_macrovector_score(mv->eq[0], mv->eq[1], mv->eq[2], mv->eq[3], mv->eq[4], mv->eq[5]);
}

/* ---- step 3: severity distance ---- */

/* A metric's severity level: its position in this list, most severe first, in steps of 0.1. SC
 * shares SI's list though it has no S, so H, L, N sit at the same levels for all three. */
static int level(int metric, char value)
{
	static const char *const order[SCORED_COUNT] = {
		[AV] = "NALP", [AC] = "LH",   [AT] = "NP",   [PR] = "NLH",  [UI] = "NPA",
		[VC] = "HLN",  [VI] = "HLN",  [VA] = "HLN",  [SC] = "SHLN", [SI] = "SHLN",
		[SA] = "SHLN", [E] = "APU",   [CR] = "HML",  [IR] = "HML",  [AR] = "HML",
	};
	const char *at = strchr(order[metric], value);
	return at != NULL ? (int)(at - order[metric]) : 0; /* parsing admits only listed values */
}

/* The highest-severity vectors of each MacroVector level, per EQ, as the letters of the metrics
 * that EQ covers (FIRST's max_composed.js). EQ3 and EQ6 are taken together because both depend
 * on VC, VI and VA. EQ5 (E) has a single value per level, so its distance is always 0. */
static const int eq1_metrics[] = {AV, PR, UI};
static const char *const eq1_max[3][4] = {
	{"NNN"},
	{"ANN", "NLN", "NNP"},
	{"PNN", "ALP"},
};
static const int eq2_metrics[] = {AC, AT};
static const char *const eq2_max[2][3] = {
	{"LN"},
	{"HN", "LP"},
};
static const int eq3eq6_metrics[] = {VC, VI, VA, CR, IR, AR};
static const char *const eq3eq6_max[3][2][6] = {
	{{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
	{{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
	{{NULL}, {"LLLHHH"}},
};
static const int eq4_metrics[] = {SC, SI, SA};
static const char *const eq4_max[3][2] = {
	{"HSS"},
	{"HHH"},
	{"LLL"},
};

/* The depth of each MacroVector level in each EQ: the largest severity distance (in 0.1 steps)
 * a vector can have from that level's highest-severity vectors, plus one (max_severity.js). */
static const int eq1_depth[3] = {1, 4, 5};
static const int eq2_depth[2] = {1, 2};
static const int eq3eq6_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int eq4_depth[3] = {6, 5, 4};

/* The severity distance of the vector from the first of `maxes` that is at least as severe in
 * every metric the EQ covers: the sum of the per-metric level differences. Every vector in a
 * MacroVector has such a highest vector (that is what the lists are); if none is found the
 * distance is taken as 0 so that the score stays the MacroVector's own. */
static int severity_distance(const char *eff, const int *eq_metrics, size_t count, const char *const *maxes,
                             size_t max_count)
{
	for (size_t i = 0; i < max_count && maxes[i] != NULL; i++) {
		int sum = 0;
		bool dominated = true;
		for (size_t k = 0; k < count; k++) {
			int diff = level(eq_metrics[k], eff[eq_metrics[k]]) - level(eq_metrics[k], maxes[i][k]);
			if (diff < 0)
				dominated = false;
			sum += diff;
		}
		if (dominated)
			return sum;
	}
	return 0;
}

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The score of the next lower MacroVector in EQ3+EQ6, or CVSS4_NO_MACROVECTOR. The two move
 * together: 00 can step to 01 or to 10 (the higher of the two counts), 01 and 10 step to 11, 11
 * steps to 21, and 21 is the lowest. */
static double next_lower_eq3eq6(const struct macrovector *mv)
{
	struct macrovector a = *mv, b = *mv;
	int eq3 = mv->eq[2], eq6 = mv->eq[5];
	if (eq3 == 0 && eq6 == 0) {
		a.eq[5] = 1;
		b.eq[2] = 1;
		double sa = score_of(&a), sb = score_of(&b);
		return sa > sb ? sa : sb;
	}
	if (eq3 == 1 && eq6 == 0)
		a.eq[5] = 1;
	else if (eq6 == 1 && eq3 < 2)
		a.eq[2] = eq3 + 1;
	else
		return CVSS4_NO_MACROVECTOR;
	return score_of(&a);
}

static double interpolated_score(const char *eff, const struct macrovector *mv)
{
	double value = score_of(mv);
	int eq1 = mv->eq[0], eq2 = mv->eq[1], eq3 = mv->eq[2], eq4 = mv->eq[3], eq6 = mv->eq[5];

	/* Per EQ: the score of the next lower MacroVector, the vector's distance, and the depth. */
	double lower[5];
	int distance[5], depth[5];
	struct macrovector next = *mv;
	next.eq[0] = eq1 + 1;
	lower[0] = score_of(&next);
	next = *mv;
	next.eq[1] = eq2 + 1;
	lower[1] = score_of(&next);
	lower[2] = next_lower_eq3eq6(mv);
	next = *mv;
	next.eq[3] = eq4 + 1;
	lower[3] = score_of(&next);
	next = *mv;
	next.eq[4] = mv->eq[4] + 1;
	lower[4] = score_of(&next);

	distance[0] = severity_distance(eff, eq1_metrics, COUNT(eq1_metrics), eq1_max[eq1], COUNT(eq1_max[eq1]));
	distance[1] = severity_distance(eff, eq2_metrics, COUNT(eq2_metrics), eq2_max[eq2], COUNT(eq2_max[eq2]));
	distance[2] = severity_distance(eff, eq3eq6_metrics, COUNT(eq3eq6_metrics), eq3eq6_max[eq3][eq6],
	                                COUNT(eq3eq6_max[eq3][eq6]));
	distance[3] = severity_distance(eff, eq4_metrics, COUNT(eq4_metrics), eq4_max[eq4], COUNT(eq4_max[eq4]));
	distance[4] = 0;
	depth[0] = eq1_depth[eq1];
	depth[1] = eq2_depth[eq2];
	depth[2] = eq3eq6_depth[eq3][eq6];
	depth[3] = eq4_depth[eq4];
	depth[4] = 1;

	/* Only EQs that have a lower MacroVector take part in the mean. */
	double sum = 0.0;
	int existing = 0;
	for (int i = 0; i < 5; i++) {
		if (lower[i] == CVSS4_NO_MACROVECTOR || depth[i] <= 0)
			continue;
		existing++;
		sum += (value - lower[i]) * distance[i] / depth[i];
	}
	if (existing > 0)
		value -= sum / existing;
	if (value < 0.0)
		value = 0.0;
	if (value > 10.0)
		value = 10.0;
	return cvss_round1(value);
}

int cvss4_score(const char *vector, const char *body, size_t len, double *score)
{
	struct cvss_parsed parsed;
	int rc = cvss_parse(vector, body, len, &scheme, &parsed);
	if (rc != 0)
		return rc;
	char eff[SCORED_COUNT];
	effective_values(&parsed, eff);

	/* No impact on any system scores 0.0, whatever else the vector says. */
	bool no_impact = true;
	for (int m = VC; m <= SA; m++)
		if (eff[m] != 'N')
			no_impact = false;
	if (no_impact) {
		*score = 0.0;
		return 0;
	}
	struct macrovector mv = macrovector_of(eff);
	if (score_of(&mv) == CVSS4_NO_MACROVECTOR) /* cannot happen: EQ3 = 2 forces EQ6 = 1 */
		return cairn_error_set(CAIRN_EINTERNAL, "CVSS vector \"%s\": no score for its MacroVector", vector);
	*score = interpolated_score(eff, &mv);
	return 0;
}
