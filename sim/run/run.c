#include "sim/run/run.h"

#include <math.h>

#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/queue.h"
#include "sim/units.h"

/* The host's reclamation period: policy targets are applied and the state
 * re-read every second, like the balloon poll (assumption: ESXi's internal
 * period is not published; 1 s matches vmw_balloon's poll). */
#define RUN_HOST_TICK SIM_S
/* The workload's tick: allocation, touches and faults are drawn per second. */
#define RUN_WORKLOAD_TICK SIM_S
/* The grid of summary.json's means of the level columns (integrate_levels). */
#define RUN_LEVEL_STEP SIM_S
/* A free-memory change larger than this share of minFree since the last
 * balance triggers a new one before BalancePeriod ends (assumption). */
#define RUN_REBALANCE_FREE_SHARE 0.5

typedef struct RunVm {
    SimRun *run;
    guint index;
    Guest *guest;
    SimEventHandle *tick;     /* workload tick while powered on */
    SimEventHandle *poll;     /* balloon poll while powered on */
    uint64_t last_swap_ins, last_swap_outs;
} RunVm;

typedef struct RunEvent {
    SimRun *run;
    const SimEvent *event;    /* scenario event, or NULL for a phase */
    guint vm;
    const SimPhase *phase;
} RunEvent;

struct SimRun {
    const SimScenario *scenario; /* = &effective */
    SimScenario effective;       /* the scenario with the policy era's defaults */
    const PolicyClass *policy;
    void *policy_state;
    SimQueue *queue;
    Host *host;
    guint n_vms;
    RunVm *vms;
    RunEvent *events;         /* scenario events then phases */
    guint n_events;
    PolicyVmView *views;
    PolicyTargets targets;
    SimRecorder *recorder;
    SimRunTotals totals;      /* snapshot at `reached`, written by fill_totals */
    SimVmTotals *vm_totals;   /* n_vms, what totals.vms points to */
    SimVmSample *vm_integrals; /* n_vms: each level column integrated, MiB x s */
    SimTime integrated;       /* time those integrals cover, from 0 */
    SimTime next_level;       /* next point of their grid, SIM_TIME_NEVER after the end */
    uint64_t free_at_balance;
    uint64_t last_reads, last_writes;
    SimTime last_sample;      /* time of the last sample taken */
    SimTime next_sample;      /* time of the next one, SIM_TIME_NEVER after the end */
    SimTime reached;          /* the furthest time sim_run_until ran to */
    /* The host state as a signal over time: ns spent in each state up to
     * state_since, when the current state began (written by update_state). */
    SimTime state_time[HOST_STATE_MAX];
    SimTime state_since;
    SimRunHook hook;
    void *hook_data;
    SimRunTrace trace;
    void *trace_data;
    SimRunProgress progress;
    void *progress_data;
    GPtrArray *warnings;      /* strings: what the run could not do as asked */
    double *params;           /* the policy's settings (PolicyView.params) */
    char **setting_names;     /* each setting's name and value as text, for summary.json */
    char **setting_values;
    bool owns_vms;            /* effective.vms is the era's copy (era_driver) */
    bool forced_warned;       /* the no-host-swap warning was given */
};

static double pages_mb(const SimRun *run, uint64_t pages)
{
    return (double)pages * (double)host_page_size(run->host) / (double)SIM_MIB;
}

static void run_hook(SimRun *run)
{
    if (run->hook != NULL) {
        run->hook(run, run->hook_data);
    }
}

static void on_vm_tick(SimTime now, void *data)
{
    RunVm *rv = data;
    guest_tick(rv->guest, rv->run->host, now, RUN_WORKLOAD_TICK);
    run_hook(rv->run);
}

static void on_vm_poll(SimTime now, void *data)
{
    RunVm *rv = data;
    uint64_t target = host_vm(rv->run->host, rv->index)->mctl_target;
    guest_balloon_poll(rv->guest, rv->run->host, target, now);
    run_hook(rv->run);
}

static void reapply_phases(SimRun *run, RunVm *rv, SimTime now)
{
    const SimWorkload *w = &g_array_index(run->scenario->vms, SimVmConfig, rv->index).workload;
    for (guint i = 0; w->phases != NULL && i < w->phases->len; i++) {
        const SimPhase *ph = &g_array_index(w->phases, SimPhase, i);
        if (ph->at <= now) {
            guest_apply_phase(rv->guest, ph);
        }
    }
}

static void build_view(SimRun *run, PolicyView *view, SimTime now);

/* An era that boots VMs at their balloon target: the policy decides as the
 * VM powers on (it is still off in the view) and the host takes its
 * targets, as at a policy tick. Returns VM i's balloon target. */
static uint64_t boot_balloon_target(SimRun *run, guint i, SimTime now)
{
    PolicyView view;
    build_view(run, &view, now);
    run->policy->tick(run->policy_state, &view, &run->targets);
    for (guint k = 0; k < run->n_vms; k++) {
        HostVm *vm = host_vm(run->host, k);
        vm->mctl_target = run->targets.vms[k].mctl_target;
        vm->swap_target = run->targets.vms[k].swap_target;
        vm->block_alloc = run->targets.vms[k].block_alloc;
    }
    return run->targets.vms[i].mctl_target;
}

