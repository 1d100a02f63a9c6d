/*
 * Timed events: when, which VM, and the settings a "set" event changes,
 * checked against the VM as the events apply in time order.
 */
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/units.h"

void sim_load_event_clear(gpointer data)
{
    g_clear_pointer(&((SimEvent *)data)->pointer, g_free);
}

static gint event_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const SimEvent *)a)->at;
    SimTime tb = ((const SimEvent *)b)->at;
    return (ta > tb) - (ta < tb);
}

/* The VM an event names, as an index into sc->vms. */
static bool event_vm(Loader *ld, const Scope *s, const SimScenario *sc, guint *index)
{
    g_autofree char *name = NULL;
    const char *ptr = NULL;
    if (!sim_load_get_string(ld, s, "vm", &name, &ptr)) {
        return false;
    }
    if (name == NULL) {
        return sim_load_missing(ld, s->ptr[0], "vm");
    }
    /* a hash built once (load_vms): events x VMs string compares took
     * 17 s for 20,000 events on 100,000 VMs */
    guint found = GPOINTER_TO_UINT(g_hash_table_lookup(ld->vm_index, name));
    if (found > 0) {
        *index = found - 1;
        return true;
    }
    g_autofree const char **names = g_new(const char *, sc->vms->len);
    for (guint i = 0; i < sc->vms->len; i++) {
        names[i] = g_array_index(sc->vms, SimVmConfig, i).name;
    }
    return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "unknown VM \"%s\"%s", sim_load_quote(ld, name),
                         sim_load_hint(ld, name, names, sc->vms->len));
}

/* limit, reservation, shares: only with "set", and at least one of them. */
static bool event_settings(Loader *ld, const Scope *s, const SimVmConfig *vm, SimEvent *ev)
{
    static const char *const keys[] = {"limit", "reservation", "shares"};
    const char *ptr = NULL;
    json_t *v = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (ev->action != SIM_EVENT_SET && sim_load_scope_get(ld, s, keys[i], &ptr) != NULL) {
            return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "%s is only allowed with action \"set\"",
                                 keys[i]);
        }
    }
    if (ev->action != SIM_EVENT_SET) {
        return true;
    }
    if ((v = sim_load_scope_get(ld, s, "limit", &ptr)) != NULL) {
        ev->has_limit = true;
        if (!sim_load_parse_limit(ld, sim_load_row_of(s, "limit"), v, ptr, vm->memory,
                                  &ev->limit)) {
            return false;
        }
    }
    if ((v = sim_load_scope_get(ld, s, "reservation", &ptr)) != NULL) {
        ev->has_reservation = true;
        if (!sim_load_parse_size(ld, v, ptr, sim_load_row_of(s, "reservation"), &ev->reservation)) {
            return false;
        }
        if (ev->reservation > vm->memory) {
            return sim_load_fail(
                ld, SIM_ERROR_RANGE, ptr, "reservation (%s) exceeds the VM's memory (%s)",
                sim_load_fmt_bytes(ld, ev->reservation), sim_load_fmt_bytes(ld, vm->memory));
        }
    }
    if ((v = sim_load_scope_get(ld, s, "shares", &ptr)) != NULL) {
        ev->has_shares = true;
        if (!sim_load_parse_shares(ld, sim_load_row_of(s, "shares"), v, ptr, vm->memory,
                                   &ev->shares)) {
            return false;
        }
    }
    if (!(ev->has_limit || ev->has_reservation || ev->has_shares)) {
        return sim_load_fail(ld, SIM_ERROR_VALUE, s->ptr[0],
                             "action \"set\" needs at least one of limit, reservation, shares");
    }
    return true;
}

static bool load_event(Loader *ld, json_t *el, const char *ptr, SimScenario *sc, SimEvent *ev)
{
    const char *p = NULL;
    int action = -1;
    if (!json_is_object(el)) {
        return sim_load_type_error(ld, ptr, el, "an object (an event)");
    }
    Scope s = sim_load_scope_one(el, ptr, sim_load_group(sim_keys_top(), "events"));
    if (sim_load_scope_get(ld, &s, "at", &p) == NULL) {
        return sim_load_missing(ld, ptr, "at");
    }
    if (sim_load_scope_get(ld, &s, "action", &p) == NULL) {
        return sim_load_missing(ld, ptr, "action");
    }
    if (!sim_load_get_duration(ld, &s, "at", &ev->at) ||
        !sim_load_get_enum(ld, &s, "action", &action) || !event_vm(ld, &s, sc, &ev->vm)) {
        return false;
    }
    ev->action = (SimEventAction)action;
    if (ev->at > sc->duration) {
        sim_load_scope_get(ld, &s, "at", &p);
        sim_load_warn_at(ld, p, "event at %s comes after the end of the run (%s) and never happens",
                         sim_load_keep(ld, sim_units_format_duration(ev->at)),
                         sim_load_keep(ld, sim_units_format_duration(sc->duration)));
    }
    return event_settings(ld, &s, &g_array_index(sc->vms, SimVmConfig, ev->vm), ev);
}

/* After sorting: every VM's limit stays >= its reservation as the events apply. */
static bool check_event_limits(Loader *ld, SimScenario *sc)
{
    g_autofree uint64_t *limit = g_new(uint64_t, sc->vms->len);
    g_autofree uint64_t *reservation = g_new(uint64_t, sc->vms->len);
    for (guint i = 0; i < sc->vms->len; i++) {
        limit[i] = g_array_index(sc->vms, SimVmConfig, i).limit;
        reservation[i] = g_array_index(sc->vms, SimVmConfig, i).reservation;
    }
    for (guint i = 0; i < sc->events->len; i++) {
        const SimEvent *ev = &g_array_index(sc->events, SimEvent, i);
        limit[ev->vm] = ev->has_limit ? ev->limit : limit[ev->vm];
        reservation[ev->vm] = ev->has_reservation ? ev->reservation : reservation[ev->vm];
        if (limit[ev->vm] < reservation[ev->vm]) {
            return sim_load_fail(
                ld, SIM_ERROR_RANGE,
                sim_load_ptr_key(ld, ev->pointer, ev->has_limit ? "limit" : "reservation"),
                "after this event the limit (%s) of %s is below its reservation (%s)",
                sim_load_fmt_bytes(ld, limit[ev->vm]),
                g_array_index(sc->vms, SimVmConfig, ev->vm).name,
                sim_load_fmt_bytes(ld, reservation[ev->vm]));
        }
    }
    return true;
}

bool sim_load_events(Loader *ld, json_t *root, SimScenario *sc)
{
    json_t *events = json_object_get(root, "events");
    json_t *el = NULL;
    size_t i = 0;
    if (events != NULL && !json_is_array(events)) {
        return sim_load_type_error(ld, "/events", events, "an array of events");
    }
    json_array_foreach(events, i, el)
    {
        SimEvent ev = {0};
        ev.pointer = g_strdup(sim_load_ptr_index(ld, "/events", i));
        g_array_append_val(sc->events, ev); /* owned by the array from here on */
        if (!load_event(ld, el, ev.pointer, sc, &g_array_index(sc->events, SimEvent, i))) {
            return false;
        }
    }
    g_array_sort(sc->events, event_cmp); /* stable since GLib 2.32 */
    return check_event_limits(ld, sc);
}
