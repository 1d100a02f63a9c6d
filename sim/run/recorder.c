/*
 * The recorder: the run's samples in GArrays, host rows and VM rows, for the
 * writers of sim/out/ to turn into files once the run is over. It records
 * only: no formats, no files.
 */
#include "sim/run/recorder.h"

struct SimRecorder {
    const SimScenario *scenario; /* borrowed; VM names and SLA come from it */
    char *policy;                /* policy name for summary.json, owned */
    guint n_vms;                 /* VMs per sample, scenario->vms->len */
    GArray *host;                /* SimHostSample, one per sample */
    GArray *vms;                 /* SimVmSample, n_vms per sample, scenario order */
};

SimRecorder *sim_recorder_new(const SimScenario *scenario, const char *policy_name)
{
    g_return_val_if_fail(scenario != NULL, NULL);
    SimRecorder *r = g_new0(SimRecorder, 1);
    r->scenario = scenario;
    r->policy = g_strdup(policy_name != NULL ? policy_name : "");
    r->n_vms = scenario->vms != NULL ? scenario->vms->len : 0;
    r->host = g_array_new(FALSE, FALSE, sizeof(SimHostSample));
    r->vms = g_array_new(FALSE, FALSE, sizeof(SimVmSample));
    return r;
}

void sim_recorder_free(SimRecorder *recorder)
{
    if (recorder == NULL) {
        return;
    }
    g_array_unref(recorder->host);
    g_array_unref(recorder->vms);
    g_free(recorder->policy);
    g_free(recorder);
}

void sim_recorder_add(SimRecorder *recorder, const SimHostSample *host, const SimVmSample *vms)
{
    g_return_if_fail(recorder != NULL && host != NULL);
    g_return_if_fail(vms != NULL || recorder->n_vms == 0);
    g_array_append_vals(recorder->host, host, 1);
    if (recorder->n_vms > 0) {
        g_array_append_vals(recorder->vms, vms, recorder->n_vms);
    }
}

guint sim_recorder_n_samples(const SimRecorder *recorder)
{
    g_return_val_if_fail(recorder != NULL, 0);
    return recorder->host->len;
}

const SimHostSample *sim_recorder_host_sample(const SimRecorder *recorder, guint i)
{
    g_return_val_if_fail(recorder != NULL && i < recorder->host->len, NULL);
    return &g_array_index(recorder->host, SimHostSample, i);
}

const SimVmSample *sim_recorder_vm_sample(const SimRecorder *recorder, guint i, guint vm)
{
    g_return_val_if_fail(recorder != NULL && i < recorder->host->len && vm < recorder->n_vms, NULL);
    return &g_array_index(recorder->vms, SimVmSample, (gsize)i * recorder->n_vms + vm);
}

const SimScenario *sim_recorder_scenario(const SimRecorder *recorder)
{
    return recorder->scenario;
}

const char *sim_recorder_policy(const SimRecorder *recorder)
{
    return recorder->policy;
}

guint sim_recorder_n_vms(const SimRecorder *recorder)
{
    return recorder->n_vms;
}

const char *sim_recorder_vm_name(const SimRecorder *recorder, guint vm)
{
    g_return_val_if_fail(recorder != NULL && vm < recorder->n_vms, NULL);
    return g_array_index(recorder->scenario->vms, SimVmConfig, vm).name;
}
