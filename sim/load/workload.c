/*
 * A VM's workload: sizes, rates, content mix and phases, and how they fit
 * the VM; a trace (sim/load/traces.c) drives memory and active instead.
 */
#include <string.h>

#include "sim/load/loader-private.h"

static bool load_content(Loader *ld, const Scope *wl, SimContentMix *c)
{
    Scope s;
    if (!sim_load_scope_child(ld, wl, "content", &s) ||
        !sim_load_get_number(ld, &s, "zero", &c->zero) ||
        !sim_load_get_number(ld, &s, "image_shared", &c->image_shared) ||
        !sim_load_get_number(ld, &s, "duplicate", &c->duplicate) ||
        !sim_load_get_number(ld, &s, "compressible", &c->compressible)) {
        return false;
    }
    if (c->zero + c->image_shared + c->duplicate <= 1.0 + 1e-9) {
        return true;
    }
    /* Point at the last of the three that is given: it made the sum overflow. */
    static const char *const parts[] = {"duplicate", "image_shared", "zero"};
    const char *ptr = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (sim_load_scope_get(ld, &s, parts[i], &ptr) != NULL) {
            break;
        }
    }
    return sim_load_fail(
        ld, SIM_ERROR_RANGE, ptr,
        "content fractions zero + image_shared + duplicate add up to %s, more than 1",
        sim_load_fmt_num(ld, c->zero + c->image_shared + c->duplicate));
}

/* A phase as parsed, with where its sizes came from (for checks after sorting). */
typedef struct PhaseAt {
    SimPhase phase;
    const char *memory;
    const char *active;
} PhaseAt;

static gint phase_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const PhaseAt *)a)->phase.at;
    SimTime tb = ((const PhaseAt *)b)->phase.at;
    return (ta > tb) - (ta < tb);
}

static bool load_phase(Loader *ld, json_t *el, const char *eptr, const SimKey *keys, PhaseAt *p)
{
    const char *ptr = NULL;
    SimPhase *ph = &p->phase;
    if (!json_is_object(el)) {
        return sim_load_type_error(ld, eptr, el, "an object (a phase)");
    }
    Scope s = sim_load_scope_one(el, eptr, keys);
    if (sim_load_scope_get(ld, &s, "at", &ptr) == NULL) {
        return sim_load_missing(ld, eptr, "at");
    }
    ph->has_memory = sim_load_scope_get(ld, &s, "memory", &ptr) != NULL;
    ph->has_active = sim_load_scope_get(ld, &s, "active", &ptr) != NULL;
    ph->has_page_cache = sim_load_scope_get(ld, &s, "page_cache", &ptr) != NULL;
    ph->has_touch_rate = sim_load_scope_get(ld, &s, "touch_rate", &ptr) != NULL;
    ph->has_write_share = sim_load_scope_get(ld, &s, "write_share", &ptr) != NULL;
    if (!(ph->has_memory || ph->has_active || ph->has_page_cache || ph->has_touch_rate ||
          ph->has_write_share)) {
        return sim_load_fail(
            ld, SIM_ERROR_VALUE, eptr,
            "a phase must change memory, active, page_cache, touch_rate or write_share");
    }
    return sim_load_get_duration(ld, &s, "at", &ph->at) &&
           sim_load_get_size(ld, &s, "memory", &ph->memory, &p->memory) &&
           sim_load_get_size(ld, &s, "active", &ph->active, &p->active) &&
           sim_load_get_size(ld, &s, "page_cache", &ph->page_cache, NULL) &&
           sim_load_get_rate(ld, &s, "touch_rate", &ph->touch_rate) &&
           sim_load_get_number(ld, &s, "write_share", &ph->write_share);
}

/* The workload's memory and hot set must fit the VM at all times. */
static bool check_fit(Loader *ld, const SimVmConfig *vm, uint64_t memory, uint64_t active,
                      const char *mem_at, const char *active_at)
{
    uint64_t room = vm->memory - vm->guest.kernel;
    if (memory > room) {
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, mem_at,
            "workload memory (%s) does not fit in the VM's memory minus the guest kernel "
            "(%s - %s = %s)",
            sim_load_fmt_bytes(ld, memory), sim_load_fmt_bytes(ld, vm->memory),
            sim_load_fmt_bytes(ld, vm->guest.kernel), sim_load_fmt_bytes(ld, room));
    }
    if (active > memory) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, active_at != NULL ? active_at : mem_at,
                             "active (%s) exceeds the workload memory (%s)",
                             sim_load_fmt_bytes(ld, active), sim_load_fmt_bytes(ld, memory));
    }
    return true;
}

/* Phases sorted by time (stable); each checked with the values in force after it. */
static bool load_phases(Loader *ld, const Scope *wl, SimVmConfig *vm, const char *mem_at,
                        const char *active_at)
{
    const char *ptr = NULL;
    json_t *list = sim_load_scope_get(ld, wl, "phases", &ptr);
    g_autoptr(GArray) tmp = g_array_new(FALSE, TRUE, sizeof(PhaseAt));
    size_t i = 0;
    json_t *el = NULL;
    if (list != NULL && !json_is_array(list)) {
        return sim_load_type_error(ld, ptr, list, "an array of phases");
    }
    json_array_foreach(list, i, el)
    {
        g_array_set_size(tmp, tmp->len + 1);
        if (!load_phase(ld, el, sim_load_ptr_index(ld, ptr, i), sim_load_group(wl->keys, "phases"),
                        &g_array_index(tmp, PhaseAt, i))) {
            return false;
        }
    }
    g_array_sort(tmp, phase_cmp);
    uint64_t memory = vm->workload.memory;
    uint64_t active = vm->workload.active;
    vm->workload.phases = g_array_sized_new(FALSE, FALSE, sizeof(SimPhase), tmp->len);
    for (guint k = 0; k < tmp->len; k++) {
        const PhaseAt *p = &g_array_index(tmp, PhaseAt, k);
        memory = p->phase.has_memory ? p->phase.memory : memory;
        active = p->phase.has_active ? p->phase.active : active;
        const char *m_at = p->phase.has_memory ? p->memory : mem_at != NULL ? mem_at : wl->ptr[0];
        const char *a_at = p->phase.has_active ? p->active : p->memory ? p->memory : active_at;
        if (!check_fit(ld, vm, memory, active, m_at, a_at)) {
            return false;
        }
        g_array_append_val(vm->workload.phases, p->phase);
    }
    return true;
}

