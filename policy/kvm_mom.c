/*
 * kvm-mom: oVirt MOM (Memory Overcommitment Manager) with its default
 * rules, doc/balloon.rules and the KSM part of doc/mom-balloon+ksm.conf,
 * on a KVM host (policy/kvm.h: Linux watermarks, kswapd, KSM).
 *
 * MOM's monitors sample the host and each guest every monitor interval
 * (momd 5 s) and keep the last `history` samples (10); its policy thread
 * evaluates the rules every policy interval (10 s). In the rules an
 * attribute (guest.balloon_cur) is the newest sample and StatAvg the plain
 * mean over the stored samples. All of MOM's sizes are kB.
 *
 *   host_free_percent = StatAvg(mem_free) / mem_available
 *   < 0.20: shrink every guest: to 95% of balloon_cur, not below
 *           used + gfp x balloon_cur (gfp = hfp, or hfp - 0.05 at <= 0.05)
 *           nor balloon_min;
 *   else:   grow every ballooned guest: to 105% of balloon_cur, at least
 *           used + 20% of balloon_cur and balloon_min, at most balloon_max;
 *   a change of at most 0.25% of balloon_cur is not made.
 *
 * The class ticks every 5 s (momd's monitor interval, and a divisor of
 * VDSM's 15 s): kswapd and KSM's knobs are applied every tick, the monitors
 * sample and the rules run on the ticks their intervals fall on.
 */
#include <math.h>

#include "policy/kvm.h"

#define MOM_TICK (5 * SIM_S)

/* doc/balloon.rules constants. */
#define MOM_PRESSURE_THRESHOLD 0.20   /* pressure_threshold */
#define MOM_PRESSURE_CRITICAL 0.05    /* pressure_critical */
#define MOM_CRITICAL_FREE_CUT 0.05    /* guest_free_percent = hfp - 0.05 when critical */
#define MOM_MIN_GUEST_FREE 0.20       /* min_guest_free_percent */
#define MOM_MAX_CHANGE 0.05           /* max_balloon_change_percent */
#define MOM_MIN_CHANGE 0.0025         /* min_balloon_change_percent */

/* ksm_shareable as ksmtuned counts it: the qemu processes' VSZ. The model
 * has no qemu process: its VSZ is the guest's memory plus the model's
 * default per-VM overhead (20 MiB + 1.2% of configured, docs/model.md
 * "Host"; assumption: qemu's own mappings are not published per VM). */
#define MOM_QEMU_VSZ_BASE_KB 20480.0
#define MOM_QEMU_VSZ_FRACTION 0.012

#define MOM_HISTORY_MAX 100u

/* Settings, in the order of mom_params. */
enum {
    P_MONITOR_INTERVAL,
    P_POLICY_INTERVAL,
    P_HISTORY,
    P_MIN_GUARANTEED,
    P_KSM_SLEEP_FLOOR,
    P_BALLOON,
    P_COUNT
};

static const PolicyParam mom_params[P_COUNT] = {
    [P_MONITOR_INTERVAL] = {"monitor_interval", POLICY_PARAM_DURATION, 5e9, 5e9, 3600e9,
                            "MOM's host and guest monitor interval (momd 5 s, VDSM 15 s); "
                            "rounded to a multiple of 5 s"},
    [P_POLICY_INTERVAL] = {"policy_interval", POLICY_PARAM_DURATION, 10e9, 5e9, 3600e9,
                           "MOM's policy interval (momd 10 s, VDSM 15 s); rounded to a "
                           "multiple of 5 s"},
    [P_HISTORY] = {"history", POLICY_PARAM_NUMBER, 10.0, 1.0, MOM_HISTORY_MAX,
                   "MOM's sample-history-length: samples StatAvg averages (10)"},
    [P_MIN_GUARANTEED] = {"min_guaranteed", POLICY_PARAM_PERCENT, 0.0, 0.0, 1.0,
                          "balloon_min, the VM's guaranteed memory in % of its memory (the "
                          "reservation counts as guaranteed); 0 as MOM's libvirt collector "
                          "and VDSM without memGuaranteedSize"},
    [P_KSM_SLEEP_FLOOR] = {"ksm_sleep_floor", POLICY_PARAM_DURATION, 0.0, 0.0, 1e9,
                           "floor of ksm sleep_millisecs (MOM alone 0, VDSM and ksmtuned 10 ms)"},
    [P_BALLOON] = {"balloon", POLICY_PARAM_BOOL, 1.0, 0.0, 1.0,
                   "run MOM's balloon rules (false: KSM and host swap alone)"},
};

