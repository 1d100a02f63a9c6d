/*
 * The run every writer test of sim/out/ writes, as a cmocka fixture: a
 * hand-built two-VM scenario, a recorder with three samples, the model's
 * totals for it and a fresh temporary directory per test. Header only: the
 * build makes one program of each tests/<part>/test-<file>.c.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>

#include "sim/run/recorder.h"
#include "support/testutil.h"

typedef struct Fixture {
    SimScenario *scenario;      /* "tiny": seed 7, 60 s, 4 GiB host, VMs vm-1, vm-2 */
    SimRecorder *recorder;      /* recorder_with_samples() of `scenario` */
    const SimRunTotals *totals; /* the model's totals for its VMs */
    char *tmp;                  /* an empty directory, removed by the teardown */
} Fixture;

/* A hand-built scenario: the writers read only names, host memory, seed,
 * duration and SLA. */
static inline SimScenario *fixture_scenario_new(guint n_vms)
{
    SimScenario *sc = g_new0(SimScenario, 1);
    sc->name = g_strdup("tiny");
    sc->seed = 7;
    sc->duration = 60 * SIM_S;
    sc->host.memory = UINT64_C(4) << 30;
    sc->vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    for (guint i = 0; i < n_vms; i++) {
        SimVmConfig vm = {.name = g_strdup_printf("vm-%u", i + 1)};
        g_array_append_val(sc->vms, vm);
    }
    return sc;
}

/* Frees only what fixture_scenario_new allocated (sim_scenario_free is the loader's). */
static inline void fixture_scenario_free(SimScenario *sc)
{
    for (guint i = 0; i < sc->vms->len; i++) {
        g_free(g_array_index(sc->vms, SimVmConfig, i).name);
    }
    g_array_unref(sc->vms);
    g_free(sc->name);
    g_free(sc);
}

/*
 * The model's figures over the run for the VMs of fixture_recorder_new:
 * vm-1 stalled 4.8 of its 40 s (12%, perf index 0.88), vm-2 0.4 s (0.99).
 * None of vm-1's means is the rows' plain mean (balloon 128, stall 10%,
 * perf index 0.9): the summary, the table and the SLA must take the
 * model's. Without VMs only the host's totals.
 */
static inline const SimRunTotals *fixture_totals(guint n_vms)
{
    static const SimVmTotals vms[2] = {
        {.on_s = 40,
         .stalled_s = 4.8,
         .mean = {.mctlsz_mb = 129.5, .stall_pct = 12, .perf_index = 0.88}},
        {.on_s = 40, .stalled_s = 0.4, .mean = {.stall_pct = 1, .perf_index = 0.99}},
    };
#define FIXTURE_HOST_TOTALS                                                                        \
    .min_free_mb = 163.84, .thresholds_mb = {655.36, 163.84, 104.8576, 52.4288, 26.2144},          \
    .time_in_state_s = {30, 20, 10, 0, 0}, .reclaimed_balloon_mb = 512,                            \
    .reclaimed_shared_mb = 100.123456, .reclaimed_compressed_mb = 0, .reclaimed_swapped_mb = 64
    static const SimRunTotals two = {FIXTURE_HOST_TOTALS, .n_vms = 2, .vms = vms};
    static const SimRunTotals none = {FIXTURE_HOST_TOTALS, .n_vms = 0, .vms = NULL};
#undef FIXTURE_HOST_TOTALS
    return n_vms > 0 ? &two : &none;
}

/*
 * Three samples at 0, 20 and 40.5 s. vm-1's perf index falls 1.0, 0.9, 0.8
 * and its stall rises 0, 10, 20%; vm-2's perf index is 1.0, 1.0, 0.97.
 * vm-1's balloon grows 0, 256, 128 (max 256, final 128). The host's free
 * memory at t = 0 is -0.001, a rounding residue that must print as 0.
 */
static inline SimRecorder *fixture_recorder_new(const SimScenario *sc)
{
    SimRecorder *r = sim_recorder_new(sc, "esxi");
    const double times[] = {0.0, 20.0, 40.5};
    const double perf1[] = {1.0, 0.9, 0.8}, perf2[] = {1.0, 1.0, 0.97};
    const double mctl1[] = {0.0, 256.0, 128.0};
    for (guint i = 0; i < 3; i++) {
        SimHostSample host = {.time_s = times[i],
                              .state = (HostState)i,
                              .free_mb = i == 0 ? -0.001 : 1024.0 - 100.0 * i,
                              .min_free_mb = 163.84};
        SimVmSample vms[2] = {{.memsz_mb = 2048,
                               .mctlsz_mb = mctl1[i],
                               .shrdsvd_mb = 4.0 * i,
                               .zip_mb = 2.0 * i,
                               .perf_index = perf1[i],
                               .stall_pct = 10.0 * i},
                              {.memsz_mb = 1024, .swcur_mb = 8.0 * i, .perf_index = perf2[i]}};
        sim_recorder_add(r, &host, sc->vms->len > 0 ? vms : NULL);
    }
    return r;
}

static inline int fixture_setup_vms(void **state, guint n_vms)
{
    Fixture *f = g_new0(Fixture, 1);
    f->scenario = fixture_scenario_new(n_vms);
    f->recorder = fixture_recorder_new(f->scenario);
    f->totals = fixture_totals(n_vms);
    f->tmp = test_tmpdir();
    *state = f;
    return 0;
}

/* The two-VM run. */
static inline int fixture_setup(void **state)
{
    return fixture_setup_vms(state, 2);
}

/* The same host samples without VMs. */
static inline int fixture_setup_no_vms(void **state)
{
    return fixture_setup_vms(state, 0);
}

static inline int fixture_teardown(void **state)
{
    Fixture *f = *state;
    test_rmtree(f->tmp);
    g_free(f->tmp);
    sim_recorder_free(f->recorder);
    fixture_scenario_free(f->scenario);
    g_free(f);
    return 0;
}

/* The whole of DIR/NAME; fails the test when it cannot be read. */
static inline char *fixture_read(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    GError *error = NULL;
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    return text;
}

/* A test with the two-VM fixture; one without VMs. */
#define FIXTURE_TEST(test) cmocka_unit_test_setup_teardown(test, fixture_setup, fixture_teardown)
#define FIXTURE_TEST_NO_VMS(test)                                                                  \
    cmocka_unit_test_setup_teardown(test, fixture_setup_no_vms, fixture_teardown)
