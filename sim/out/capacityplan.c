/*
 * What `reclaimsim capacity` searches: see sim/out/capacityplan.h.
 */
#include "sim/out/capacityplan.h"

#include <jansson.h>
#include <string.h>

#include "sim/units.h"

void sim_capacity_plan_clear(SimCapacityPlan *plan)
{
    g_free(plan->key);
    g_free(plan->vm);
    g_strfreev(plan->sets);
    sim_grid_free(plan->lanes);
    memset(plan, 0, sizeof *plan);
}

guint sim_capacity_n_lanes(const SimCapacityPlan *plan)
{
    return (guint)sim_grid_n_points(plan->lanes);
}

char *sim_capacity_value_text(const SimCapacityPlan *plan, gint64 value)
{
    if (plan->memory) {
        return sim_units_format_bytes((guint64)value * plan->step);
    }
    return g_strdup_printf("%" G_GINT64_FORMAT, value);
}

char *sim_capacity_describe(const SimCapacityPlan *plan)
{
    g_autofree char *lanes = sim_grid_describe(plan->lanes);
    json_t *root = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:o}", "key", plan->key,
                             "goal", plan->goal == SIM_CAP_LARGEST ? "largest" : "smallest",
                             "step", (json_int_t)plan->step, "lo", (json_int_t)plan->lo, "start",
                             (json_int_t)plan->start, "hi", (json_int_t)plan->hi, "width",
                             (json_int_t)plan->width, "sla", plan->sla, "lanes",
                             json_loads(lanes, 0, NULL));
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    return text;
}