static void vm_power_on(SimRun *run, guint i, SimTime now)
{
    RunVm *rv = &run->vms[i];
    if (guest_powered_on(rv->guest)) {
        return;
    }
    if (!host_admit(run->host, i)) {
        g_ptr_array_add(run->warnings,
                        g_strdup_printf("t=%.0f s: VM %s not powered on: its overhead and "
                                        "reservation do not fit (admission control)",
                                        sim_time_to_s(now), host_vm(run->host, i)->name));
        return;
    }
    bool boot_ballooned = run->policy->era != NULL && run->policy->era->boot_at_balloon_target;
    uint64_t balloon = boot_ballooned ? boot_balloon_target(run, i, now) : 0;
    guest_power_on_ballooned(rv->guest, run->host, balloon, now);
    if (boot_ballooned) {
        host_vm(run->host, i)->mctl_target = balloon; /* power-on cleared it */
    }
    reapply_phases(run, rv, now);
    const SimVmConfig *cfg = &g_array_index(run->scenario->vms, SimVmConfig, i);
    rv->tick = sim_queue_push(run->queue, now + RUN_WORKLOAD_TICK, RUN_WORKLOAD_TICK, on_vm_tick,
                              rv);
    rv->poll = sim_queue_push(run->queue, now + cfg->guest.balloon.poll, cfg->guest.balloon.poll,
                              on_vm_poll, rv);
    host_sched_balance(run->host);
}

static void vm_power_off(SimRun *run, guint i)
{
    RunVm *rv = &run->vms[i];
    if (!guest_powered_on(rv->guest)) {
        return;
    }
    sim_queue_cancel(run->queue, rv->tick);
    sim_queue_cancel(run->queue, rv->poll);
    rv->tick = rv->poll = NULL;
    guest_power_off(rv->guest, run->host);
    host_sched_balance(run->host);
}

static void apply_set(SimRun *run, const SimEvent *ev)
{
    HostVm *vm = host_vm(run->host, ev->vm);
    uint64_t page = host_page_size(run->host);
    if (ev->has_reservation) {
        vm->reservation = ev->reservation / page;
    }
    if (ev->has_limit) {
        uint64_t limit = ev->limit == SIM_SIZE_UNLIMITED ? UINT64_MAX : ev->limit / page;
        vm->limit = MIN(limit, vm->configured);
        const PolicyEra *era = run->policy->era;
        if (era != NULL && era->no_host_swap && vm->limit < vm->configured) {
            g_ptr_array_add(run->warnings,
                            g_strdup_printf("t=%.0f s: VM %s: its new limit is not enforced under "
                                            "policy %s, whose host never swaps",
                                            sim_time_to_s(ev->at), vm->name, run->policy->name));
        }
    }
    if (ev->has_shares) {
        vm->shares = ev->shares;
    }
    host_sched_balance(run->host);
}

static void on_event(SimTime now, void *data)
{
    RunEvent *re = data;
    SimRun *run = re->run;
    if (re->phase != NULL) {
        if (guest_powered_on(run->vms[re->vm].guest)) {
            guest_apply_phase(run->vms[re->vm].guest, re->phase);
        }
    } else if (re->event->action == SIM_EVENT_POWER_ON) {
        vm_power_on(run, re->vm, now);
    } else if (re->event->action == SIM_EVENT_POWER_OFF) {
        vm_power_off(run, re->vm);
    } else {
        apply_set(run, re->event);
    }
    run_hook(run);
}

static void on_power_on(SimTime now, void *data)
{
    RunVm *rv = data;
    vm_power_on(rv->run, rv->index, now);
    run_hook(rv->run);
}

/* What a real hypervisor observes; the policy sees nothing else. */
static void build_view(SimRun *run, PolicyView *view, SimTime now)
{
    Host *host = run->host;
    for (guint i = 0; i < run->n_vms; i++) {
        const HostVm *vm = host_vm_const(host, i);
        Guest *g = run->vms[i].guest;
        run->views[i] = (PolicyVmView){
            .powered_on = vm->powered_on,
            .has_balloon = guest_has_balloon(g),
            .configured = vm->configured,
            .reservation = vm->reservation,
            .limit = vm->limit,
            .shares = vm->shares,
            .consumed = host_vm_consumed(vm),
            .sztgt = vm->sztgt,
            .active = host_vm_active_pages(vm),
            .mctl = guest_balloon_size(g),
            .mctl_max = guest_balloon_max(g),
            .swapped = host_vm_reclaimed_out(vm),
            .guest_free = guest_free_pages(g),
            .guest_cache = guest_cache_pages(g),
            .guest_available = guest_mem_available(g),
            .guest_committed = guest_committed(g),
            .guest_kernel = guest_kernel(g),
        };
    }
    const HostThresholds *t = host_thresholds(host);
    *view = (PolicyView){
        .now = now,
        .host_pages = host_pages(host),
        .host_free = host_free_pages(host),
        .min_free = host_thresholds(host)->min_free,
        .state = host_state(host),
        .n_vms = run->n_vms,
        .vms = run->views,
        .page_bytes = host_page_size(host),
        .wmark_min = t->wmark_min,
        .wmark_low = t->wmark_low,
        .wmark_high = t->wmark_high,
        .share_frames = host_shared_frames(host),
        .share_refs = host_shared_refs(host),
        .n_params = run->policy->n_params,
        .params = run->params,
    };
}