/* One guest's monitor samples (kB), a ring of the last `history`. */
typedef struct MomGuest {
    double balloon_cur[MOM_HISTORY_MAX];
    double mem_unused[MOM_HISTORY_MAX];
    guint n;                /* samples stored, <= history */
    guint next;             /* ring slot of the next sample */
    double decided_kb;      /* this evaluation's balloon_target, NAN = none */
} MomGuest;

typedef struct Mom {
    guint64 ticks;          /* class ticks so far */
    guint monitor_every;    /* ticks between monitor samples */
    guint policy_every;     /* ticks between evaluations */
    guint history;          /* samples kept */
    double host_free[MOM_HISTORY_MAX]; /* host mem_free samples, kB */
    guint host_n, host_next;
    guint n_vms;
    MomGuest *guests;       /* g_new0, n_vms */
    PolicyKswapd kswapd;
    PolicyKsm ksm;
    bool evaluated;         /* the last tick ran the rules (for trace) */
} Mom;

static double param(const PolicyView *view, guint i)
{
    return i < view->n_params && view->params != NULL ? view->params[i] : mom_params[i].def;
}

static guint ticks_of(double ns)
{
    return MAX(1u, (guint)lround(ns / (double)MOM_TICK));
}

static double kb(const PolicyView *view, uint64_t pages)
{
    return (double)pages * (double)view->page_bytes / 1024.0;
}

/* Ring push: the newest sample replaces the oldest once `cap` are kept. */
static void ring_push(double *ring, guint *n, guint *next, guint cap, double v)
{
    ring[*next] = v;
    *next = (*next + 1) % cap;
    *n = MIN(*n + 1, cap);
}

static double ring_avg(const double *ring, guint n)
{
    double sum = 0.0;
    for (guint i = 0; i < n; i++) {
        sum += ring[i];
    }
    return n > 0 ? sum / n : 0.0;
}

static double ring_newest(const double *ring, guint n, guint next, guint cap)
{
    return n > 0 ? ring[(next + cap - 1) % cap] : 0.0;
}

static bool mom_init(void *state, const PolicyView *view, GError **error)
{
    (void)error;
    Mom *m = state;
    m->monitor_every = ticks_of(param(view, P_MONITOR_INTERVAL));
    m->policy_every = ticks_of(param(view, P_POLICY_INTERVAL));
    m->history = CLAMP((guint)lround(param(view, P_HISTORY)), 1u, MOM_HISTORY_MAX);
    m->n_vms = view->n_vms;
    m->guests = g_new0(MomGuest, MAX(view->n_vms, 1));
    policy_ksm_init(&m->ksm);
    return true;
}

static void mom_finalize(void *state)
{
    Mom *m = state;
    g_clear_pointer(&m->guests, g_free);
}

/* MOM sees a guest only while it runs with its balloon driver (the guest
 * monitor has no balloon statistics otherwise). */
static bool monitored(const PolicyVmView *v)
{
    return v->powered_on && v->has_balloon;
}

/* The host monitor (mem_free = MemFree + Buffers + Cached: the model's host
 * has no page cache, so it is free memory) and the guest monitors
 * (balloon_cur = memory less balloon; mem_unused = MemFree, caches count as
 * used). A guest that is off or without a driver loses its history. */
