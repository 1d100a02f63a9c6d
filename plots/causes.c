/*
 * The cause rules of explain: each reads one VM's records (plots/explain-
 * private.h) and states a cause only when the records support it, with the
 * figures and times that do. Thresholds and their reasons are in
 * docs/model.md, "Explaining a VM's reclamation".
 */
#include "plots/explain-private.h"

#include <string.h>

/* A VM whose sampled active memory is below this share of what it holds is
 * mostly idle, and the idle tax is what lowers its target (assumption). */
#define EXPLAIN_IDLE_SHARE 0.5
/* Shares per configured MiB below this share of the others' are "low"
 * (assumption: a 10% margin keeps rounding of shares out). */
#define EXPLAIN_SHARES_LOW 0.9
/* A VM within this share of its limit holds as much as its limit allows. */
#define EXPLAIN_AT_LIMIT 0.99

/* The limit in force at `at_s`: the config's, changed by the events before it. */
static double limit_at(const ExplainVm *e, double at_s)
{
    json_t *limit = json_object_get(e->config, "limit_mb");
    json_t *events = json_object_get(e->config, "events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *ev = json_array_get(events, i);
        json_t *at = json_object_get(ev, "at_s");
        if (json_is_number(at) && json_number_value(at) <= at_s &&
            json_object_get(ev, "limit_mb") != NULL) {
            limit = json_object_get(ev, "limit_mb");
        }
    }
    return json_is_number(limit) ? json_number_value(limit) : NAN;
}

/* The first time its consumed memory came within EXPLAIN_AT_LIMIT of `limit`, or -1. */
static double reached_limit_at(const ExplainVm *e, double limit)
{
    for (guint t = 0; t < e->rec->run->n_times; t++) {
        if (explain_has_row(e, t) && explain_col(e, t, PLOT_VM_CONSUMED) >= EXPLAIN_AT_LIMIT * limit) {
            return e->rec->run->times[t];
        }
    }
    return -1;
}

/* Its limit: the balloon's floor target is configured - limit; at the
 * limit the host swaps the VM's own pages (docs/model.md). */
static void cause_limit(ExplainVm *e)
{
    double memsz = explain_config(e, "memory_mb");
    double limit = limit_at(e, e->taken_peak_at_s);
    if (!(limit < memsz) || e->taken_peak < EXPLAIN_MIN_MB) {
        return;
    }
    double floor = memsz - limit, tgt_at = 0, cap_at = 0;
    double tgt = explain_ext_peak(e, PLOT_REC_MCTLTGT, &tgt_at), cap = explain_ext_peak(e, PLOT_REC_MCTLMAX, &cap_at);
    g_autofree char *l = explain_mb(limit), *m = explain_mb(memsz), *f = explain_mb(floor);
    g_autofree char *b = explain_mb(e->loss[EXPLAIN_BALLOON].peak);
    g_autofree char *bt = explain_hms(e->loss[EXPLAIN_BALLOON].peak_at_s);
    json_t *facts = json_pack("{s:f,s:f,s:f,s:f,s:f}", "limit_mb", limit, "memory_mb", memsz,
                              "floor_mb", floor, "mctltgt_peak_mb", tgt, "mctlmax_mb", cap);
    if (json_is_false(json_object_get(e->config, "balloon_driver"))) {
        explain_add(e, "limit", facts,
                    "its limit is %s of %s configured; it runs no balloon driver, so the host "
                    "alone holds it to the limit (%s above it)",
                    l, m, f);
    } else {
        explain_add(e, "limit", facts,
                    "its limit is %s of %s configured, so its balloon's target is at least %s "
                    "(configured - limit); the balloon reached %s at %s",
                    l, m, f, b, bt);
    }
    double hit = reached_limit_at(e, limit);
    double host = e->loss[EXPLAIN_SWAP].peak + e->loss[EXPLAIN_COMPRESSION].peak;
    if (hit >= 0 && host >= EXPLAIN_MIN_MB) {
        g_autofree char *h = explain_hms(hit), *s = explain_mb(e->loss[EXPLAIN_SWAP].peak);
        g_autofree char *z = explain_mb(e->loss[EXPLAIN_COMPRESSION].peak);
        g_autofree char *st = explain_hms(e->loss[EXPLAIN_SWAP].peak_at_s);
        g_autofree char *zt = explain_hms(e->loss[EXPLAIN_COMPRESSION].peak_at_s);
        explain_add(e, "limit", json_pack("{s:f,s:f}", "at_limit_s", hit, "host_taken_mb", host),
                    "it held as much as its limit allows from %s on, and at its limit the host "
                    "takes its own pages: host swap peaked at %s at %s and compression at %s at %s",
                    h, s, st, z, zt);
    }
}