/*
 * Re-reads the host state, crediting the time since the last re-read to the
 * state the host was in. Every state change goes through here, so
 * state_time is the exact integral of the state signal that host.csv
 * samples (docs/model.md, "Outputs").
 */
static void update_state(SimRun *run, SimTime now)
{
    run->state_time[host_state(run->host)] += now - run->state_since;
    run->state_since = now;
    host_update_state(run->host);
}

static void on_policy(SimTime now, void *data)
{
    SimRun *run = data;
    PolicyView view;
    update_state(run, now);
    build_view(run, &view, now);
    run->policy->tick(run->policy_state, &view, &run->targets);
    for (guint i = 0; i < run->n_vms; i++) {
        HostVm *vm = host_vm(run->host, i);
        vm->mctl_target = run->targets.vms[i].mctl_target;
        vm->swap_target = run->targets.vms[i].swap_target;
        vm->block_alloc = run->targets.vms[i].block_alloc;
    }
    host_set_compression(run->host, run->targets.compression);
    if (run->trace != NULL) {
        char *line = run->policy->trace != NULL
                         ? run->policy->trace(run->policy_state, &view, &run->targets)
                         : NULL;
        run->trace(&view, &run->targets, line, run->trace_data);
        g_free(line);
    }
    run_hook(run);
}

/* Memory each mechanism holds back host-wide, pages (for the summary's
 * reclaimed_mb, the peak over the run). */
typedef struct Reclaimed {
    double balloon, shared, compressed, swapped;
} Reclaimed;

static Reclaimed reclaimed_now(SimRun *run)
{
    Reclaimed r = {0};
    for (guint i = 0; i < run->n_vms; i++) {
        const HostVm *vm = host_vm(run->host, i);
        r.balloon += (double)guest_balloon_size(run->vms[i].guest);
        r.shared += host_vm_share_saved(vm);
        r.compressed +=
            (double)host_pages_count_backing(vm->pages, HOST_BACK_ZIP) - (double)vm->zip_frames;
        r.swapped += (double)host_vm_swapped(vm);
    }
    return r;
}

/* The peaks of reclaimed_mb, read every host tick (not at the samples, so
 * they do not depend on sample_interval). */
static void account_reclaimed(SimRun *run)
{
    SimRunTotals *t = &run->totals;
    Reclaimed r = reclaimed_now(run);
    double mb = pages_mb(run, 1);
    t->reclaimed_balloon_mb = MAX(t->reclaimed_balloon_mb, r.balloon * mb);
    t->reclaimed_shared_mb = MAX(t->reclaimed_shared_mb, r.shared * mb);
    t->reclaimed_compressed_mb = MAX(t->reclaimed_compressed_mb, r.compressed * mb);
    t->reclaimed_swapped_mb = MAX(t->reclaimed_swapped_mb, r.swapped * mb);
}

/* The host's mechanisms each second: swap toward targets, re-read the
 * state, and rebalance early when free memory moved a lot. */
static void on_host_tick(SimTime now, void *data)
{
    SimRun *run = data;
    host_share_scan(run->host, RUN_HOST_TICK, run->targets.share_scan_factor,
                    run->targets.share_rate, run->targets.break_large_pages);
    host_reclaim_tick(run->host, now, RUN_HOST_TICK);
    update_state(run, now);
    account_reclaimed(run);
    uint64_t free_now = host_free_pages(run->host);
    uint64_t moved = free_now > run->free_at_balance ? free_now - run->free_at_balance
                                                     : run->free_at_balance - free_now;
    if ((double)moved > RUN_REBALANCE_FREE_SHARE * (double)host_thresholds(run->host)->min_free) {
        host_sched_balance(run->host);
        run->free_at_balance = free_now;
    }
    if (run->progress != NULL && now % SIM_MIN == 0) {
        run->progress(now, run->scenario->duration, run->progress_data);
    }
    run_hook(run);
}

static void on_balance(SimTime now, void *data)
{
    (void)now;
    SimRun *run = data;
    host_sched_balance(run->host);
    run->free_at_balance = host_free_pages(run->host);
}

static void on_sample_active(SimTime now, void *data)
{
    (void)now;
    host_sched_sample(((SimRun *)data)->host);
}

