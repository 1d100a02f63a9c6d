/*
 * proxmox: Proxmox VE's auto-ballooning (pve-manager PVE/AutoBalloon.pm
 * compute_alg1, called by pvestatd's auto_balloning every 10 s) on a KVM
 * host (policy/kvm.h: the kernel's kswapd and direct reclaim, KSM tuned by
 * ksmtuned every 60 s).
 *
 * pvestatd aims the host at 80% use: goal = 0.8 x memtotal - memused
 * (bytes; > 0 gives memory back to the VMs, < 0 takes it). Within +-10 MiB
 * it does nothing. Otherwise compute_alg1 spreads the goal over the VMs
 * with a running balloon driver and a `balloon` minimum in their config:
 * each VM's share of what all hold above their minimums is in proportion
 * to its `shares` (default 1000), clamped to [balloon_min, maxmem], and
 * each VM moves at most 100 MiB from its current size per cycle. Growing
 * feeds first the VMs under pressure (little free memory, or under their
 * minimum), shrinking takes first from the VMs with free memory above a
 * quarter of their minimum; only when that list makes no progress at all
 * does the algorithm try every VM. A VM's balloon is its memory size
 * (QEMU's query-balloon `actual`), not the balloon's size.
 */
#include <math.h>

#include "policy/kvm.h"

#define PVE_MIB (1024.0 * 1024.0)

/* pvestatd auto_balloning. */
#define PVE_TARGET 0.8                  /* memtotal * 0.8 - memused */
#define PVE_MAXCHANGE (100.0 * PVE_MIB) /* $maxchange = 100*1024*1024 */
#define PVE_DEAD_BAND (10.0 * PVE_MIB)  /* compute_alg1: |goal| > 10*1024*1024 */
#define PVE_INTERVAL (10 * SIM_S)       /* pvestatd $updatetime = 10; cycle 0 skipped */
/* The `balloon` option of a VM (MiB): Proxmox's default is balloon =
 * memory, which turns auto-ballooning off. The study default is 50% of
 * memory (assumption: a common setting in Proxmox's forum and docs'
 * examples), so that the policy has room to work. */
#define PVE_BALLOON_MIN 0.5
/* vmstatus: shares default 1000 when the config has balloon; range 0..50000 */
#define PVE_SHARES_DEFAULT 1000.0
#define PVE_SHARES_MAX 50000.0
/* compute_alg1: freemem > balloon_min * 0.25 puts a VM on the "enough free memory" list */
#define PVE_FREE_FRACTION 0.25
/* vSphere's "normal" shares per configured MiB (how the scenario's `shares`
 * are counted): a VM at normal gets Proxmox's default 1000 (assumption:
 * the scenario's levels map by ratio, low 500, high 2000). */
#define PVE_ESX_NORMAL_PER_MIB 10.0
/* compute_alg1's loop ends when nothing moves; a cap on its passes guards
 * against a cycle (never reached in the tests: assumption). */
#define PVE_MAX_PASSES 64

enum { PVE_P_TARGET, PVE_P_STEP, PVE_P_DEAD_BAND, PVE_P_INTERVAL, PVE_P_BALLOON_MIN, PVE_N_PARAMS };

static const PolicyParam pve_params[PVE_N_PARAMS] = {
    [PVE_P_TARGET] = {"target", POLICY_PARAM_PERCENT, PVE_TARGET, 0.05, 1.0,
                      "pvestatd: the host use auto-ballooning aims at (80% of memtotal)"},
    [PVE_P_STEP] = {"step", POLICY_PARAM_SIZE, PVE_MAXCHANGE, PVE_MIB, 1024.0 * 1024.0 * PVE_MIB,
                    "pvestatd $maxchange: the most a VM's balloon moves per cycle (100 MiB)"},
    [PVE_P_DEAD_BAND] = {"dead_band", POLICY_PARAM_SIZE, PVE_DEAD_BAND, 0.0,
                         1024.0 * 1024.0 * PVE_MIB,
                         "AutoBalloon.pm: no change while |goal| is within it (10 MiB)"},
    [PVE_P_INTERVAL] = {"interval", POLICY_PARAM_DURATION, (double)PVE_INTERVAL, (double)SIM_S,
                        3600.0 * SIM_S,
                        "pvestatd $updatetime: how often auto-ballooning runs (10 s); rounded "
                        "up to the policy's 1 s tick"},
    [PVE_P_BALLOON_MIN] = {"balloon_min", POLICY_PARAM_PERCENT, PVE_BALLOON_MIN, 0.0, 1.0,
                           "every VM's `balloon` option as a share of its memory (Proxmox: "
                           "default = memory, no ballooning; study default 50%; 0 = unset, "
                           "not auto-ballooned)"},
};