/* Whether the run's policy ran an ESX host (summary.json host.config.host_model;
 * a run written before it was added is one). */
static bool esx_host(const ExplainVm *e)
{
    const char *model = json_string_value(json_object_get(e->host_config, "host_model"));
    return model == NULL || strcmp(model, "esx") == 0;
}

/* Time spent in each host state while its taken memory grew, "high 0:05:00, soft 0:01:00". */
static void cause_host_state(ExplainVm *e)
{
    const PlotRunData *d = e->rec->run;
    guint n = e->rec->state_names->len;
    g_autofree double *in = g_new0(double, MAX(n, 1));
    double total = 0;
    for (guint t = 1; t < d->n_times; t++) {
        if (explain_has_row(e, t) && explain_has_row(e, t - 1) &&
            explain_taken(e, t) > explain_taken(e, t - 1) + 1e-6) {
            in[e->state_at[t]] += d->times[t] - d->times[t - 1];
            total += d->times[t] - d->times[t - 1];
        }
    }
    if (total <= 0) {
        return;
    }
    g_autoptr(GString) list = g_string_new(NULL);
    json_t *facts = json_object();
    bool only_high = true;
    for (guint s = 0; s < n; s++) {
        const char *name = g_ptr_array_index(e->rec->state_names, s);
        if (in[s] > 0) {
            g_autofree char *h = explain_hms(in[s]);
            g_string_append_printf(list, "%s%s %s", list->len ? ", " : "", name, h);
            json_object_set_new(facts, name, json_real(in[s]));
            only_high = only_high && strcmp(name, "high") == 0;
        }
    }
    g_autofree char *all = explain_hms(total);
    /* on a KVM, Hyper-V or Xen host the states are bands of free memory its
     * policy does not read: "high" says nothing of what drove it */
    const char *note = !esx_host(e) ? ": on this host these are bands of free memory (docs/model.md"
                                      " \"Linux (KVM) host\"), which its policy does not read"
                       : only_high ? ": it had memory to spare, so host pressure did not drive it"
                                   : "";
    explain_add(e, "host-state", facts,
                "while its memory was being taken (%s in all) the host was in %s%s", all, list->str,
                note);
}

/* The memory scheduler set its target below what it had held; the idle tax
 * and the shares say why the target was low. */
static void cause_scheduler(ExplainVm *e, int t, double held)
{
    double sztgt = explain_ext(e, (guint)t, PLOT_REC_SZTGT);
    g_autofree char *at = explain_hms(e->rec->run->times[t]), *h = explain_mb(held);
    g_autofree char *s = explain_mb(sztgt), *g = explain_mb(held - sztgt);
    explain_add(e, "scheduler",
                json_pack("{s:f,s:f,s:f}", "at_s", e->rec->run->times[t], "held_mb", held,
                          "sztgt_mb", sztgt),
                "with the host in %s at %s, the memory scheduler's target for it (sztgt) fell to "
                "%s, %s below the most it had held (%s): the host reclaims what a VM holds above "
                "its target",
                explain_state(e, (guint)t), at, s, g, h);
}