static void monitor(Mom *m, const PolicyView *view)
{
    ring_push(m->host_free, &m->host_n, &m->host_next, m->history, kb(view, view->host_free));
    for (guint i = 0; i < m->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        MomGuest *g = &m->guests[i];
        if (!monitored(v)) {
            g->n = g->next = 0;
            continue;
        }
        /* both rings move together: the second push advances n and next */
        g->balloon_cur[g->next] = kb(view, v->configured - v->mctl);
        ring_push(g->mem_unused, &g->n, &g->next, m->history, kb(view, v->guest_free));
    }
}

/* balloon_min: the guaranteed share of the VM's memory, or its reservation. */
static double balloon_min_kb(const PolicyView *view, const PolicyVmView *v)
{
    double guaranteed = param(view, P_MIN_GUARANTEED) * kb(view, v->configured);
    return MAX(guaranteed, kb(view, v->reservation));
}

/* shrink_guest / grow_guest of balloon.rules: the size the guest should
 * keep (kB), or NAN when the rules make no change. */
static double balloon_rule(const Mom *m, double hfp, double min_kb, const MomGuest *g,
                           const PolicyVmView *v, const PolicyView *view)
{
    double cur = ring_newest(g->balloon_cur, g->n, g->next, m->history);
    double max = kb(view, v->configured);
    double used = ring_avg(g->balloon_cur, g->n) - ring_avg(g->mem_unused, g->n);
    double size;
    if (hfp < MOM_PRESSURE_THRESHOLD) {
        double gfp = hfp <= MOM_PRESSURE_CRITICAL ? hfp - MOM_CRITICAL_FREE_CUT : hfp;
        double floor = MAX(min_kb, used + gfp * cur);
        size = MAX(cur * (1.0 - MOM_MAX_CHANGE), floor);
        if (size > cur) {
            return NAN; /* "only set it if the value makes sense" */
        }
    } else {
        if (cur >= max) {
            return NAN; /* not ballooned */
        }
        double floor = MAX(min_kb, used + MOM_MIN_GUEST_FREE * cur);
        size = MIN(max, MAX(cur * (1.0 + MOM_MAX_CHANGE), floor));
    }
    return fabs(size - cur) > MOM_MIN_CHANGE * cur ? size : NAN;
}

/* The balloon rules for every monitored guest; a decision becomes the
 * balloon target (configured - size, whole pages, the guest keeping at
 * least `size`); without one the target stays. */
static void evaluate_balloons(Mom *m, const PolicyView *view, double hfp, PolicyTargets *out)
{
    double page_kb = (double)view->page_bytes / 1024.0;
    for (guint i = 0; i < m->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        MomGuest *g = &m->guests[i];
        g->decided_kb = NAN;
        if (!monitored(v) || g->n == 0) {
            continue;
        }
        double size = balloon_rule(m, hfp, balloon_min_kb(view, v), g, v, view);
        if (isnan(size)) {
            continue;
        }
        g->decided_kb = size;
        double keep = ceil(size / page_kb - 1e-9);
        out->vms[i].mctl_target = keep < (double)v->configured ? v->configured - (uint64_t)keep : 0;
    }
}

/* ksm_shareable: the qemu processes' VSZ of the running VMs, kB. */
static double committed_kb(const PolicyView *view)
{
    double sum = 0.0;
    for (guint i = 0; i < view->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        if (v->powered_on) {
            double mem = kb(view, v->configured);
            sum += mem + MOM_QEMU_VSZ_BASE_KB + MOM_QEMU_VSZ_FRACTION * mem;
        }
    }
    return sum;
}

static void evaluate(Mom *m, const PolicyView *view, PolicyTargets *out)
{
    double total = kb(view, view->host_pages);
    double free_avg = ring_avg(m->host_free, m->host_n);
    policy_ksm_step(&m->ksm, total, free_avg, committed_kb(view),
                    param(view, P_KSM_SLEEP_FLOOR) / 1e6);
    if (param(view, P_BALLOON) >= 0.5) {
        evaluate_balloons(m, view, free_avg / total, out);
    } else {
        for (guint i = 0; i < m->n_vms; i++) {
            m->guests[i].decided_kb = NAN;
            out->vms[i].mctl_target = 0;
        }
    }
}

