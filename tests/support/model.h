/* Helpers for model tests: a run from scenario text, with conservation
 * checked after every event. */
#pragma once

#include "sim/load/scenario.h"
#include "host/pages.h"
#include "sim/run/run.h"

typedef struct TestModel {
    SimScenario *scenario;
    SimRun *run;
    guint64 checks;       /* conservation checks made */
    GString *violation;   /* first violation, or empty */
} TestModel;

/* Loads `json` (fails the test on error) and builds the run. */
TestModel *test_model_new(const char *json);
/* The scenario in `text` (fails the test with the loader's message). */
SimScenario *test_scenario_load_ok(const char *text);
/* Same, from a printf format: scenario text with the test's values in it. */
TestModel *test_model_newf(const char *format, ...) G_GNUC_PRINTF(1, 2);
/* Same, from a file under the source tree. */
TestModel *test_model_from_file(const char *relative);
/* Same, with one "--set KEY=VALUE" override (NULL for none). */
TestModel *test_model_from_file_with(const char *relative, const char *set);
/* Same, with several overrides: a NULL-terminated array (NULL for none). */
TestModel *test_model_from_file_with_sets(const char *relative, const char *const *sets);
/* Checks conservation after every event from now on. */
void test_model_check_every_event(TestModel *m);
void test_model_free(TestModel *m);

/* Last recorded value of a vms.csv field for VM i, by offset in SimVmSample. */
const SimVmSample *test_model_last_vm(const TestModel *m, guint vm);
/* VM i's performance index over the run so far (summary.json's mean). */
double test_model_mean_perf(const TestModel *m, guint vm);
/* The mean over the VMs of test_model_mean_perf. */
double test_model_fleet_mean_perf(const TestModel *m);
/* Runs to the end; fails the test with the error if the run fails. */
void test_model_execute(TestModel *m);
/* Fails the test unless every list of a and b holds the same pages in the
 * same order and their counters agree. */
void test_assert_same_lists(const HostPages *a, const HostPages *b);