/* Active share of what the other VMs held at t, NaN without others. */
static double others_active(const ExplainVm *e, guint t)
{
    const PlotRunData *d = e->rec->run;
    double active = 0, held = 0;
    for (guint v = 0; v < d->n_vms; v++) {
        double c = plot_rundata_vm(d, v, t, PLOT_VM_CONSUMED);
        if (v != e->vm && isfinite(c) && c > 0) {
            active += MIN(c, plot_rundata_vm(d, v, t, PLOT_VM_ACTIVE));
            held += c;
        }
    }
    return held > 0 ? active / held : NAN;
}

/* Mostly idle: its sampled active memory at t well below the most it had held. */
static void cause_idle_tax(ExplainVm *e, int t, double held)
{
    json_t *tax_v = json_object_get(e->host_config, "idle_tax_pct");
    double tax = json_is_number(tax_v) ? json_number_value(tax_v) : NAN;
    double active = MIN(held, explain_col(e, (guint)t, PLOT_VM_ACTIVE));
    if (!(tax > 0) || !(held > 0) || active >= EXPLAIN_IDLE_SHARE * held) {
        return;
    }
    double others = others_active(e, (guint)t);
    g_autofree char *at = explain_hms(e->rec->run->times[t]), *a = explain_mb(active);
    g_autofree char *h = explain_mb(held);
    g_autofree char *o = isfinite(others) ? g_strdup_printf(" (the other VMs': %.0f%% of theirs)",
                                                            100 * others)
                                          : g_strdup("");
    explain_add(e, "idle-tax",
                json_pack("{s:f,s:f,s:f,s:f,s:f}", "at_s", e->rec->run->times[t], "active_mb",
                          active, "held_mb", held, "idle_tax_pct", tax, "others_active_pct",
                          isfinite(others) ? 100 * others : -1.0),
                "at %s its sampled active memory was %s, %.0f%% of the most it had held (%s)%s: "
                "the scheduler charges idle memory the idle tax of %.0f%% against its shares, "
                "which lowered its target",
                at, a, 100 * active / held, h, o, tax);
}

/* shares, configured MiB, sztgt of the VMs that hold memory at t. */
typedef struct ShareSums {
    double shares, memsz, sztgt;
} ShareSums;

static ShareSums share_sums(const ExplainVm *e, guint t)
{
    const PlotRunData *d = e->rec->run;
    ShareSums s = {0};
    for (guint v = 0; v < d->n_vms; v++) {
        json_t *config = json_object_get(explain_summary_vm(e->rec, d->vm_names[v]), "config");
        json_t *sh = json_object_get(config, "shares");
        double c = plot_rundata_vm(d, v, t, PLOT_VM_CONSUMED);
        if (json_is_number(sh) && isfinite(c) && c > 0) {
            s.shares += json_number_value(sh);
            s.memsz += plot_rundata_vm(d, v, t, PLOT_VM_MEMSZ);
            s.sztgt += plot_records_extra(e->rec, v, t, PLOT_REC_SZTGT);
        }
    }
    return s;
}

static void cause_shares(ExplainVm *e, int t)
{
    double shares = explain_config(e, "shares"), memsz = explain_col(e, (guint)t, PLOT_VM_MEMSZ);
    ShareSums all = share_sums(e, (guint)t);
    if (!(shares > 0) || !(all.shares > shares) || !(all.memsz > 0)) {
        return; /* no config, or no other VM to share with */
    }
    double s = shares / all.shares, m = memsz / all.memsz;
    bool low = s < EXPLAIN_SHARES_LOW * m;
    g_autofree char *at = explain_hms(e->rec->run->times[t]), *ent = explain_mb(s * all.sztgt);
    g_autofree char *div = explain_mb(all.sztgt);
    explain_add(e, "shares",
                json_pack("{s:f,s:f,s:f,s:f,s:b}", "shares", shares, "shares_pct", 100 * s,
                          "memory_pct", 100 * m, "entitled_mb", s * all.sztgt, "low", low),
                "it has %.0f%% of the shares of the VMs holding memory (%.0f of %.0f) for %.0f%% "
                "of their configured memory; by shares alone it is entitled to %s of the %s the "
                "scheduler divided at %s%s",
                100 * s, shares, all.shares, 100 * m, ent, div, at,
                low ? ": its shares are low for its size, which lowered its target"
                    : ", in proportion to its size: its shares did not single it out");
}

