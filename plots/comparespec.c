/* The figures of `reclaimsim compare` and the colour of each policy in
 * them (see compare.h): the one list the figures and the report read. */
#include "plots/compare.h"

static const PlotCompareSpec specs[] = {
    {"compare-free", "host free memory by policy",
     "Host free memory (log scale) under each policy, with minFree: below it the host is in "
     "the soft state or worse and reclaims harder."},
    {"compare-perf", "mean performance index of the VMs by policy",
     "The mean over the VMs of each sample interval's performance index (1.0 = no stall), "
     "under each policy, with the SLA when the scenario has one."},
    {"compare-reclaimed", "memory reclaimed by mechanism and policy",
     "Host-wide memory each mechanism holds back under each policy: in balloons, saved by page "
     "sharing, saved by compression, swapped by the host (summary.json reclaimed_mb is the peak "
     "of each line)."},
};

const PlotCompareSpec *plot_compare_specs(guint *n)
{
    *n = G_N_ELEMENTS(specs);
    return specs;
}

/* Paul Tol, "Colour Schemes" (SRON/EPS/TN/09-002), muted qualitative scheme. */
static const char *const colours[] = {"#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE",
                                      "#882255", "#44AA99", "#999933", "#AA4499"};

const char *plot_compare_colour(guint i)
{
    return colours[i % G_N_ELEMENTS(colours)];
}

guint plot_compare_dash(guint i)
{
    return 1 + i / G_N_ELEMENTS(colours);
}