/* The level columns of VM i now (sizes in MiB); rates and stall are left 0. */
static void fill_vm_levels(SimRun *run, guint i, SimVmSample *s)
{
    HostVm *vm = host_vm(run->host, i);
    Guest *g = run->vms[i].guest;
    uint64_t shared = host_pages_count_backing(vm->pages, HOST_BACK_SHARED);
    uint64_t resident = host_pages_count_backing(vm->pages, HOST_BACK_PRIVATE) + shared;
    uint64_t zipped = host_pages_count_backing(vm->pages, HOST_BACK_ZIP);
    double mb = pages_mb(run, 1);
    *s = (SimVmSample){
        .memsz_mb = pages_mb(run, vm->configured),
        .grant_mb = pages_mb(run, resident),
        .consumed_mb = host_vm_consumed_exact(vm) * mb,
        .sztgt_mb = pages_mb(run, vm->powered_on ? vm->sztgt : 0),
        .active_mb = pages_mb(run, vm->powered_on ? host_vm_active_pages(vm) : 0),
        .mctlsz_mb = pages_mb(run, guest_balloon_size(g)),
        .mctltgt_mb = pages_mb(run, MIN(vm->mctl_target, guest_balloon_max(g))),
        .mctlmax_mb = pages_mb(run, guest_balloon_max(g)),
        .swcur_mb = pages_mb(run, host_vm_swapped(vm)),
        .swtgt_mb = pages_mb(run, vm->swap_target),
        .zip_mb = pages_mb(run, zipped),
        .zsaved_mb = ((double)zipped - (double)vm->zip_frames) * mb,
        .shrd_mb = host_vm_shared_pages(vm) * mb,
        .zero_mb = pages_mb(run, vm->shared_zero),
        .shrdsvd_mb = host_vm_share_saved(vm) * mb,
        .guest_free_mb = pages_mb(run, guest_free_pages(g)),
        .guest_cache_mb = pages_mb(run, guest_cache_pages(g)),
        .guest_swap_mb = pages_mb(run, guest_swap_used(g)),
    };
}

/* One vms.csv row: the levels now, rates and stall over the interval. */
static void fill_vm_sample(SimRun *run, guint i, double interval_s, SimVmSample *s)
{
    RunVm *rv = &run->vms[i];
    HostVm *vm = host_vm(run->host, i);
    SimTime stalled = 0, on = 0;
    guest_take_interval(rv->guest, &stalled, &on);
    double stall = on > 0 ? (double)stalled / (double)on : 0.0;
    fill_vm_levels(run, i, s);
    if (interval_s > 0) {
        s->swr_mbps = pages_mb(run, vm->swap_ins - rv->last_swap_ins) / interval_s;
        s->sww_mbps = pages_mb(run, vm->swap_outs - rv->last_swap_outs) / interval_s;
    }
    s->stall_pct = 100.0 * stall;
    s->perf_index = 1.0 - stall;
    rv->last_swap_ins = vm->swap_ins;
    rv->last_swap_outs = vm->swap_outs;
}

/*
 * One step of the level integrals behind summary.json's means: at each
 * whole second t of the run, after every event at t, each VM's levels are
 * held for the second that follows (cut at the end of the run). Every
 * process of the model runs once a second, so this is the model's own
 * grid and the means do not depend on sample_interval. O(VMs) a second,
 * each O(1): small next to the VMs' own ticks.
 */
static void integrate_levels(SimRun *run, SimTime now)
{
    double w = sim_time_to_s(MIN(RUN_LEVEL_STEP, run->scenario->duration - now));
    for (guint i = 0; i < run->n_vms; i++) {
        SimVmSample s;
        SimVmSample *acc = &run->vm_integrals[i];
        fill_vm_levels(run, i, &s);
#define RUN_ADD_FIELD(f) acc->f += w * s.f;
        SIM_VM_FIELDS(RUN_ADD_FIELD)
#undef RUN_ADD_FIELD
    }
    run->integrated += MIN(RUN_LEVEL_STEP, run->scenario->duration - now);
    run->next_level = now + RUN_LEVEL_STEP < run->scenario->duration ? now + RUN_LEVEL_STEP
                                                                       : SIM_TIME_NEVER;
}

static void fill_host_sample(SimRun *run, SimTime now, double interval_s, SimHostSample *s)
{
    Host *host = run->host;
    Reclaimed r = reclaimed_now(run);
    uint64_t zipped = 0;
    for (guint i = 0; i < run->n_vms; i++) {
        zipped += host_pages_count_backing(host_vm(host, i)->pages, HOST_BACK_ZIP);
    }
    double mb = pages_mb(run, 1);
    uint64_t refs = host_shared_refs(host);
    uint64_t reads = host_swap_reads(host), writes = host_swap_writes(host);
    *s = (SimHostSample){
        .time_s = sim_time_to_s(now),
        .state = host_state(host),
        .free_mb = pages_mb(run, host_free_pages(host)),
        .min_free_mb = pages_mb(run, host_thresholds(host)->min_free),
        .overhead_mb = pages_mb(run, host_overhead_pages(host)),
        .shared_mb = pages_mb(run, refs - host_shared_singles(host)),
        .shrdsvd_mb = pages_mb(run, refs - host_shared_frames(host)),
        .zip_mb = pages_mb(run, zipped),
        .swcur_mb = r.swapped * mb,
        .mctlsz_mb = r.balloon * mb,
        .swr_mbps = interval_s > 0 ? pages_mb(run, reads - run->last_reads) / interval_s : 0,
        .sww_mbps = interval_s > 0 ? pages_mb(run, writes - run->last_writes) / interval_s : 0,
    };
    run->last_reads = reads;
    run->last_writes = writes;
}

