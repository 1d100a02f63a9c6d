/* explain's three forms: terminal text, JSON and the report's HTML (plots/explain.h). */
#include "plots/explain-private.h"

#include <string.h>

#include "plots/html.h"

/* Mechanism names and what each figure is, in ExplainMech order. */
static const struct {
    const char *key, *label, *note;
} mechs[EXPLAIN_MECH_MAX] = {
    {"balloon", "balloon", ""},
    {"sharing", "sharing", " (saved; free to it until written)"},
    {"compression", "compression", ""},
    {"swapped", "host swap", ""},
};

/* Text is wrapped at this column, causes indented under "why:". */
#define EXPLAIN_WIDTH 100
#define EXPLAIN_INDENT "      "

/* Appends `text` word-wrapped at EXPLAIN_WIDTH, the first line after `first`,
 * the next ones after EXPLAIN_INDENT. */
static void append_wrapped(GString *out, const char *first, const char *text)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    gsize line_start = out->len;
    g_string_append(out, first);
    for (guint i = 0; words[i] != NULL; i++) {
        gsize len = strlen(words[i]);
        if (out->len - line_start + 1 + len > EXPLAIN_WIDTH && i > 0) {
            g_string_append_c(out, '\n');
            line_start = out->len;
            g_string_append(out, EXPLAIN_INDENT);
        } else if (i > 0) {
            g_string_append_c(out, ' ');
        }
        g_string_append(out, words[i]);
    }
    g_string_append_c(out, '\n');
}

/* "app: 20480 MiB (20.0 GiB) taken at the peak (0:06:40), ... at the end". */
static char *headline(const ExplainVm *e)
{
    if (e->taken_peak < EXPLAIN_MIN_MB) {
        return g_strdup_printf("%s: lost no memory to its balloon, compression or host swap",
                               e->name);
    }
    g_autofree char *p = explain_mb(e->taken_peak), *at = explain_hms(e->taken_peak_at_s);
    g_autofree char *f = explain_mb(e->taken_final);
    return g_strdup_printf("%s: %s taken by balloon, compression and host swap at the peak (%s), "
                           "%s at the end",
                           e->name, p, at, f);
}

static void vm_text(const ExplainVm *e, GString *out)
{
    g_autofree char *head = headline(e);
    append_wrapped(out, "", head);
    for (int m = 0; m < EXPLAIN_MECH_MAX; m++) {
        const ExplainLoss *l = &e->loss[m];
        if (l->peak < EXPLAIN_MIN_MB) {
            g_string_append_printf(out, "  %-12s none\n", mechs[m].label);
            continue;
        }
        g_autofree char *at = explain_hms(l->peak_at_s);
        g_string_append_printf(out, "  %-12s peak %8.0f MiB at %s, at the end %8.0f MiB%s\n",
                               mechs[m].label, l->peak, at, l->final, mechs[m].note);
    }
    g_string_append(out, "  why:\n");
    for (guint i = 0; i < e->causes->len; i++) {
        const ExplainCause *c = g_ptr_array_index(e->causes, i);
        g_autofree char *first = g_strdup_printf("    - %s: ", c->cause);
        append_wrapped(out, first, c->text);
    }
}

char *plot_explain_text(const PlotExplain *x)
{
    GString *out = g_string_new(NULL);
    const char *policy = json_string_value(json_object_get(x->rec->run->summary, "policy"));
    g_string_append_printf(out, "%s: policy %s; memory taken from each VM and why\n",
                           x->rec->run->dir, policy != NULL ? policy : "?");
    for (guint v = 0; v < x->vms->len; v++) {
        g_string_append_c(out, '\n');
        vm_text(g_ptr_array_index(x->vms, v), out);
    }
    return g_string_free(out, FALSE);
}

static json_t *vm_json(const ExplainVm *e)
{
    json_t *lost = json_object();
    for (int m = 0; m < EXPLAIN_MECH_MAX; m++) {
        const ExplainLoss *l = &e->loss[m];
        json_object_set_new(lost, mechs[m].key,
                            json_pack("{s:f,s:f,s:f}", "peak", l->peak, "peak_at_s", l->peak_at_s,
                                      "final", l->final));
    }
    json_t *causes = json_array();
    for (guint i = 0; i < e->causes->len; i++) {
        const ExplainCause *c = g_ptr_array_index(e->causes, i);
        json_array_append_new(causes, json_pack("{s:s,s:s,s:O}", "cause", c->cause, "text",
                                                c->text, "facts", c->facts));
    }
    g_autofree char *name = g_utf8_make_valid(e->name, -1); /* vms.csv may hold any bytes */
    return json_pack("{s:s,s:o,s:f,s:f,s:f,s:o}", "name", name, "lost_mb", lost, "taken_peak_mb",
                     e->taken_peak, "taken_peak_at_s", e->taken_peak_at_s, "taken_final_mb",
                     e->taken_final, "causes", causes);
}

json_t *plot_explain_json(const PlotExplain *x)
{
    json_t *vms = json_array();
    for (guint v = 0; v < x->vms->len; v++) {
        json_array_append_new(vms, vm_json(g_ptr_array_index(x->vms, v)));
    }
    json_t *policy = json_object_get(x->rec->run->summary, "policy");
    g_autofree char *dir = g_utf8_make_valid(x->rec->run->dir, -1);
    return json_pack("{s:s,s:O,s:o}", "dir", dir, "policy",
                     json_is_string(policy) ? policy : json_null(), "vms", vms);
}

static void vm_html(const ExplainVm *e, guint index, GString *html)
{
    g_string_append_printf(html, "<section id=\"explain-vm-%u\">\n<h3>", index);
    plot_html_text(html, e->name);
    g_string_append(html, "</h3>\n<p>");
    g_autofree char *head = headline(e);
    plot_html_text(html, head);
    g_string_append(html, "</p>\n<table class=\"explain-table\">\n<thead><tr><th>mechanism</th>"
                          "<th>peak (MiB)</th><th>at (h:mm:ss)</th><th>at the end (MiB)</th>"
                          "</tr></thead>\n<tbody>\n");
    for (int m = 0; m < EXPLAIN_MECH_MAX; m++) {
        g_autofree char *at = explain_hms(e->loss[m].peak_at_s);
        g_string_append_printf(html,
                               "<tr><td>%s</td><td class=\"n\">%.0f</td><td class=\"n\">%s</td>"
                               "<td class=\"n\">%.0f</td></tr>\n",
                               mechs[m].label, e->loss[m].peak, at, e->loss[m].final);
    }
    g_string_append(html, "</tbody>\n</table>\n<ul>\n");
    for (guint i = 0; i < e->causes->len; i++) {
        const ExplainCause *c = g_ptr_array_index(e->causes, i);
        g_string_append_printf(html, "<li><strong>%s</strong>: ", c->cause);
        plot_html_text(html, c->text);
        g_string_append(html, "</li>\n");
    }
    g_string_append(html, "</ul>\n</section>\n");
}

void plot_explain_html(const PlotExplain *x, GString *html)
{
    g_string_append(html, "<h2 id=\"explain\">Why each VM lost memory</h2>\n"
                          "<p>What <code>reclaimsim explain</code> reads from the run's records: "
                          "memory taken from each VM by each mechanism, and what drove it.</p>\n");
    for (guint v = 0; v < x->vms->len; v++) {
        vm_html(g_ptr_array_index(x->vms, v), v, html);
    }
}
