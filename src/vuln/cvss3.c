/* CVSS 3.0 and 3.1 base scores, from FIRST's specification documents for each: metric values from
 * section 6 (Table 15 in v3.1), the base equations from section 7.1, the weights from section 7.4,
 * and each version's own Roundup (v3.0 section 7.1; v3.1 Appendix A). The base equations and
 * weights are the same in both versions; only Roundup differs. */
#include "vuln/cvss_internal.h"

#include <math.h>

enum {
	AV, AC, PR, UI, S, C, I, A,      /* base */
	E, RL, RC,                       /* temporal */
	CR, IR, AR, MAV, MAC, MPR, MUI,  /* environmental */
	MS, MC, MI, MA,
	METRIC_COUNT
};

static const char *const av_values[] = {"N", "A", "L", "P", NULL};
static const char *const ac_values[] = {"L", "H", NULL};
static const char *const pr_values[] = {"N", "L", "H", NULL};
static const char *const ui_values[] = {"N", "R", NULL};
static const char *const s_values[] = {"U", "C", NULL};
static const char *const cia_values[] = {"H", "L", "N", NULL};
/* Temporal and environmental metrics: accepted, but the base score does not use them. "X" is Not
 * Defined, which the specification allows to be written out. */
static const char *const e_values[] = {"X", "H", "F", "P", "U", NULL};
static const char *const rl_values[] = {"X", "U", "W", "T", "O", NULL};
static const char *const rc_values[] = {"X", "C", "R", "U", NULL};
static const char *const req_values[] = {"X", "H", "M", "L", NULL};
static const char *const mav_values[] = {"X", "N", "A", "L", "P", NULL};
static const char *const mac_values[] = {"X", "L", "H", NULL};
static const char *const mpr_values[] = {"X", "N", "L", "H", NULL};
static const char *const mui_values[] = {"X", "N", "R", NULL};
static const char *const ms_values[] = {"X", "U", "C", NULL};
static const char *const mcia_values[] = {"X", "H", "L", "N", NULL};

static const struct cvss_metric metrics[METRIC_COUNT] = {
	[AV] = {"AV", av_values, true},     [AC] = {"AC", ac_values, true},
	[PR] = {"PR", pr_values, true},     [UI] = {"UI", ui_values, true},
	[S] = {"S", s_values, true},        [C] = {"C", cia_values, true},
	[I] = {"I", cia_values, true},      [A] = {"A", cia_values, true},
	[E] = {"E", e_values, false},       [RL] = {"RL", rl_values, false},
	[RC] = {"RC", rc_values, false},    [CR] = {"CR", req_values, false},
	[IR] = {"IR", req_values, false},   [AR] = {"AR", req_values, false},
	[MAV] = {"MAV", mav_values, false}, [MAC] = {"MAC", mac_values, false},
	[MPR] = {"MPR", mpr_values, false}, [MUI] = {"MUI", mui_values, false},
	[MS] = {"MS", ms_values, false},    [MC] = {"MC", mcia_values, false},
	[MI] = {"MI", mcia_values, false},  [MA] = {"MA", mcia_values, false},
};

static const struct cvss_scheme scheme_v30 = {"3.0", metrics, METRIC_COUNT};
static const struct cvss_scheme scheme_v31 = {"3.1", metrics, METRIC_COUNT};

/* Weights from section 7.4, in the order of the value lists above. */
static const double av_weight[] = {0.85, 0.62, 0.55, 0.2};
static const double ac_weight[] = {0.77, 0.44};
static const double pr_weight_unchanged[] = {0.85, 0.62, 0.27};
static const double pr_weight_changed[] = {0.85, 0.68, 0.5}; /* PR counts more when scope changes */
static const double ui_weight[] = {0.85, 0.62};
static const double cia_weight[] = {0.56, 0.22, 0.0};
enum { SCOPE_UNCHANGED = 0, SCOPE_CHANGED = 1 };

/* v3.0: "the smallest number, specified to one decimal place, that is equal to or higher than its
 * input". */
double cvss_roundup_v30(double x)
{
	return ceil(x * 10.0) / 10.0;
}

/* v3.1, Appendix A: the same definition, computed on an integer so that a result such as
 * 4.000000000000001 (really 4.0, off by binary floating-point error) stays 4.0. */
double cvss_roundup_v31(double x)
{
	long long scaled = llround(x * 100000.0);
	if (scaled % 10000 == 0)
		return (double)scaled / 100000.0;
	return (double)(scaled / 10000 + 1) / 10.0;
}

static double base_score(const struct cvss_parsed *p, bool v31)
{
	bool changed = p->value[S] == SCOPE_CHANGED;
	double iss = 1.0 - (1.0 - cia_weight[p->value[C]]) * (1.0 - cia_weight[p->value[I]]) *
	                       (1.0 - cia_weight[p->value[A]]);
	double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	const double *pr_weight = changed ? pr_weight_changed : pr_weight_unchanged;
	double exploitability = 8.22 * av_weight[p->value[AV]] * ac_weight[p->value[AC]] *
	                        pr_weight[p->value[PR]] * ui_weight[p->value[UI]];
	if (impact <= 0.0)
		return 0.0;
	double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
	if (sum > 10.0)
		sum = 10.0;
	return v31 ? cvss_roundup_v31(sum) : cvss_roundup_v30(sum);
}

int cvss3_score(const char *vector, const char *body, size_t len, bool v31, double *score)
{
	struct cvss_parsed parsed;
	int rc = cvss_parse(vector, body, len, v31 ? &scheme_v31 : &scheme_v30, &parsed);
	if (rc != 0)
		return rc;
	*score = base_score(&parsed, v31);
	return 0;
}