/* Conservation is an invariant of the run loop: a violation is a bug in
 * the model, so it aborts with the sums that disagree. Checked at every
 * sample (O(VMs)); the tests check it after every event. */
static void assert_conservation(const SimRun *run, SimTime now)
{
    GString *why = g_string_new(NULL);
    if (!sim_run_check(run, why)) {
        g_error("conservation broken at t=%.3f s: %s", sim_time_to_s(now), why->str);
    }
    g_string_free(why, TRUE);
}

/*
 * Takes the sample at `now`, after every event at `now` has run (the state
 * at that instant; rates and stall over the interval since the last
 * sample), and schedules the next: every sample_interval from 0, and
 * always one at the end of the run.
 */
static void take_sample(SimRun *run, SimTime now)
{
    assert_conservation(run, now);
    double interval_s = sim_time_to_s(now - run->last_sample);
    SimHostSample hs;
    g_autofree SimVmSample *vs = g_new0(SimVmSample, MAX(run->n_vms, 1));
    fill_host_sample(run, now, interval_s, &hs);
    for (guint i = 0; i < run->n_vms; i++) {
        fill_vm_sample(run, i, interval_s, &vs[i]);
    }
    sim_recorder_add(run->recorder, &hs, vs);
    run->last_sample = now;
    SimTime duration = run->scenario->duration, interval = run->scenario->sample_interval;
    if (now >= duration) {
        run->next_sample = SIM_TIME_NEVER;
    } else {
        run->next_sample = duration - now > interval ? now + interval : duration;
    }
}

static void schedule_events(SimRun *run)
{
    const SimScenario *sc = run->scenario;
    guint n_phases = 0;
    for (guint i = 0; i < run->n_vms; i++) {
        GArray *ph = g_array_index(sc->vms, SimVmConfig, i).workload.phases;
        n_phases += ph != NULL ? ph->len : 0;
    }
    run->n_events = sc->events->len + n_phases;
    run->events = g_new0(RunEvent, MAX(run->n_events, 1));
    guint k = 0;
    for (guint e = 0; e < sc->events->len; e++, k++) {
        const SimEvent *ev = &g_array_index(sc->events, SimEvent, e);
        run->events[k] = (RunEvent){.run = run, .event = ev, .vm = ev->vm};
        sim_queue_push(run->queue, ev->at, 0, on_event, &run->events[k]);
    }
    for (guint i = 0; i < run->n_vms; i++) {
        GArray *ph = g_array_index(sc->vms, SimVmConfig, i).workload.phases;
        for (guint p = 0; ph != NULL && p < ph->len; p++, k++) {
            const SimPhase *phase = &g_array_index(ph, SimPhase, p);
            run->events[k] = (RunEvent){.run = run, .vm = i, .phase = phase};
            sim_queue_push(run->queue, phase->at, 0, on_event, &run->events[k]);
        }
    }
}

/* Order at equal times is push order: power-ons and events, then the host
 * tick, the VMs' ticks and polls (pushed by the power-ons at 0), the policy
 * (re-pushed after them at 0). Samples are not events: sim_run_until takes
 * each after every event at its time. */
static void schedule_processes(SimRun *run)
{
    const SimHostConfig *hc = &run->scenario->host;
    for (guint i = 0; i < run->n_vms; i++) {
        SimTime at = g_array_index(run->scenario->vms, SimVmConfig, i).power_on;
        if (at != SIM_TIME_NEVER) {
            sim_queue_push(run->queue, at, 0, on_power_on, &run->vms[i]);
        }
    }
    schedule_events(run);
    sim_queue_push(run->queue, RUN_HOST_TICK, RUN_HOST_TICK, on_host_tick, run);
    sim_queue_push(run->queue, 0, run->policy->period, on_policy, run);
    sim_queue_push(run->queue, hc->balance_period, hc->balance_period, on_balance, run);
    sim_queue_push(run->queue, hc->sample_period, hc->sample_period, on_sample_active, run);
}

/* The scenario as the policy's era runs it: each value the scenario did not
 * give takes the era's (a shallow copy: only host fields change). */
