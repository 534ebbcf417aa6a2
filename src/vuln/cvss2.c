/* CVSS 2.0 base score, from "A Complete Guide to the Common Vulnerability Scoring System Version
 * 2.0" (FIRST, 2007): metrics and values from section 2 (Table 13 for the vector), the equation and
 * the weights from section 3.2.1. */
#include "vuln/cvss_internal.h"

/* The metrics in the guide's order; the enum indexes both the table and the parsed values. */
enum { AV, AC, AU, C, I, A, E, RL, RC, CDP, TD, CR, IR, AR, METRIC_COUNT };

static const char *const av_values[] = {"L", "A", "N", NULL};
static const char *const ac_values[] = {"H", "M", "L", NULL};
static const char *const au_values[] = {"M", "S", "N", NULL};
static const char *const impact_values[] = {"N", "P", "C", NULL};
/* Temporal and environmental metrics: accepted, but the base score does not use them. */
static const char *const e_values[] = {"U", "POC", "F", "H", "ND", NULL};
static const char *const rl_values[] = {"OF", "TF", "W", "U", "ND", NULL};
static const char *const rc_values[] = {"UC", "UR", "C", "ND", NULL};
static const char *const cdp_values[] = {"N", "L", "LM", "MH", "H", "ND", NULL};
static const char *const td_values[] = {"N", "L", "M", "H", "ND", NULL};
static const char *const req_values[] = {"L", "M", "H", "ND", NULL};

static const struct cvss_metric metrics[METRIC_COUNT] = {
	[AV] = {"AV", av_values, true},
	[AC] = {"AC", ac_values, true},
	[AU] = {"Au", au_values, true},
	[C] = {"C", impact_values, true},
	[I] = {"I", impact_values, true},
	[A] = {"A", impact_values, true},
	[E] = {"E", e_values, false},
	[RL] = {"RL", rl_values, false},
	[RC] = {"RC", rc_values, false},
	[CDP] = {"CDP", cdp_values, false},
	[TD] = {"TD", td_values, false},
	[CR] = {"CR", req_values, false},
	[IR] = {"IR", req_values, false},
	[AR] = {"AR", req_values, false},
};

static const struct cvss_scheme scheme = {"2.0", metrics, METRIC_COUNT};

/* Weights from section 3.2.1, in the order of the value lists above. */
static const double av_weight[] = {0.395, 0.646, 1.0};
static const double ac_weight[] = {0.35, 0.61, 0.71};
static const double au_weight[] = {0.45, 0.56, 0.704};
static const double impact_weight[] = {0.0, 0.275, 0.660};

/* BaseScore = round_to_1_decimal(((0.6*Impact)+(0.4*Exploitability)-1.5)*f(Impact))
 * Impact = 10.41*(1-(1-ConfImpact)*(1-IntegImpact)*(1-AvailImpact))
 * Exploitability = 20*AccessVector*AccessComplexity*Authentication
 * f(Impact) = 0 if Impact = 0, 1.176 otherwise */
static double base_score(const struct cvss_parsed *p)
{
	double impact = 10.41 * (1.0 - (1.0 - impact_weight[p->value[C]]) * (1.0 - impact_weight[p->value[I]]) *
	                                   (1.0 - impact_weight[p->value[A]]));
	double exploitability = 20.0 * av_weight[p->value[AV]] * ac_weight[p->value[AC]] * au_weight[p->value[AU]];
	double f = impact == 0.0 ? 0.0 : 1.176;
	double score = cvss_round1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f);
	return score < 0.0 ? 0.0 : score; /* no impact gives -0.0 */
}

int cvss2_score(const char *vector, const char *body, size_t len, double *score)
{
	struct cvss_parsed parsed;
	int rc = cvss_parse(vector, body, len, &scheme, &parsed);
	if (rc != 0)
		return rc;
	*score = base_score(&parsed);
	return 0;
}
