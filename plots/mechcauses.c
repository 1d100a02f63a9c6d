/*
 * The cause rules of explain about the mechanisms: a balloon at its cap, a
 * missing balloon driver (or a policy that does not balloon), a policy
 * without host swap, compression off, and a VM that lost nothing. Each
 * states only what the records support (docs/model.md, "Explaining a VM's
 * reclamation").
 */
#include "plots/explain-private.h"

#include <string.h>

/* A balloon within this share of its cap (or 1 MiB) has reached it. */
#define EXPLAIN_CAP_SLACK 0.005
/* A reservation within this share of what the VM held covers it. */
#define EXPLAIN_COVERS 0.99

/* Host swap + compression of the VM at t, MiB. */
static double host_taken(const ExplainVm *e, guint t)
{
    return explain_col(e, t, PLOT_VM_SWCUR) + explain_col(e, t, PLOT_VM_ZIP);
}

/* The first time index its balloon came within the slack of `cap`, or -1. */
static int cap_reached(const ExplainVm *e, double cap)
{
    double slack = MAX(EXPLAIN_MIN_MB, EXPLAIN_CAP_SLACK * cap);
    for (guint t = 0; t < e->rec->run->n_times; t++) {
        if (explain_has_row(e, t) && explain_col(e, t, PLOT_VM_MCTLSZ) >= cap - slack) {
            return (int)t;
        }
    }
    return -1;
}

void explain_cause_cap(ExplainVm *e)
{
    double at = 0, cap = explain_ext_peak(e, PLOT_REC_MCTLMAX, &at);
    int t = cap > 0 ? cap_reached(e, cap) : -1;
    if (t < 0) {
        return;
    }
    double before = host_taken(e, (guint)t), after = before;
    for (guint u = (guint)t; u < e->rec->run->n_times; u++) {
        after = explain_has_row(e, u) ? MAX(after, host_taken(e, u)) : after;
    }
    g_autofree char *c = explain_mb(cap), *h = explain_hms(e->rec->run->times[t]);
    g_autofree char *b = explain_mb(before), *a = explain_mb(after);
    bool more = after > before + EXPLAIN_MIN_MB;
    g_autofree char *rest =
        more ? g_strdup_printf("the host swapped or compressed the rest: its host swap and "
                               "compression grew from %s to %s after",
                               b, a)
             : g_strdup("nothing more was taken from it after");
    explain_add(e, "balloon-cap",
                json_pack("{s:f,s:f,s:f,s:f}", "mctlmax_mb", cap, "at_s", e->rec->run->times[t],
                          "host_taken_before_mb", before, "host_taken_after_mb", after),
                "its balloon reached its cap (mctlmax) of %s at %s; %s", c, h, rest);
}

/* "host swap X (at T) and compression Y (at T)". */
static char *host_losses(const ExplainVm *e)
{
    const ExplainLoss *s = &e->loss[EXPLAIN_SWAP], *z = &e->loss[EXPLAIN_COMPRESSION];
    g_autofree char *sm = explain_mb(s->peak), *st = explain_hms(s->peak_at_s);
    g_autofree char *zm = explain_mb(z->peak), *zt = explain_hms(z->peak_at_s);
    return g_strdup_printf("host swap (peak %s at %s) and compression (peak %s at %s)", sm, st, zm,
                           zt);
}

/* A balloon in a VM without the driver: memory the VM was booted without
 * (Hyper-V's Startup RAM, PolicyEra.boot_at_balloon_target), which nothing
 * can give it later. */
static void boot_balloon(ExplainVm *e)
{
    const ExplainLoss *b = &e->loss[EXPLAIN_BALLOON];
    g_autofree char *mb = explain_mb(b->peak);
    explain_add(e, "no-balloon-driver", json_pack("{s:f}", "mctlsz_peak_mb", b->peak),
                "it runs no balloon driver: it booted with %s less than its memory, as its policy "
                "starts VMs (Hyper-V's Startup RAM), and without the driver nothing could add "
                "the rest",
                mb);
}

void explain_cause_driver(ExplainVm *e)
{
    json_t *driver = json_object_get(e->config, "balloon_driver");
    double host = e->loss[EXPLAIN_SWAP].peak + e->loss[EXPLAIN_COMPRESSION].peak;
    if (json_is_false(driver) && e->loss[EXPLAIN_BALLOON].peak >= EXPLAIN_MIN_MB) {
        boot_balloon(e);
    }
    if (host < EXPLAIN_MIN_MB) {
        return;
    }
    g_autofree char *how = host_losses(e);
    json_t *facts = json_pack("{s:f,s:f}", "swcur_peak_mb", e->loss[EXPLAIN_SWAP].peak,
                              "zip_peak_mb", e->loss[EXPLAIN_COMPRESSION].peak);
    if (json_is_false(driver)) {
        explain_add(e, "no-balloon-driver", facts,
                    "it runs no balloon driver, so the host could not balloon it and took its "
                    "memory by %s instead",
                    how);
        return;
    }
    double at = 0, tgt = explain_ext_peak(e, PLOT_REC_MCTLTGT, &at);
    double swt = explain_ext_peak(e, PLOT_REC_SWTGT, &at);
    if (json_is_true(driver) && tgt < EXPLAIN_MIN_MB && swt >= EXPLAIN_MIN_MB) {
        const char *policy = json_string_value(json_object_get(e->rec->run->summary, "policy"));
        explain_add(e, "policy-no-balloon", facts,
                    "it has a balloon driver, but the policy (%s) never set a balloon target for "
                    "it (mctltgt 0 all run) and set a swap target instead: it took its memory by "
                    "%s",
                    policy != NULL ? policy : "?", how);
        return;
    }
    json_decref(facts);
}