static void mom_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    Mom *m = state;
    if (m->ticks % m->monitor_every == 0) {
        monitor(m, view);
    }
    m->evaluated = m->ticks % m->policy_every == 0;
    if (m->evaluated) {
        evaluate(m, view, out);
    }
    for (guint i = 0; i < view->n_vms; i++) {
        if (!view->vms[i].powered_on) {
            out->vms[i].mctl_target = 0;
        }
    }
    policy_kvm_host_tick(&m->kswapd, view, out);
    policy_ksm_apply(&m->ksm, out);
    m->ticks++;
}

static void append_kb(GString *s, const char *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf(s, "\"%s\":%s", key,
                           isnan(v) ? "null" : g_ascii_formatd(buf, sizeof buf, "%.3f", v));
}

/* One guest of the trace in MOM's names, kB. */
static void trace_guest(GString *s, const Mom *m, const PolicyView *view, guint i)
{
    const PolicyVmView *v = &view->vms[i];
    const MomGuest *g = &m->guests[i];
    g_string_append_printf(s, "{\"vm\":%u,", i);
    append_kb(s, "balloon_cur", kb(view, v->configured - v->mctl));
    g_string_append_c(s, ',');
    append_kb(s, "balloon_max", kb(view, v->configured));
    g_string_append_c(s, ',');
    append_kb(s, "balloon_min", balloon_min_kb(view, v));
    g_string_append_c(s, ',');
    append_kb(s, "mem_unused", kb(view, v->guest_free));
    g_string_append_c(s, ',');
    append_kb(s, "balloon_target", g->decided_kb);
    g_string_append_c(s, '}');
}

/* An evaluation's line: the host as MOM's host monitor and KSM controller
 * name it, each monitored guest with its decision (null: unchanged); a
 * monitor-only tick writes {"evaluated": false}. */
static char *mom_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    (void)out;
    const Mom *m = state;
    GString *s = g_string_new("{\"evaluated\":");
    if (!m->evaluated) {
        g_string_append(s, "false}");
        return g_string_free(s, FALSE);
    }
    g_string_append(s, "true,\"host\":{");
    append_kb(s, "mem_available", kb(view, view->host_pages));
    g_string_append_c(s, ',');
    append_kb(s, "mem_free", kb(view, view->host_free));
    g_string_append_c(s, ',');
    append_kb(s, "mem_free_avg", ring_avg(m->host_free, m->host_n));
    g_string_append_c(s, ',');
    append_kb(s, "mem_unused", kb(view, view->host_free));
    g_string_append_printf(s, ",\"ksm_run\":%d,", m->ksm.run ? 1 : 0);
    append_kb(s, "ksm_pages_to_scan", m->ksm.pages_to_scan);
    g_string_append_c(s, ',');
    append_kb(s, "ksm_sleep_millisecs", m->ksm.sleep_ms);
    g_string_append(s, "},\"guests\":[");
    bool first = true;
    for (guint i = 0; i < view->n_vms; i++) {
        if (!monitored(&view->vms[i])) {
            continue;
        }
        g_string_append(s, first ? "" : ",");
        first = false;
        trace_guest(s, m, view, i);
    }
    g_string_append(s, "]}");
    return g_string_free(s, FALSE);
}

const PolicyClass policy_kvm_mom = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "kvm-mom",
    .summary = "KVM with oVirt MOM's default rules: balloons from host free memory, KSM "
               "tuner, kswapd host swap",
    .state_size = sizeof(Mom),
    .period = MOM_TICK,
    .init = mom_init,
    .tick = mom_tick,
    .finalize = mom_finalize,
    .era = &policy_era_kvm,
    .trace = mom_trace,
    .params = mom_params,
    .n_params = P_COUNT,
};
