/*
 * `reclaimsim explain DIR [VM]`: why each VM lost memory, from the run's
 * own records (plots/records.h): how much by each mechanism (peak, when,
 * and at the end) and what drove it, each cause with the figures and times
 * that support it (docs/model.md "Explaining a VM's reclamation"). A cause
 * the records do not support is not stated.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "plots/records.h"

typedef struct PlotExplain PlotExplain;

/* Explains every VM of the run, or only the one named `vm` (NULL: all). An
 * unknown name is SIM_ERROR_USAGE (exit 2) listing the run's VMs. */
PlotExplain *plot_explain_new(const PlotRecords *records, const char *vm, GError **error);
void plot_explain_free(PlotExplain *explain);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PlotExplain, plot_explain_free)

/* The explanation as terminal text: a few aligned lines per VM. Caller frees. */
char *plot_explain_text(const PlotExplain *explain);

/* The same as JSON: {"dir", "policy", "vms": [{"name", "lost_mb": {MECHANISM:
 * {"peak", "peak_at_s", "final"}}, "causes": [{"cause", "text", "facts"}]}]}. */
json_t *plot_explain_json(const PlotExplain *explain);

/* The same as HTML: one <section> per VM, appended to `html`. */
void plot_explain_html(const PlotExplain *explain, GString *html);