static SimScenario era_scenario(const SimScenario *sc, const PolicyEra *era)
{
    SimScenario eff = *sc;
    if (era == NULL) {
        return eff;
    }
    /* The era changes defaults only: a value the scenario gave stays. */
    SimHostConfig *hc = &eff.host;
    if (!sim_scenario_gives(sc, "/host/sharing/salting")) {
        hc->sharing.salting = era->salting;
    }
    if (!sim_scenario_gives(sc, "/host/sample_period")) {
        hc->sample_period = era->sample_period;
    }
    if (!sim_scenario_gives(sc, "/host/ctl_max_pct")) {
        hc->ctl_max_pct = era->ctl_max_pct;
    }
    if (!sim_scenario_gives(sc, "/host/sharing/large_pages")) {
        hc->sharing.large_pages = hc->sharing.large_pages && era->large_pages;
    }
    if (!sim_scenario_gives(sc, "/host/compression/enabled")) {
        hc->compression.enabled = hc->compression.enabled && era->compression;
    }
    if (era->flat_idle_tax && !sim_scenario_gives(sc, "/host/idle_tax_type")) {
        hc->idle_tax_type = SIM_IDLE_TAX_FLAT;
    }
    hc->no_demand_cap = era->no_demand_cap;
    if (era->no_sharing) {
        hc->sharing.enabled = false; /* the policy is defined by it */
    }
    if (era->no_host_swap) {
        hc->compression.enabled = false;
    }
    hc->host_model = era->linux_host     ? SIM_HOST_MODEL_LINUX
                     : era->no_host_swap ? SIM_HOST_MODEL_NO_SWAP
                                         : SIM_HOST_MODEL_ESX;
    return eff;
}

/* Whether the scenario gave guest.balloon.KEY for this VM, in the VM's entry
 * or in a template (the loader records a template's values under
 * /templates/NAME: any template giving it keeps it, assumption of
 * simplicity: a template-wide driver setting is rare). */
static bool gives_balloon_key(const SimScenario *sc, const SimVmConfig *cfg, const char *key)
{
    g_autofree char *own = g_strdup_printf("%s/guest/balloon/%s", cfg->pointer, key);
    if (sim_scenario_gives(sc, own)) {
        return true;
    }
    g_autofree char *tail = g_strdup_printf("/guest/balloon/%s", key);
    GHashTableIter it;
    gpointer ptr;
    if (sc->given == NULL) {
        return false;
    }
    g_hash_table_iter_init(&it, sc->given);
    while (g_hash_table_iter_next(&it, &ptr, NULL)) {
        if (g_str_has_prefix(ptr, "/templates/") && g_str_has_suffix(ptr, tail)) {
            return true;
        }
    }
    return false;
}

/* The era's balloon driver replaces vmw_balloon's defaults. The VM array
 * is copied: the scenario is the caller's. */