/* Whether state `name` is one where ESXi's rules swap (hard, low). */
static bool swapping_state(const char *name)
{
    return strcmp(name, "hard") == 0 || strcmp(name, "low") == 0;
}

void explain_cause_no_host_swap(ExplainVm *e)
{
    double at = 0, swt = explain_ext_peak(e, PLOT_REC_SWTGT, &at);
    if (swt >= EXPLAIN_MIN_MB || e->loss[EXPLAIN_SWAP].peak >= EXPLAIN_MIN_MB) {
        return;
    }
    const PlotRunData *d = e->rec->run;
    double in = 0, gap = 0, gap_at = 0;
    for (guint t = 1; t < d->n_times; t++) {
        if (explain_has_row(e, t) && swapping_state(explain_state(e, t)) &&
            explain_gap_at(e, t) > EXPLAIN_MIN_MB) {
            in += d->times[t] - d->times[t - 1];
            gap_at = explain_gap_at(e, t) > gap ? d->times[t] : gap_at;
            gap = MAX(gap, explain_gap_at(e, t));
        }
    }
    if (in <= 0) {
        return;
    }
    g_autofree char *i = explain_hms(in), *g = explain_mb(gap), *ga = explain_hms(gap_at);
    explain_add(e, "no-host-swap",
                json_pack("{s:f,s:f,s:f}", "time_s", in, "above_target_mb", gap, "at_s", gap_at),
                "for %s in hard or low it held more than its target, yet the policy set no host "
                "swap target for it (swtgt 0 all run): what it held above its target (up to %s "
                "at %s) stayed with it, and only its balloon could take memory",
                i, g, ga);
}

void explain_cause_compression_off(ExplainVm *e)
{
    if (json_is_false(json_object_get(e->host_config, "compression")) &&
        e->loss[EXPLAIN_SWAP].peak >= EXPLAIN_MIN_MB) {
        explain_add(e, "compression-off", NULL,
                    "compression is off on this host, so the pages the host took went to swap "
                    "uncompressed");
    }
}

/* Seconds the host spent below high while the VM had rows, and its peak consumed. */
static double pressed_time(const ExplainVm *e, double *max_consumed)
{
    const PlotRunData *d = e->rec->run;
    double in = 0;
    *max_consumed = 0;
    for (guint t = 0; t < d->n_times; t++) {
        if (explain_has_row(e, t)) {
            *max_consumed = MAX(*max_consumed, explain_col(e, t, PLOT_VM_CONSUMED));
            in += t > 0 && explain_pressed(e, t) ? d->times[t] - d->times[t - 1] : 0;
        }
    }
    return in;
}

void explain_cause_nothing_taken(ExplainVm *e)
{
    double held = 0, in = pressed_time(e, &held);
    double r = explain_config(e, "reservation_mb");
    g_autofree char *i = explain_hms(in), *h = explain_mb(held);
    if (in <= 0) {
        explain_add(e, "no-pressure", json_pack("{s:f}", "pressed_s", 0.0),
                    "the host stayed in high all run (free memory above its high threshold), so "
                    "nothing was reclaimed from it");
    } else if (r >= EXPLAIN_COVERS * held) {
        g_autofree char *rs = explain_mb(r);
        explain_add(e, "reservation-protected",
                    json_pack("{s:f,s:f,s:f}", "pressed_s", in, "reservation_mb", r,
                              "consumed_peak_mb", held),
                    "the host was below high for %s, but its reservation of %s covers all it "
                    "held (peak %s): the reservation protected it",
                    i, rs, h);
    } else if (explain_worst_gap(e, &held) < 0) {
        explain_add(e, "target-above-held", json_pack("{s:f}", "pressed_s", in),
                    "the host was below high for %s, but the scheduler's target for it stayed at "
                    "or above what it held (peak %s), so nothing was taken",
                    i, h);
    } else {
        explain_add(e, "unknown", json_pack("{s:f}", "pressed_s", in),
                    "the host was below high for %s and its target fell below what it held, yet "
                    "nothing was taken: the records do not tell why",
                    i);
    }
}
