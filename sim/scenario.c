/*
 * The scenario as data (docs/design.md section 3): what the loader
 * (sim/load/scenario.h) fills and the model reads. Freeing it and the
 * lookups every part needs.
 */
#include "sim/scenario.h"

#include <string.h>

void sim_scenario_free(SimScenario *scenario)
{
    if (scenario == NULL) {
        return;
    }
    g_free(scenario->path);
    g_free(scenario->name);
    g_free(scenario->description);
    g_free(scenario->host.policy);
    g_free(scenario->host.policy_params);
    g_free(scenario->host.name);
    g_array_unref(scenario->vms);
    g_array_unref(scenario->events);
    g_clear_pointer(&scenario->warnings, g_ptr_array_unref);
    g_clear_pointer(&scenario->given, g_hash_table_unref);
    g_free(scenario);
}

bool sim_scenario_gives(const SimScenario *scenario, const char *pointer)
{
    return scenario->given != NULL && g_hash_table_contains(scenario->given, pointer);
}

/* O(VMs): called by the CLI, never per simulated step (the loader hashes names). */
int sim_scenario_find_vm(const SimScenario *scenario, const char *name)
{
    for (guint i = 0; i < scenario->vms->len; i++) {
        if (strcmp(g_array_index(scenario->vms, SimVmConfig, i).name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *sim_guest_os_to_string(SimGuestOs os)
{
    static const char *const names[] = {"linux", "windows"};
    return (unsigned)os < SIM_OS_MAX ? names[os] : "?";
}

const char *sim_state_reading_to_string(SimStateReading reading)
{
    static const char *const names[] = {"band", "below"};
    return (unsigned)reading < SIM_STATE_READING_MAX ? names[reading] : "?";
}

const char *sim_host_model_to_string(SimHostModel model)
{
    switch (model) {
    case SIM_HOST_MODEL_LINUX:
        return "linux";
    case SIM_HOST_MODEL_NO_SWAP:
        return "no-swap";
    case SIM_HOST_MODEL_ESX:
    default:
        return "esx";
    }
}

const char *sim_idle_tax_type_to_string(SimIdleTaxType type)
{
    static const char *const names[] = {"variable", "flat"};
    return (unsigned)type < SIM_IDLE_TAX_MAX ? names[type] : "?";
}

const char *sim_event_action_to_string(SimEventAction action)
{
    static const char *const names[] = {"power_on", "power_off", "set"};
    return (unsigned)action < SIM_EVENT_MAX ? names[action] : "?";
}
