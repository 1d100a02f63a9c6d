/*
 * What a run needs (docs/model.md, "Run size bounds"): the estimate of a
 * loaded scenario and, when it exceeds a bound, the key to blame.
 */
#include <math.h>

#include "policy/policy.h"
#include "sim/load/loader-private.h"
#include "sim/run/recorder.h"
#include "sim/units.h"

/* One part of an estimate and what to change when it is the largest. */
typedef struct EstTerm {
    double value;
    const char *what;   /* "balloon polls every 1ms", for the message */
    const char *remedy; /* "raise poll" */
    const char *ptr;    /* the key that drives it (the nearest existing value is shown) */
} EstTerm;

static const EstTerm *largest(const EstTerm *terms, guint n)
{
    const EstTerm *best = &terms[0];
    for (guint i = 1; i < n; i++) {
        best = terms[i].value > best->value ? &terms[i] : best;
    }
    return best;
}

/* The VM with the most phases and the one with the shortest balloon poll. */
static void extreme_vms(const SimScenario *sc, guint *most_phases, guint *fastest_poll)
{
    *most_phases = *fastest_poll = 0;
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        const SimVmConfig *p = &g_array_index(sc->vms, SimVmConfig, *most_phases);
        const SimVmConfig *f = &g_array_index(sc->vms, SimVmConfig, *fastest_poll);
        *most_phases = vm->workload.phases->len > p->workload.phases->len ? i : *most_phases;
        *fastest_poll = vm->guest.balloon.poll < f->guest.balloon.poll ? i : *fastest_poll;
    }
}

/* The default of a top-level duration key ("duration", "sample_interval"), from its row. */
static SimTime top_default_time(const char *key)
{
    SimTime t = 0;
    gboolean ok = sim_units_parse_duration(sim_key_find(sim_keys_top(), key)->def, &t, NULL);
    g_assert(ok);
    return t;
}

/* Which of sample_interval, duration and the VMs drives the samples most, against its default. */
static EstTerm sample_blame(Loader *ld, const SimScenario *sc, double est_samples, double bytes)
{
    double by_interval = (double)top_default_time("sample_interval") / (double)sc->sample_interval;
    double by_duration = (double)sc->duration / (double)top_default_time("duration");
    double by_vms = (double)sc->vms->len;
    EstTerm terms[] = {
        {by_interval, NULL, "raise sample_interval", "/sample_interval"},
        {by_duration, NULL, "shorten duration", "/duration"},
        {by_vms, NULL, "use fewer VMs", "/vms"},
    };
    EstTerm t = *largest(terms, G_N_ELEMENTS(terms));
    t.value = bytes;
    t.what = sim_load_keep(
        ld, g_strdup_printf("%s samples (every %s, of %u VM%s)",
                            sim_load_fmt_count(ld, est_samples * (double)sc->vms->len),
                            sim_load_keep(ld, sim_units_format_duration(sc->sample_interval)),
                            sc->vms->len, sc->vms->len == 1 ? "" : "s"));
    return t;
}

static bool blame_bytes(Loader *ld, const SimScenario *sc, const SimRunEstimate *est)
{
    guint phases_vm = 0;
    guint poll_vm = 0;
    extreme_vms(sc, &phases_vm, &poll_vm);
    const char *vm_ptr = g_array_index(sc->vms, SimVmConfig, phases_vm).pointer;
    double share_frames = MIN((double)(sc->host.memory / sc->host.page_size), est->pages);
    double row_bytes = sizeof(SimHostSample) + (double)sc->vms->len * sizeof(SimVmSample);
    EstTerm terms[] = {
        {est->pages * EST_PAGE_BYTES + share_frames * EST_SHARE_BYTES,
         sim_load_keep(
             ld, g_strdup_printf("the state of %s pages", sim_load_fmt_count(ld, est->pages))),
         "lower the VMs' memory or count", "/vms"},
        sample_blame(ld, sc, est->samples, est->samples * row_bytes),
        {est->phases * EST_PHASE_BYTES,
         sim_load_keep(ld,
                       g_strdup_printf("%s workload phases", sim_load_fmt_count(ld, est->phases))),
         "use fewer phases", sim_load_ptr_key(ld, vm_ptr, "workload")},
        {(double)sc->vms->len * EST_VM_BYTES,
         sim_load_keep(ld, g_strdup_printf("%u VMs", sc->vms->len)), "use fewer VMs", "/vms"},
    };
    const EstTerm *t = largest(terms, G_N_ELEMENTS(terms));
    return sim_load_fail(ld, SIM_ERROR_RANGE, t->ptr,
                         "the run would need %s of memory, more than %s, most of it for %s; %s",
                         sim_load_fmt_approx_bytes(ld, est->bytes),
                         sim_load_fmt_approx_bytes(ld, (double)SIM_SCENARIO_MAX_RUN_BYTES), t->what,
                         t->remedy);
}