static void era_driver(SimScenario *eff, const SimScenario *sc, const PolicyDriver *d)
{
    if (d->poll <= 0) {
        return;
    }
    eff->vms = g_array_copy(sc->vms);
    for (guint i = 0; i < eff->vms->len; i++) {
        SimVmConfig *cfg = &g_array_index(eff->vms, SimVmConfig, i);
        SimBalloonConfig *b = &cfg->guest.balloon;
#define RUN_ERA_DRIVER(field, value)                                                               \
    if (!gives_balloon_key(sc, cfg, #field)) {                                                     \
        b->field = (value);                                                                        \
    }
        RUN_ERA_DRIVER(poll, d->poll)
        RUN_ERA_DRIVER(rate_fast, d->rate_fast)
        RUN_ERA_DRIVER(rate_slow_max, d->rate_slow_max)
        RUN_ERA_DRIVER(rate_slow_min, d->rate_slow_min)
        RUN_ERA_DRIVER(rate_slow_inc, d->rate_slow_inc)
        RUN_ERA_DRIVER(deflate_fast, d->deflate_fast)
        RUN_ERA_DRIVER(deflate_slow, d->deflate_slow)
#undef RUN_ERA_DRIVER
    }
}

/* The policy's settings: the scenario's when they were given for this
 * policy (host.policy as an object), else the real system's defaults. */
static double *run_params(const SimScenario *sc, const PolicyClass *cls)
{
    double *v = g_new0(double, MAX(cls->n_params, 1));
    bool own = sc->host.policy_params != NULL && sc->host.n_policy_params == cls->n_params &&
               policy_resolve(sc->host.policy, NULL) == cls;
    for (guint i = 0; i < cls->n_params; i++) {
        v[i] = own ? sc->host.policy_params[i] : cls->params[i].def;
    }
    return v;
}

/* A host that never swaps enforces a limit only through its policy's
 * balloon; the policies of such hosts (Hyper-V, Xen) have no limit of
 * their own (Maximum RAM and maxmem are the configured memory), so a limit
 * there is not enforced, and the run says so rather than pretend. */
static void warn_unenforced_limits(SimRun *run, const PolicyClass *cls)
{
    if (cls->era == NULL || !cls->era->no_host_swap) {
        return;
    }
    const GArray *vms = run->effective.vms;
    for (guint i = 0; i < vms->len; i++) {
        const SimVmConfig *cfg = &g_array_index(vms, SimVmConfig, i);
        if (cfg->limit != SIM_SIZE_UNLIMITED && cfg->limit < cfg->memory) {
            g_ptr_array_add(run->warnings,
                            g_strdup_printf("VM %s: its limit is not enforced under policy %s, "
                                            "whose host never swaps (set its memory instead)",
                                            cfg->name, cls->name));
        }
    }
}

SimRun *sim_run_new(const SimScenario *scenario_in, const char *policy, GError **error)
{
    const char *name = policy != NULL ? policy : scenario_in->host.policy;
    const PolicyClass *cls = policy_resolve(name, error);
    if (cls == NULL) {
        return NULL;
    }
    /* the host keeps a pointer to the scenario: it must live in the run */
    SimRun *run = g_new0(SimRun, 1);
    run->effective = era_scenario(scenario_in, cls->era);
    if (cls->era != NULL) {
        era_driver(&run->effective, scenario_in, &cls->era->driver);
        run->owns_vms = run->effective.vms != scenario_in->vms;
    }
    const SimScenario *scenario = run->scenario = &run->effective;
    HostModel model = {0};
    if (cls->era != NULL) {
        model = (HostModel){.state_pct = cls->era->state_pct,
                            .pct_of_host = cls->era->pct_of_host,
                            .linux_host = cls->era->linux_host,
                            .no_swap = cls->era->no_host_swap};
    }
    Host *host = host_new(scenario, &model, error);
    if (host == NULL) {
        if (run->owns_vms) {
            g_array_unref(run->effective.vms);
        }
        g_free(run);
        return NULL;
    }
    run->params = run_params(scenario_in, cls);
    run->setting_names = g_new0(char *, cls->n_params + 1);
    run->setting_values = g_new0(char *, cls->n_params + 1);
    for (guint i = 0; i < cls->n_params; i++) {
        run->setting_names[i] = g_strdup(cls->params[i].name);
        run->setting_values[i] = policy_param_format(&cls->params[i], run->params[i]);
    }
    run->policy = cls;
    run->policy_state = g_malloc0(MAX(cls->state_size, 1));
    run->queue = sim_queue_new();
    run->warnings = g_ptr_array_new_with_free_func(g_free);
    warn_unenforced_limits(run, cls);
    run->host = host;
    run->n_vms = scenario->vms->len;
    run->vms = g_new0(RunVm, MAX(run->n_vms, 1));
    run->views = g_new0(PolicyVmView, MAX(run->n_vms, 1));
    run->vm_totals = g_new0(SimVmTotals, MAX(run->n_vms, 1));
    run->vm_integrals = g_new0(SimVmSample, MAX(run->n_vms, 1));
    run->targets.n_vms = run->n_vms;
    run->targets.vms = g_new0(PolicyVmTargets, MAX(run->n_vms, 1));
    for (guint i = 0; i < run->n_vms; i++) {
        const SimVmConfig *cfg = &g_array_index(scenario->vms, SimVmConfig, i);
        run->vms[i] = (RunVm){.run = run, .index = i};
        run->vms[i].guest = guest_new(cfg, i, &scenario->host, scenario->seed);
        host_attach(run->host, i, guest_pages(run->vms[i].guest));
    }
    run->recorder = sim_recorder_new(scenario, cls->name);
    PolicyView view;
    build_view(run, &view, 0);
    if (cls->init != NULL && !cls->init(run->policy_state, &view, error)) {
        sim_run_free(run);
        return NULL;
    }
    schedule_processes(run);
    return run;
}

void sim_run_free(SimRun *run)
{
    if (run == NULL) {
        return;
    }
    if (run->policy->finalize != NULL) {
        run->policy->finalize(run->policy_state);
    }
    g_free(run->policy_state);
    sim_queue_free(run->queue);
    for (guint i = 0; i < run->n_vms; i++) {
        guest_free(run->vms[i].guest);
    }
    host_free(run->host);
    sim_recorder_free(run->recorder);
    g_free(run->vms);
    g_free(run->views);
    g_free(run->vm_totals);
    g_free(run->vm_integrals);
    g_free(run->targets.vms);
    g_free(run->events);
    g_ptr_array_free(run->warnings, TRUE);
    g_free(run->params);
    g_strfreev(run->setting_names);
    g_strfreev(run->setting_values);
    if (run->owns_vms) {
        g_array_unref(run->effective.vms); /* the copy: its strings are the scenario's */
    }
    g_free(run);
}

void sim_run_set_trace(SimRun *run, SimRunTrace fn, void *data)
{
    run->trace = fn;
    run->trace_data = data;
}

void sim_run_set_hook(SimRun *run, SimRunHook hook, void *data)
{
    run->hook = hook;
    run->hook_data = data;
}

void sim_run_set_progress(SimRun *run, SimRunProgress fn, void *data)
{
    run->progress = fn;
    run->progress_data = data;
}

/*
 * VM i's figures over the run so far: the level integrals over the time
 * they cover, rates as what moved over that time, stall and performance
 * index from the guest's stalled and powered-on time.
 */
static void fill_vm_totals(SimRun *run, guint i, SimVmTotals *t)
{
    SimTime stalled = 0, on = 0;
    guest_totals(run->vms[i].guest, &stalled, &on);
    *t = (SimVmTotals){.on_s = sim_time_to_s(on), .stalled_s = sim_time_to_s(stalled)};
    double span = sim_time_to_s(run->integrated);
    const SimVmSample *acc = &run->vm_integrals[i];
#define RUN_MEAN_FIELD(f) t->mean.f = span > 0 ? acc->f / span : NAN;
    SIM_VM_FIELDS(RUN_MEAN_FIELD)
#undef RUN_MEAN_FIELD
    const HostVm *vm = host_vm_const(run->host, i);
    t->mean.swr_mbps = span > 0 ? pages_mb(run, vm->swap_ins) / span : NAN;
    t->mean.sww_mbps = span > 0 ? pages_mb(run, vm->swap_outs) / span : NAN;
    /* 0 for a VM never powered on, as its rows in vms.csv read. */
    double stall = on > 0 ? (double)stalled / (double)on : 0.0;
    t->mean.stall_pct = 100.0 * stall;
    t->mean.perf_index = 1.0 - stall;
}

/* The summary's figures up to `reached`, from the model's own accounting:
 * the state signal's integral and each guest's stalled and powered-on time. */
static void fill_totals(SimRun *run)
{
    SimRunTotals *totals = &run->totals;
    const HostThresholds *t = host_thresholds(run->host);
    totals->min_free_mb = pages_mb(run, t->min_free);
    HostState now = host_state(run->host);
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        totals->thresholds_mb[s] = pages_mb(run, t->start[s]);
        SimTime open = s == (int)now ? run->reached - run->state_since : 0;
        totals->time_in_state_s[s] = sim_time_to_s(run->state_time[s] + open);
    }
    for (guint i = 0; i < run->n_vms; i++) {
        fill_vm_totals(run, i, &run->vm_totals[i]);
    }
    totals->n_vms = run->n_vms;
    totals->vms = run->vm_totals;
    totals->n_settings = run->policy->n_params;
    totals->setting_names = (const char *const *)run->setting_names;
    totals->setting_values = (const char *const *)run->setting_values;
}

