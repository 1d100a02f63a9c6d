/* The run's settings for summary.json: see sim/out/settings.h. */
#include "sim/out/settings.h"

#include <math.h>

#include "sim/units.h"

/* MiB of `bytes`, rounded to 4 decimals like every real of summary.json. */
static json_t *json_mb(uint64_t bytes)
{
    return json_real(round((double)bytes / (double)SIM_MIB * 1e4) / 1e4);
}

static json_t *json_pct(double fraction)
{
    return json_real(round(fraction * 100 * 1e4) / 1e4);
}

json_t *sim_settings_host(const SimScenario *scenario)
{
    const SimHostConfig *hc = &scenario->host;
    json_t *o = json_object();
    json_object_set_new(o, "idle_tax_pct", json_pct(hc->idle_tax));
    json_object_set_new(o, "idle_tax_type", json_string(sim_idle_tax_type_to_string(hc->idle_tax_type)));
    json_object_set_new(o, "sharing", json_boolean(hc->sharing.enabled));
    json_object_set_new(o, "compression", json_boolean(hc->compression.enabled));
    json_object_set_new(o, "ctl_max_pct", json_pct(hc->ctl_max_pct));
    json_object_set_new(o, "overhead_mb", json_mb(hc->overhead));
    /* appended: which host the policy ran on (explain reads it) */
    json_object_set_new(o, "host_model", json_string(sim_host_model_to_string(hc->host_model)));
    return o;
}

static json_t *json_limit(uint64_t limit)
{
    return limit == SIM_SIZE_UNLIMITED ? json_null() : json_mb(limit);
}

/* The events of VM `vm` that change its settings or power, in time order. */
static json_t *json_events(const SimScenario *scenario, guint vm)
{
    json_t *a = json_array();
    for (guint i = 0; scenario->events != NULL && i < scenario->events->len; i++) {
        const SimEvent *e = &g_array_index(scenario->events, SimEvent, i);
        if (e->vm != vm) {
            continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "at_s", json_real(sim_time_to_s(e->at)));
        json_object_set_new(o, "action", json_string(sim_event_action_to_string(e->action)));
        if (e->has_limit) {
            json_object_set_new(o, "limit_mb", json_limit(e->limit));
        }
        if (e->has_reservation) {
            json_object_set_new(o, "reservation_mb", json_mb(e->reservation));
        }
        if (e->has_shares) {
            json_object_set_new(o, "shares", json_integer((json_int_t)MIN(e->shares, (uint64_t)G_MAXINT64)));
        }
        json_array_append_new(a, o);
    }
    return a;
}

json_t *sim_settings_vm(const SimScenario *scenario, guint vm)
{
    const SimVmConfig *cfg = &g_array_index(scenario->vms, SimVmConfig, vm);
    json_t *o = json_object();
    json_object_set_new(o, "memory_mb", json_mb(cfg->memory));
    json_object_set_new(o, "reservation_mb", json_mb(cfg->reservation));
    json_object_set_new(o, "limit_mb", json_limit(cfg->limit));
    json_object_set_new(o, "shares", json_integer((json_int_t)MIN(cfg->shares, (uint64_t)G_MAXINT64)));
    json_object_set_new(o, "max_balloon_pct", json_pct(cfg->max_balloon));
    json_object_set_new(o, "balloon_driver", json_boolean(cfg->guest.balloon_driver));
    json_object_set_new(o, "power_on_s", cfg->power_on == SIM_TIME_NEVER
                                             ? json_null()
                                             : json_real(sim_time_to_s(cfg->power_on)));
    json_object_set_new(o, "os", json_string(sim_guest_os_to_string(cfg->guest.os)));
    json_object_set_new(o, "events", json_events(scenario, vm));
    return o;
}