static const char *poll_ptr(Loader *ld, const SimVmConfig *vm)
{
    return sim_load_ptr_key(
        ld, sim_load_ptr_key(ld, sim_load_ptr_key(ld, vm->pointer, "guest"), "balloon"), "poll");
}

static bool blame_events(Loader *ld, const SimScenario *sc, const SimRunEstimate *est)
{
    const SimHostConfig *h = &sc->host;
    double d = sim_time_to_s(sc->duration);
    guint phases_vm = 0;
    guint poll_vm = 0;
    extreme_vms(sc, &phases_vm, &poll_vm);
    const SimVmConfig *fast = &g_array_index(sc->vms, SimVmConfig, poll_vm);
    double polls = 0;
    for (guint i = 0; i < sc->vms->len; i++) {
        polls += d / sim_time_to_s(g_array_index(sc->vms, SimVmConfig, i).guest.balloon.poll);
    }
    EstTerm terms[] = {
        {d * (1.0 + (double)sc->vms->len), "1 s ticks of the host and the VMs",
         "shorten duration or use fewer VMs", "/duration"},
        {polls,
         sim_load_keep(ld, g_strdup_printf("balloon polls (every %s in VM %s)",
                                           sim_load_keep(ld, sim_units_format_duration(
                                                                 fast->guest.balloon.poll)),
                                           sim_load_quote(ld, fast->name))),
         "raise poll", poll_ptr(ld, fast)},
        {d / sim_time_to_s(sc->sample_interval), "samples", "raise sample_interval",
         "/sample_interval"},
        {d / sim_time_to_s(h->balance_period), "balance periods", "raise balance_period",
         "/host/balance_period"},
        {d / sim_time_to_s(h->sample_period), "active memory samples", "raise sample_period",
         "/host/sample_period"},
        {est->phases, "workload phases", "use fewer phases",
         sim_load_ptr_key(ld, g_array_index(sc->vms, SimVmConfig, phases_vm).pointer, "workload")},
    };
    const EstTerm *t = largest(terms, G_N_ELEMENTS(terms));
    return sim_load_fail(ld, SIM_ERROR_RANGE, t->ptr,
                         "the run would process %s events, more than %s, most of them %s; %s",
                         sim_load_fmt_count(ld, est->events),
                         sim_load_fmt_count(ld, SIM_SCENARIO_MAX_EVENTS), t->what, t->remedy);
}

/* After everything is loaded: the run's memory and event count are within the bounds. */
bool sim_load_check_estimate(Loader *ld, const SimScenario *sc)
{
    SimRunEstimate est = sim_scenario_estimate(sc);
    if (est.bytes > (double)SIM_SCENARIO_MAX_RUN_BYTES) {
        return blame_bytes(ld, sc, &est);
    }
    if (est.events > SIM_SCENARIO_MAX_EVENTS) {
        return blame_events(ld, sc, &est);
    }
    return true;
}

/*
 * The formula of docs/model.md ("Run size bounds"), O(VMs). Every periodic
 * process runs duration / period times; each VM is counted as powered on
 * for the whole run, so this is an upper estimate.
 */
SimRunEstimate sim_scenario_estimate(const SimScenario *sc)
{
    const SimHostConfig *h = &sc->host;
    const PolicyClass *policy = policy_resolve(h->policy, NULL);
    double d = sim_time_to_s(sc->duration);
    double n_vms = (double)sc->vms->len;
    SimRunEstimate est = {0};
    double per_s = 1.0 + 1.0 / sim_time_to_s(h->balance_period) +
                   1.0 / sim_time_to_s(h->sample_period) + 1.0 / sim_time_to_s(sc->sample_interval);
    if (policy != NULL && policy->period > 0) {
        per_s += 1.0 / sim_time_to_s(policy->period);
    }
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        est.pages += (double)(vm->memory / h->page_size);
        est.phases += vm->workload.phases != NULL ? (double)vm->workload.phases->len : 0.0;
        per_s += 1.0 + 1.0 / sim_time_to_s(vm->guest.balloon.poll);
    }
    est.samples = floor((double)sc->duration / (double)sc->sample_interval) + 2.0;
    double share_frames = MIN((double)(h->memory / h->page_size), est.pages);
    double row_bytes = sizeof(SimHostSample) + n_vms * sizeof(SimVmSample);
    est.bytes = est.pages * EST_PAGE_BYTES + share_frames * EST_SHARE_BYTES +
                est.samples * row_bytes + est.phases * EST_PHASE_BYTES + n_vms * EST_VM_BYTES;
    est.events = d * per_s + est.phases + (double)sc->events->len + n_vms;
    return est;
}