/* One entry of PVE::QemuServer::vmstatus, bytes, and what compute_alg1
 * decided for it. */
typedef struct PveVm {
    bool on;            /* powered on at the last tick */
    bool listed;        /* in @$idlist: driver running, balloon_min set */
    bool pressure;      /* in @$idlist1 (else @$idlist2) */
    bool done;          /* $done_hash, within one change_func call */
    bool has_res;       /* $res->{$vmid} defined */
    bool sent;          /* a `balloon` command went out this cycle */
    double balloon;     /* query-balloon actual: the VM's memory now */
    double balloon_min; /* config balloon, MiB x 2^20 */
    double maxmem;      /* config memory */
    double freemem;     /* balloon stats free_mem (MemFree) */
    double shares;      /* config shares */
    double res;         /* the new size compute_alg1 chose */
} PveVm;

typedef struct PveState {
    guint n;
    PveVm *vm;                      /* g_new0, freed by finalize */
    guint *ids;                     /* scratch list of VM indices */
    SimTime next_balloon;           /* pvestatd's next auto_balloning */
    bool ran;                       /* auto_balloning ran this tick */
    double memtotal, memused, goal; /* bytes, at its last run */
    PolicyKswapd kswapd;
    PolicyKsmtuned ksmtuned;
} PveState;

static double param(const PolicyView *view, guint i)
{
    return i < view->n_params && view->params != NULL ? view->params[i] : pve_params[i].def;
}

/* Perl's int(): toward zero. */
static double perl_int(double x)
{
    return trunc(x);
}

/* One pass of change_func's loop over `ids` (those not done): every VM
 * moves toward its share of what the list holds above the minimums plus
 * `rest`, by at most `maxchange` from its current size. Returns the change
 * it made to the list's total ($changes); adds |diff| to *progress. */
static double change_pass(PveState *s, const guint *ids, guint n, double bytes, double rest,
                          double maxchange, bool *repeat, double *progress)
{
    double shares_total = 0.0, alloc_old = 0.0, changes = 0.0;
    for (guint k = 0; k < n; k++) {
        const PveVm *d = &s->vm[ids[k]];
        if (!d->done) {
            alloc_old += (d->has_res ? d->res : d->balloon) - d->balloon_min;
            shares_total += d->shares;
        }
    }
    double alloc_new = alloc_old + rest;
    for (guint k = 0; k < n; k++) {
        PveVm *d = &s->vm[ids[k]];
        if (d->done) {
            continue;
        }
        double desired = d->balloon_min + perl_int(alloc_new / shares_total * d->shares);
        if (desired > d->maxmem || desired < d->balloon_min) {
            desired = desired > d->maxmem ? d->maxmem : d->balloon_min;
            *repeat = true;
        }
        double balloon;
        if (bytes > 0 && desired - d->balloon > 0) { /* grow */
            balloon = MIN(d->balloon + maxchange, desired);
        } else if (desired - d->balloon < 0) { /* shrink */
            balloon = MAX(d->balloon - maxchange, desired);
        } else {
            d->done = true;
            continue;
        }
        double change = balloon - (d->has_res ? d->res : d->balloon);
        d->res = balloon;
        d->has_res = true;
        if (change != 0.0) {
            changes += change;
            *progress += fabs(balloon - d->balloon);
            *repeat = true;
        }
    }
    return changes;
}

/* change_func: spreads `bytes` over the VMs of `ids` in passes until it is
 * placed, or a pass changes nothing. Returns what is left ($rest). */
static double change_func(PveState *s, const guint *ids, guint n, double bytes, double maxchange)
{
    for (guint k = 0; k < n; k++) {
        s->vm[ids[k]].done = false;
    }
    double rest = bytes;
    bool repeat = true;
    double progress = 1.0;
    for (int pass = 0; rest != 0.0 && repeat && progress != 0.0 && pass < PVE_MAX_PASSES; pass++) {
        repeat = false;
        progress = 0.0;
        rest -= change_pass(s, ids, n, bytes, rest, maxchange, &repeat, &progress);
    }
    return rest;
}