/* The lowest scheduler target over the run, and when. */
static double lowest_sztgt(const ExplainVm *e, double *at_s)
{
    double low = INFINITY;
    for (guint t = 0; t < e->rec->run->n_times; t++) {
        if (explain_has_row(e, t) && explain_ext(e, t, PLOT_REC_SZTGT) < low) {
            low = explain_ext(e, t, PLOT_REC_SZTGT);
            *at_s = e->rec->run->times[t];
        }
    }
    return low;
}

static void cause_reservation(ExplainVm *e)
{
    double r = explain_config(e, "reservation_mb"), at = 0;
    if (!(r > 0)) {
        return;
    }
    double low = lowest_sztgt(e, &at);
    g_autofree char *rs = explain_mb(r), *ls = explain_mb(low), *ts = explain_hms(at);
    explain_add(e, "reservation",
                json_pack("{s:f,s:f,s:f}", "reservation_mb", r, "lowest_sztgt_mb", low,
                          "lowest_sztgt_at_s", at),
                "its reservation of %s protects that much: the scheduler's target for it never "
                "went below it (lowest sztgt %s at %s)",
                rs, ls, ts);
}


/* Whether a cause found so far drove the loss, rather than describing its setting. */
static bool driven(const ExplainVm *e)
{
    static const char *const drivers[] = {"limit", "scheduler", "balloon-cap", "no-balloon-driver",
                                          "policy-no-balloon"};
    for (guint i = 0; i < e->causes->len; i++) {
        const ExplainCause *c = g_ptr_array_index(e->causes, i);
        for (guint d = 0; d < G_N_ELEMENTS(drivers); d++) {
            if (strcmp(c->cause, drivers[d]) == 0) {
                return true;
            }
        }
    }
    return false;
}

static void cause_unknown(ExplainVm *e)
{
    if (!driven(e) && !esx_host(e)) {
        const char *policy = json_string_value(json_object_get(e->rec->run->summary, "policy"));
        explain_add(e, "policy-rules", NULL,
                    "policy %s took it by its own rules, which read the guests' statistics and "
                    "the host's free memory, not ESX's states and scheduler target: run it with "
                    "--policy-trace FILE to see each of its decisions",
                    policy != NULL ? policy : "?");
        return;
    }
    if (!driven(e)) {
        explain_add(e, "unknown", NULL,
                    "the records do not tell what drove it: no limit below its size, no "
                    "scheduler target below what it held while the host was below high, no "
                    "balloon at its cap, no missing driver");
    }
}

void explain_causes(ExplainVm *e)
{
    if (e->config == NULL) {
        explain_add(e, "no-config", NULL,
                    "summary.json has no config for it (a run written before explain): its "
                    "limit, reservation, shares and balloon driver cannot be told");
    }
    if (e->taken_peak < EXPLAIN_MIN_MB) {
        explain_cause_nothing_taken(e);
        cause_reservation(e);
        return;
    }
    cause_limit(e);
    cause_host_state(e);
    double held = 0;
    int t = explain_worst_gap(e, &held);
    if (t >= 0) {
        cause_scheduler(e, t, held);
        cause_idle_tax(e, t, held);
        cause_shares(e, t);
    }
    cause_reservation(e);
    explain_cause_cap(e);
    explain_cause_driver(e);
    explain_cause_no_host_swap(e);
    explain_cause_compression_off(e);
    cause_unknown(e);
}