/* Runs the events up to `until`, taking each due sample once no event at
 * or before its time is left: a sample sees everything that happened at
 * its instant, whatever the order of the events there. Stops early at an
 * interrupt (sim/interrupt.h): one load of a flag per event. */
/* A host that does not swap can still run out of frames when its policy
 * lets the VMs touch more than it has; the model then swaps (nothing else
 * keeps a touched page backed) and says so once. */
static void warn_forced_swaps(SimRun *run)
{
    uint64_t n = host_forced_swaps(run->host);
    if (run->forced_warned || n == 0 || run->policy->era == NULL ||
        !run->policy->era->no_host_swap) {
        return;
    }
    run->forced_warned = true;
    g_ptr_array_add(run->warnings,
                    g_strdup_printf("the host ran out of memory although policy %s never swaps: "
                                    "%.0f MiB were swapped to keep the VMs' memory backed (by "
                                    "t=%.0f s); its VMs hold more than the host has",
                                    run->policy->name, pages_mb(run, n),
                                    sim_time_to_s(run->reached)));
}

void sim_run_until(SimRun *run, SimTime until)
{
    while (sim_interrupt_signal() == 0) {
        SimTime next = sim_queue_next_time(run->queue);
        while (run->next_level <= until && run->next_level < next) {
            integrate_levels(run, run->next_level);
        }
        while (run->next_sample <= until && run->next_sample < next) {
            take_sample(run, run->next_sample);
        }
        if (!sim_queue_run_one(run->queue, until)) {
            break;
        }
    }
    run->reached = MAX(run->reached, until);
    warn_forced_swaps(run);
    fill_totals(run);
}

bool sim_run_execute(SimRun *run, GError **error)
{
    sim_run_until(run, run->scenario->duration);
    return sim_interrupt_check(error);
}

SimTime sim_run_now(const SimRun *run)
{
    return sim_queue_now(run->queue);
}

Host *sim_run_host(SimRun *run)
{
    return run->host;
}

Guest *sim_run_guest(SimRun *run, guint vm)
{
    return run->vms[vm].guest;
}

const SimRecorder *sim_run_recorder(const SimRun *run)
{
    return run->recorder;
}

const SimRunTotals *sim_run_totals(const SimRun *run)
{
    return &run->totals;
}

const PolicyClass *sim_run_policy(const SimRun *run)
{
    return run->policy;
}

const GPtrArray *sim_run_warnings(const SimRun *run)
{
    return run->warnings;
}

guint64 sim_run_events(const SimRun *run)
{
    return sim_queue_events_run(run->queue);
}

bool sim_run_check(const SimRun *run, GString *why)
{
    return host_check_conservation(run->host, why);
}

guint64 sim_run_page_moves(const SimRun *run)
{
    guint64 moves = 0;
    for (guint i = 0; i < run->n_vms; i++) {
        moves += guest_pages(run->vms[i].guest)->moves;
    }
    return moves;
}

size_t sim_run_page_state_bytes(const SimRun *run)
{
    size_t bytes = 0;
    for (guint i = 0; i < run->n_vms; i++) {
        bytes += host_pages_bytes(guest_pages(run->vms[i].guest));
    }
    return bytes;
}

size_t sim_run_share_table_bytes(const SimRun *run)
{
    return host_share_table_bytes(run->host);
}

size_t sim_run_share_table_peak_bytes(const SimRun *run)
{
    return host_share_table_peak_bytes(run->host);
}
