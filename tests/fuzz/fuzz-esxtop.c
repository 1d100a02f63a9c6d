/*
 * Fuzz target: the esxtop batch-capture reader (sim_esxtop_read) and its
 * queries, on the input as a file (through a memfd). Every Group Memory
 * instance is looked up by its full name and by the NAME after its GID,
 * and every kept counter read at every sample, as the esxtop trace reader
 * does.
 *
 * Checked: sample times do not decrease after spreading (sim/load/esxtop.h), an
 * instance found is one of the groups, and a failure is one line mapped to
 * exit code 2.
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "sim/load/esxtop.h"

/* The counters the trace reader asks for (sim/load/trace.c). */
static const char *const counters[] = {
    "Memory Size MBytes",
    "% Active Estimate",
    "Memory Granted Size MBytes",
    "Touched MBytes",
};

static void read_group(const SimEsxtop *x, const char *instance)
{
    const char *colon = strchr(instance, ':');
    const char *found = sim_esxtop_find_group(x, colon != NULL ? colon + 1 : instance);
    if (found == NULL || sim_esxtop_find_group(x, instance) == NULL) {
        fuzz_fail("a listed group is not found by both its names"); /* both names of a listed group
                                                                       must find one */
    }
    for (guint c = 0; c < G_N_ELEMENTS(counters); c++) {
        int col = sim_esxtop_find(x, "Group Memory", found, counters[c]);
        for (guint i = 0; col >= 0 && i < sim_esxtop_n_samples(x); i++) {
            (void)sim_esxtop_value(x, i, col);
        }
    }
}

static void check_times(const SimEsxtop *x)
{
    for (guint i = 1; i < sim_esxtop_n_samples(x); i++) {
        if (!(sim_esxtop_time(x, i) >= sim_esxtop_time(x, i - 1))) {
            fuzz_fail("sample times decrease after spreading");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint spread = 0;
    g_autoptr(GError) e = NULL;
    g_autoptr(SimEsxtop) x = sim_esxtop_read(fuzz_memfd(data, size), &spread, &e);
    if (x == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    if (sim_esxtop_host(x) == NULL || spread > sim_esxtop_n_samples(x)) {
        fuzz_fail("no host name, or more rows spread than samples");
    }
    check_times(x);
    const GPtrArray *groups = sim_esxtop_groups(x);
    for (guint g = 0; g < groups->len; g++) {
        read_group(x, g_ptr_array_index(groups, g));
    }
    int free_col = sim_esxtop_find(x, "Memory", NULL, "Free MBytes");
    for (guint i = 0; free_col >= 0 && i < sim_esxtop_n_samples(x); i++) {
        (void)sim_esxtop_value(x, i, free_col);
    }
    return 0;
}