/*
 * A trace drives memory and active: giving them too would be ambiguous.
 * Checked on the JSON before the phases are validated, so the message
 * names the conflict rather than a phase that does not fit.
 */
static bool check_trace_alone(Loader *ld, const Scope *wl, const char *mem_at,
                              const char *active_at)
{
    const char *ptr = NULL;
    json_t *trace = sim_load_scope_get(ld, wl, "trace", &ptr);
    if (trace == NULL || json_is_null(trace)) {
        return true;
    }
    if (mem_at != NULL || active_at != NULL) {
        return sim_load_fail(
            ld, SIM_ERROR_VALUE, mem_at != NULL ? mem_at : active_at,
            "workload %s cannot be combined with a trace, which drives memory and active",
            mem_at != NULL ? "memory" : "active");
    }
    json_t *phases = sim_load_scope_get(ld, wl, "phases", &ptr);
    json_t *el = NULL;
    size_t i = 0;
    json_array_foreach(phases, i, el)
    {
        const char *key = json_object_get(el, "memory") != NULL   ? "memory"
                          : json_object_get(el, "active") != NULL ? "active"
                                                                  : NULL;
        if (key != NULL) {
            return sim_load_fail(
                ld, SIM_ERROR_VALUE, sim_load_ptr_key(ld, sim_load_ptr_index(ld, ptr, i), key),
                "a phase cannot change %s when a trace drives the workload (page_cache, "
                "touch_rate and write_share can)",
                key);
        }
    }
    return true;
}

/* The default hot set is a quarter of the workload's memory; then both must fit the VM. */
static bool workload_fits(Loader *ld, SimVmConfig *vm, const char *mem_at, const char *active_at)
{
    SimWorkload *w = &vm->workload;
    if (active_at == NULL) {
        w->active = w->memory / 4;
    }
    return check_fit(ld, vm, w->memory, w->active, mem_at, active_at);
}

/* The popularity curve (docs/model.md "Workload: access skew"): the warm
 * set fits beside the hot set, and the warm and cold shares leave the hot
 * set its touches. */
static bool load_skew(Loader *ld, const Scope *wl, SimWorkload *w)
{
    const char *warm_at = NULL;
    if (!sim_load_get_size(ld, wl, "warm", &w->warm, &warm_at) ||
        !sim_load_get_number(ld, wl, "warm_share", &w->warm_share) ||
        !sim_load_get_number(ld, wl, "cold_share", &w->cold_share)) {
        return false;
    }
    w->has_warm = warm_at != NULL;
    const char *ptr = NULL;
    json_t *trace = sim_load_scope_get(ld, wl, "trace", &ptr);
    bool traced = trace != NULL && !json_is_null(trace); /* memory comes later: clamped at run */
    if (w->has_warm && !traced && w->warm > w->memory - MIN(w->active, w->memory)) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, warm_at,
                             "warm (%s) exceeds the workload memory beyond the hot set (%s - %s)",
                             sim_load_fmt_bytes(ld, w->warm), sim_load_fmt_bytes(ld, w->memory),
                             sim_load_fmt_bytes(ld, w->active));
    }
    if (w->warm_share + w->cold_share <= 1.0 + 1e-9) {
        return true;
    }
    if (sim_load_scope_get(ld, wl, "cold_share", &ptr) == NULL) {
        sim_load_scope_get(ld, wl, "warm_share", &ptr);
    }
    return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                         "warm_share + cold_share add up to %s, more than 1 (the hot set's "
                         "share is what they leave)",
                         sim_load_fmt_num(ld, w->warm_share + w->cold_share));
}

bool sim_load_workload(Loader *ld, const Scope *vm_scope, SimScenario *sc, SimVmConfig *vm)
{
    SimWorkload *w = &vm->workload;
    Scope s;
    const char *mem_at = NULL;
    const char *active_at = NULL;
    if (!sim_load_scope_child(ld, vm_scope, "workload", &s) ||
        !sim_load_get_size(ld, &s, "memory", &w->memory, &mem_at) ||
        !sim_load_get_size(ld, &s, "active", &w->active, &active_at) ||
        !workload_fits(ld, vm, mem_at != NULL ? mem_at : s.ptr[0], active_at) ||
        !sim_load_get_size(ld, &s, "page_cache", &w->page_cache, NULL) ||
        !sim_load_get_rate(ld, &s, "touch_rate", &w->touch_rate) ||
        !sim_load_get_number(ld, &s, "write_share", &w->write_share) ||
        !sim_load_get_byte_rate(ld, &s, "alloc_rate", &w->alloc_rate) || !load_skew(ld, &s, w) ||
        !load_content(ld, &s, &w->content) || !check_trace_alone(ld, &s, mem_at, active_at) ||
        !load_phases(ld, &s, vm, mem_at, active_at)) {
        return false;
    }
    return sim_load_trace(ld, &s, sc, vm);
}