/* The VMs of a list: all (@$idlist), under pressure (@$idlist1) or with
 * enough free memory (@$idlist2), in scenario order. */
typedef enum { PVE_ALL, PVE_PRESSURE, PVE_FREE } PveList;

static guint list_ids(PveState *s, PveList which)
{
    guint n = 0;
    for (guint i = 0; i < s->n; i++) {
        const PveVm *d = &s->vm[i];
        if (d->listed && (which == PVE_ALL || (which == PVE_PRESSURE) == d->pressure)) {
            s->ids[n++] = i;
        }
    }
    return n;
}

/* vmstatus: what pvestatd reads of each VM, in bytes. */
static void read_vmstatus(PveState *s, const PolicyView *view)
{
    double pb = (double)view->page_bytes;
    double min_frac = param(view, PVE_P_BALLOON_MIN);
    for (guint i = 0; i < s->n; i++) {
        const PolicyVmView *v = &view->vms[i];
        PveVm *d = &s->vm[i];
        d->has_res = false;
        d->sent = false;
        d->maxmem = (double)v->configured * pb;
        d->balloon_min = floor(min_frac * d->maxmem / PVE_MIB) * PVE_MIB; /* config is in MiB */
        d->balloon = (double)(v->configured - MIN(v->mctl, v->configured)) * pb;
        d->freemem = (double)v->guest_free * pb;
        double mib = MAX(1.0, floor(d->maxmem / PVE_MIB));
        d->shares =
            CLAMP(round(PVE_SHARES_DEFAULT * (double)v->shares / (PVE_ESX_NORMAL_PER_MIB * mib)),
                  1.0, PVE_SHARES_MAX);
        /* skip: no balloon driver running, no balloon in the config */
        d->listed = v->powered_on && v->has_balloon && d->balloon > 0 && d->balloon_min > 0;
        d->pressure = !(d->freemem > 0 && d->freemem > d->balloon_min * PVE_FREE_FRACTION &&
                        d->balloon >= d->balloon_min);
    }
}

/* compute_alg1 with pvestatd's goal, then the `balloon` commands: a VM
 * whose new size differs from its current one gets it as its target. */
static void auto_balloning(PveState *s, const PolicyView *view, PolicyTargets *out)
{
    double pb = (double)view->page_bytes;
    double maxchange = param(view, PVE_P_STEP);
    double band = param(view, PVE_P_DEAD_BAND);
    s->memtotal = (double)view->host_pages * pb;
    s->memused = s->memtotal - (double)view->host_free * pb;
    s->goal = perl_int(s->memtotal * param(view, PVE_P_TARGET) - s->memused);
    read_vmstatus(s, view);
    if (s->goal > band) {
        guint n = list_ids(s, PVE_PRESSURE); /* priorize VMs with memory pressure */
        double rest = change_func(s, s->ids, n, s->goal, maxchange);
        if (rest >= s->goal) { /* no progress: consider all VMs */
            n = list_ids(s, PVE_ALL);
            change_func(s, s->ids, n, rest, maxchange);
        }
    } else if (s->goal < -band) {
        guint n = list_ids(s, PVE_FREE); /* priorize VMs with enough free memory */
        double rest = change_func(s, s->ids, n, s->goal, maxchange);
        if (rest <= s->goal) {
            n = list_ids(s, PVE_ALL);
            change_func(s, s->ids, n, rest, maxchange);
        }
    }
    for (guint i = 0; i < s->n; i++) {
        PveVm *d = &s->vm[i];
        if (!d->has_res || perl_int(d->res) == perl_int(d->balloon)) {
            continue; /* no need to change */
        }
        d->sent = true;
        /* QEMU: balloon pages = (ram_size - value) >> 12, rounded down */
        double balloon_bytes = d->maxmem - perl_int(d->res);
        out->vms[i].mctl_target = (uint64_t)MAX(0.0, floor(balloon_bytes / pb));
    }
}

static bool pve_init(void *state, const PolicyView *view, GError **error)
{
    (void)error;
    PveState *s = state;
    s->n = view->n_vms;
    s->vm = g_new0(PveVm, MAX(s->n, 1));
    s->ids = g_new0(guint, MAX(s->n, 1));
    s->next_balloon = view->now + (SimTime)param(view, PVE_P_INTERVAL);
    policy_ksmtuned_init(&s->ksmtuned, view->now);
    return true;
}

