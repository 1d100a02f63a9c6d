/*
 * summary.json from the recorder and the model's totals: see
 * sim/out/summary.h. Built as a jansson tree, dumped once and written whole:
 * the file is small (a few KiB per VM).
 */
#include "sim/out/summary.h"

#include <jansson.h>

#include "sim/out/esxtop.h"
#include "sim/out/outfile.h"
#include "sim/out/settings.h"
#include "sim/out/sla.h"
#include "sim/out/stats.h"
#include "sim/units.h"

static json_t *json_states(const double values[HOST_STATE_MAX])
{
    json_t *o = json_object();
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        json_object_set_new(o, host_state_to_string((HostState)s),
                            sim_outfile_json_real(values[s]));
    }
    return o;
}

/* Every vms.csv column of `sample`, in column order. */
static json_t *json_vm_fields(const SimVmSample *sample)
{
    json_t *o = json_object();
    for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
        json_object_set_new(o, sim_stats_field_name(c),
                            sim_outfile_json_real(sim_stats_field_value(sample, c)));
    }
    return o;
}

static json_t *json_host(const SimScenario *sc, const SimRunTotals *t)
{
    json_t *host = json_object();
    json_object_set_new(host, "memory_mb",
                        sim_outfile_json_real((double)sc->host.memory / (double)SIM_MIB));
    json_object_set_new(host, "min_free_mb", sim_outfile_json_real(t->min_free_mb));
    json_object_set_new(host, "thresholds_mb", json_states(t->thresholds_mb));
    json_object_set_new(host, "time_in_state_s", json_states(t->time_in_state_s));
    json_t *reclaimed = json_object();
    json_object_set_new(reclaimed, "balloon", sim_outfile_json_real(t->reclaimed_balloon_mb));
    json_object_set_new(reclaimed, "shared", sim_outfile_json_real(t->reclaimed_shared_mb));
    json_object_set_new(reclaimed, "compressed", sim_outfile_json_real(t->reclaimed_compressed_mb));
    json_object_set_new(reclaimed, "swapped", sim_outfile_json_real(t->reclaimed_swapped_mb));
    json_object_set_new(host, "reclaimed_mb", reclaimed);
    json_t *config = sim_settings_host(sc);
    /* appended: the policy's settings as a scenario's host.policy gives them */
    json_t *settings = json_object();
    for (guint i = 0; i < t->n_settings; i++) {
        /* a number or a boolean as itself, "10s" or "20%" as text */
        json_t *v = json_loads(t->setting_values[i], JSON_DECODE_ANY, NULL);
        json_object_set_new(settings, t->setting_names[i],
                            v != NULL ? v : json_string(t->setting_values[i]));
    }
    json_object_set_new(config, "policy_settings", settings);
    json_object_set_new(host, "config", config); /* appended: explain reads it */
    return host;
}

static json_t *json_vms(const SimRecorder *r, const SimRunTotals *t)
{
    json_t *vms = json_array();
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        SimVmStats st;
        sim_stats_vm(r, t, vm, &st);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(sim_recorder_vm_name(r, vm)));
        json_object_set_new(o, "final", json_vm_fields(&st.final));
        json_object_set_new(o, "mean", json_vm_fields(&st.mean));
        json_object_set_new(o, "max", json_vm_fields(&st.max));
        /* appended: the VM's settings, which explain reads */
        json_object_set_new(o, "config", sim_settings_vm(sim_recorder_scenario(r), vm));
        json_array_append_new(vms, o);
    }
    return vms;
}

/* perf_index and met are null without an SLA (met vacuously true without
 * VMs); worst_vm is null without VMs. */
static json_t *json_sla(const SimRecorder *r, const SimRunTotals *t)
{
    const SimScenario *sc = sim_recorder_scenario(r);
    SimSlaVerdict res = sim_sla_evaluate(sc, t);
    json_t *sla = json_object();
    json_object_set_new(sla, "perf_index",
                        sc->has_sla ? sim_outfile_json_real(sc->sla_perf_index) : json_null());
    json_object_set_new(sla, "met", sc->has_sla ? json_boolean(res.met) : json_null());
    json_object_set_new(sla, "worst_vm",
                        res.worst_vm >= 0
                            ? json_string(sim_recorder_vm_name(r, (guint)res.worst_vm))
                            : json_null());
    return sla;
}

/* The wall-clock time of the run's t = 0, which esxtop.csv's timestamps count
 * from, as ISO 8601 in UTC: "2024-01-01T00:00:00Z". */
static json_t *json_epoch(void)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(SIM_ESXTOP_EPOCH);
    g_autofree char *text = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
    return json_string(text);
}

/* The whole document; the caller json_decref()s it. */
static json_t *summary_json(const SimRecorder *r, const SimRunTotals *t)
{
    const SimScenario *sc = sim_recorder_scenario(r);
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(sc->name != NULL ? sc->name : ""));
    json_object_set_new(root, "policy", json_string(sim_recorder_policy(r)));
    json_object_set_new(root, "seed", sim_outfile_json_seed(sc->seed));
    json_object_set_new(root, "duration_s", sim_outfile_json_real(sim_time_to_s(sc->duration)));
    json_object_set_new(root, "epoch", json_epoch());
    json_object_set_new(root, "host", json_host(sc, t));
    json_object_set_new(root, "vms", json_vms(r, t));
    json_object_set_new(root, "sla", json_sla(r, t));
    return root;
}

bool sim_summary_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                       const char *shown, GError **error)
{
    g_return_val_if_fail(recorder != NULL && totals != NULL && dir != NULL, false);
    /* The run fills one SimVmTotals per VM: anything else is a caller's bug. */
    g_assert(totals->n_vms == sim_recorder_n_vms(recorder) &&
             (totals->vms != NULL || totals->n_vms == 0));
    /* Fails to encode only out of memory, or on a string that is not UTF-8 (a VM name). */
    json_t *root = summary_json(recorder, totals);
    bool ok = sim_outfile_write_json(dir, shown, "summary.json", root, error);
    json_decref(root);
    return ok;
}