static void pve_finalize(void *state)
{
    PveState *s = state;
    g_clear_pointer(&s->vm, g_free);
    g_clear_pointer(&s->ids, g_free);
}

/* qemu-server's vm_start sets the balloon to the config's `balloon` at
 * boot; a VM that is off holds no balloon. */
static void power_changes(PveState *s, const PolicyView *view, PolicyTargets *out)
{
    double pb = (double)view->page_bytes;
    double min_frac = param(view, PVE_P_BALLOON_MIN);
    for (guint i = 0; i < s->n; i++) {
        const PolicyVmView *v = &view->vms[i];
        bool was_on = s->vm[i].on;
        s->vm[i].on = v->powered_on;
        if (!v->powered_on) {
            out->vms[i].mctl_target = 0;
        } else if (!was_on) {
            double maxmem = (double)v->configured * pb;
            double min = floor(min_frac * maxmem / PVE_MIB) * PVE_MIB;
            out->vms[i].mctl_target =
                min > 0 && v->has_balloon ? (uint64_t)floor((maxmem - min) / pb) : 0;
        }
    }
}

/* Every second the kernel (kswapd, direct reclaim); every 60 s ksmtuned;
 * every `interval` pvestatd. */
static void pve_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    PveState *s = state;
    policy_kvm_host_tick(&s->kswapd, view, out);
    power_changes(s, view, out);
    policy_ksmtuned_tick(&s->ksmtuned, view, out);
    s->ran = view->now >= s->next_balloon;
    if (s->ran) {
        SimTime interval = (SimTime)param(view, PVE_P_INTERVAL);
        s->next_balloon += interval * ((view->now - s->next_balloon) / interval + 1);
        auto_balloning(s, view, out);
    }
}

/* {"ran", "host": {"memtotal", "memused", "goal"} (bytes, pvestatd's
 * "host goal" line), "kswapd", "ksm": {"run", "pages_to_scan",
 * "sleep_millisecs"}, "vms": [{"vm", "balloon", "balloon_min", "maxmem",
 * "freemem", "shares", "list", "target"}]}: vmstatus and compute_alg1's
 * result as of pvestatd's last run; target is the `balloon` command's
 * value (bytes), null when none was sent. */
static char *pve_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    (void)view;
    (void)out;
    PveState *s = state;
    GString *b = g_string_new(NULL);
    g_string_append_printf(
        b,
        "{\"ran\":%s,\"host\":{\"memtotal\":%.0f,\"memused\":%.0f,\"goal\":%.0f},"
        "\"kswapd\":%s,\"ksm\":{\"run\":%s,\"pages_to_scan\":%.0f,"
        "\"sleep_millisecs\":%.0f},\"vms\":[",
        s->ran ? "true" : "false", s->memtotal, s->memused, s->goal,
        s->kswapd.awake ? "true" : "false", s->ksmtuned.ksm.run ? "true" : "false",
        s->ksmtuned.ksm.pages_to_scan, s->ksmtuned.ksm.sleep_ms);
    for (guint i = 0; i < s->n; i++) {
        const PveVm *d = &s->vm[i];
        const char *list = !d->listed ? "null" : d->pressure ? "\"pressure\"" : "\"free\"";
        g_string_append_printf(b,
                               "%s{\"vm\":%u,\"balloon\":%.0f,\"balloon_min\":%.0f,\"maxmem\":%.0f,"
                               "\"freemem\":%.0f,\"shares\":%.0f,\"list\":%s,\"target\":",
                               i == 0 ? "" : ",", i, d->balloon, d->balloon_min, d->maxmem,
                               d->freemem, d->shares, list);
        if (d->sent) {
            g_string_append_printf(b, "%.0f}", perl_int(d->res));
        } else {
            g_string_append(b, "null}");
        }
    }
    g_string_append(b, "]}");
    return g_string_free(b, FALSE);
}

const PolicyClass policy_proxmox = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "proxmox",
    .summary = "Proxmox VE auto-ballooning (pvestatd, 80% host use target, 100 MiB steps by "
               "shares) on a KVM host with kswapd and KSM (ksmtuned)",
    .state_size = sizeof(PveState),
    .period = SIM_S,
    .init = pve_init,
    .tick = pve_tick,
    .finalize = pve_finalize,
    .era = &policy_era_kvm,
    .trace = pve_trace,
    .params = pve_params,
    .n_params = PVE_N_PARAMS,
};
