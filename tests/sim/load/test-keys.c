/*
 * The scenario key tables (sim/load/keys.c): every default parses as its
 * type, the loader takes defaults and ranges from the rows, the enums of
 * the rows are the model's enums in order, and `keys --json` lists each
 * key once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "policy/policy.h"
#include "sim/load/keys.h"
#include "sim/load/scenario.h"
#include "sim/load/trace.h"
#include "sim/units.h"

#define MINIMAL                                                                                    \
    "{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"web\", \"memory\": \"4GiB\"}]}"

/* The row at a dotted path of group names ("host.sharing.salting"; "vms" for a VM's). */
static const SimKey *row(const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);
    const SimKey *members = sim_keys_top();
    const SimKey *k = NULL;
    for (guint i = 0; parts[i] != NULL; i++) {
        k = sim_key_find(members, parts[i]);
        assert_non_null(k);
        members = k->members;
    }
    return k;
}

/* Parses a default with the parser of its type; false when it does not parse. */
static bool default_parses(const SimKey *k, json_t *v)
{
    uint64_t bytes = 0;
    SimTime t = 0;
    double x = 0;
    const char *text = json_is_string(v) ? json_string_value(v) : NULL;
    if (json_is_null(v)) {
        return (k->flags & SIM_KEY_NULLABLE) != 0;
    }
    switch (k->type) {
    case SIM_KEY_SIZE:
        return sim_key_n_words(k) > 0 || sim_units_parse_size(text, &bytes, NULL);
    case SIM_KEY_DURATION:
        return sim_units_parse_duration(text, &t, NULL);
    case SIM_KEY_RATE:
        return sim_units_parse_rate(text, &x, NULL);
    case SIM_KEY_BYTE_RATE:
        return sim_units_parse_byte_rate(text, &x, NULL);
    case SIM_KEY_PERCENT:
        return sim_units_parse_percent(text, &x, NULL) && x >= k->min && x <= k->max;
    case SIM_KEY_NUMBER:
        return json_is_number(v) && json_number_value(v) >= k->min &&
               json_number_value(v) <= k->max;
    case SIM_KEY_INT:
        return json_is_integer(v) || (text != NULL && sim_key_n_words(k) > 0);
    case SIM_KEY_BOOL:
        return json_is_boolean(v);
    case SIM_KEY_ARRAY:
        return json_is_array(v);
    case SIM_KEY_MAP:
        return json_is_object(v);
    default:
        return text != NULL;
    }
}

static guint check_defaults(const SimKey *members)
{
    guint n = 0;
    for (const SimKey *k = members; k->name != NULL; k++) {
        json_t *v = sim_key_default_json(k);
        if (v != NULL) {
            if (!default_parses(k, v)) {
                fail_msg("the default \"%s\" of %s is not a %s", k->def, k->name,
                         sim_key_type_to_string(k->type));
            }
            json_decref(v);
            n++;
        }
        n += k->members != NULL ? check_defaults(k->members) : 0;
    }
    return n;
}

static void test_keys_every_default_parses_as_its_type(void **state)
{
    (void)state;
    assert_true(check_defaults(sim_keys_top()) > 60);
}

static void test_keys_loader_takes_defaults_from_the_rows(void **state)
{
    (void)state;
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load_text("t.json", MINIMAL, strlen(MINIMAL), &error);
    assert_non_null(sc);
    double tax = 0;
    SimTime poll = 0;
    assert_true(sim_units_parse_percent(row("host.idle_tax")->def, &tax, NULL));
    assert_true(sim_units_parse_duration(row("vms.guest.balloon.poll")->def, &poll, NULL));
    const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, 0);
    assert_true(sc->host.idle_tax == tax);
    assert_int_equal(vm->guest.balloon.poll, poll);
    assert_int_equal(vm->guest.balloon.rate_fast,
                     g_ascii_strtoull(row("vms.guest.balloon.rate_fast")->def, NULL, 10));
    assert_int_equal(sc->host.sharing.salting,
                     g_ascii_strtoll(row("host.sharing.salting")->def, NULL, 10));
}

/* A range the loader enforces is the row's: one above its max is refused, naming it. */
static void test_keys_loader_takes_ranges_from_the_rows(void **state)
{
    (void)state;
    const SimKey *pages = row("host.sample_pages");
    g_autofree char *text = g_strdup_printf(
        "{\"host\": {\"memory\": \"16GiB\", \"sample_pages\": %.0f}, \"vms\": [{\"name\": "
        "\"web\", \"memory\": \"4GiB\"}]}",
        pages->max + 1);
    g_autofree char *want = g_strdup_printf("between %.0f and %.0f", pages->min, pages->max);
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_text("t.json", text, strlen(text), &error);
    assert_null(sc);
    assert_non_null(strstr(error->message, want));
    g_error_free(error);
}

static void test_keys_unknown_key_hint_names_a_row(void **state)
{
    (void)state;
    const char *text = "{\"host\": {\"memory\": \"16GiB\", \"sharing\": {\"saltng\": 1}}, "
                       "\"vms\": [{\"name\": \"web\", \"memory\": \"4GiB\"}]}";
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_text("t.json", text, strlen(text), &error);
    assert_null(sc);
    assert_non_null(row("host.sharing.salting"));
    assert_non_null(strstr(error->message, "(did you mean \"salting\"?)"));
    g_error_free(error);
}

/* The loader stores an ENUM row's index as the model's enum: same names, same order. */
static void test_keys_enum_rows_are_the_model_enums_in_order(void **state)
{
    (void)state;
    const SimKey *os = row("vms.guest.os");
    const SimKey *reading = row("host.state_reading");
    const SimKey *action = row("events.action");
    assert_int_equal(sim_key_n_words(os), SIM_OS_MAX);
    assert_int_equal(sim_key_n_words(reading), SIM_STATE_READING_MAX);
    assert_int_equal(sim_key_n_words(action), SIM_EVENT_MAX);
    assert_int_equal(sim_key_n_words(row("vms.workload.trace.format")), SIM_TRACE_FORMAT_MAX);
    for (guint i = 0; i < SIM_OS_MAX; i++) {
        assert_string_equal(os->words[i], sim_guest_os_to_string((SimGuestOs)i));
    }
    for (guint i = 0; i < SIM_STATE_READING_MAX; i++) {
        assert_string_equal(reading->words[i], sim_state_reading_to_string((SimStateReading)i));
    }
    for (guint i = 0; i < SIM_EVENT_MAX; i++) {
        assert_string_equal(action->words[i], sim_event_action_to_string((SimEventAction)i));
    }
}

/* The trace readers' own default window (sim/load/trace.h) is the row's. */
static void test_keys_trace_window_default_is_the_readers(void **state)
{
    (void)state;
    SimTime t = 0;
    assert_true(sim_units_parse_duration(row("vms.workload.trace.memory_window")->def, &t, NULL));
    assert_int_equal(t, SIM_TRACE_DEFAULT_MEMORY_WINDOW);
}

static void test_keys_range_text_of_each_kind(void **state)
{
    (void)state;
    const char *const cases[][2] = {
        {"host.idle_tax", "0%..99%"},       {"host.sharing.salting", "0..2"},
        {"vms.limit", "unlimited, or > 0"}, {"vms.power_on", ">= 0, or null"},
        {"sample_interval", "1ms..36500d"}, {"sla.perf_index", "(0, 1]"},
        {"vms.guest.os", "linux|windows"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *range = sim_key_range(row(cases[i][0]));
        assert_string_equal(range, cases[i][1]);
    }
}

static guint count_rows(const SimKey *members)
{
    guint n = 0;
    for (const SimKey *k = members; k->name != NULL; k++) {
        n += 1 + (k->members != NULL ? count_rows(k->members) : 0);
    }
    return n;
}

static void test_keys_json_lists_every_key_once(void **state)
{
    (void)state;
    g_autofree char *text = sim_keys_describe(true);
    json_t *list = json_loads(text, 0, NULL);
    assert_true(json_is_array(list));
    guint settings = 0;
    for (const PolicyClass *const *cls = policy_builtins(); *cls != NULL; cls++) {
        settings += (*cls)->n_params;
    }
    assert_int_equal(json_array_size(list), count_rows(sim_keys_top()) + settings);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t i = 0;
    json_t *k = NULL;
    json_array_foreach(list, i, k)
    {
        /* two policies may have settings of the same name: a setting's row says whose */
        const char *policy = json_string_value(json_object_get(k, "policy"));
        assert_true(g_hash_table_add(
            seen, g_strconcat(json_string_value(json_object_get(k, "path")),
                              policy != NULL ? " of " : "", policy != NULL ? policy : "", NULL)));
    }
    assert_true(g_hash_table_contains(seen, "vms[].guest.balloon.rate_slow_min"));
    assert_true(g_hash_table_contains(seen, "templates.*.guest.balloon.rate_slow_min"));
    assert_false(g_hash_table_contains(seen, "templates.*.name"));
    json_decref(list);
}

/* Whether JSON pointer `ptr` matches `pattern`, whose "#" parts match an
 * array index and "*" parts any member name. */
static bool pointer_matches(const char *pattern, const char *ptr)
{
    g_auto(GStrv) want = g_strsplit(pattern, "/", -1);
    g_auto(GStrv) got = g_strsplit(ptr, "/", -1);
    if (g_strv_length(want) != g_strv_length(got)) {
        return false;
    }
    for (guint i = 0; want[i] != NULL; i++) {
        bool index = got[i][0] != '\0' && strspn(got[i], "0123456789") == strlen(got[i]);
        if (!(strcmp(want[i], "*") == 0 || (strcmp(want[i], "#") == 0 && index) ||
              strcmp(want[i], got[i]) == 0)) {
            return false;
        }
    }
    return true;
}

/* Marks in `read` every leaf row that some pointer in `given` matches under
 * `pattern`; adds every leaf row to `leaves`. */
static void match_rows(const SimKey *members, const char *pattern, GHashTable *given,
                       GHashTable *leaves, GHashTable *read)
{
    for (const SimKey *k = members; k->name != NULL; k++) {
        g_autofree char *path = g_strconcat(pattern, "/", k->name, NULL);
        if (k->members != NULL) {
            const char *step = k->type == SIM_KEY_ARRAY ? "/#" : k->type == SIM_KEY_MAP ? "/*" : "";
            g_autofree char *inner = g_strconcat(path, step, NULL);
            match_rows(k->members, inner, given, leaves, read);
            if (k->type != SIM_KEY_OBJECT || (k->flags & (SIM_KEY_OR_NAME | SIM_KEY_POLICY)) == 0) {
                continue;
            }
        }
        if (k->name[0] == '$') {
            continue; /* "$schema" is for editors: the loader never reads it */
        }
        g_hash_table_add(leaves, (gpointer)k);
        GHashTableIter it;
        gpointer ptr = NULL;
        g_hash_table_iter_init(&it, given);
        while (g_hash_table_iter_next(&it, &ptr, NULL)) {
            if (pointer_matches(path, ptr)) {
                g_hash_table_add(read, (gpointer)k);
            }
        }
    }
}

/* Keys of `keys --json` that take a value (not objects or lists), outside templates. */
static guint listed_value_keys(void)
{
    g_autofree char *text = sim_keys_describe(true);
    json_t *list = json_loads(text, 0, NULL);
    guint n = 0;
    size_t i = 0;
    json_t *k = NULL;
    json_array_foreach(list, i, k)
    {
        const char *path = json_string_value(json_object_get(k, "path"));
        const char *type = json_string_value(json_object_get(k, "type"));
        bool container =
            strcmp(type, "object") == 0 || strcmp(type, "array") == 0 || strcmp(type, "map") == 0;
        /* a built-in policy's settings are the class's, not rows of the tables */
        bool setting = json_object_get(k, "policy") != NULL;
        n += !container && !setting && path[0] != '$' && !g_str_has_prefix(path, "templates") ? 1
                                                                                              : 0;
    }
    json_decref(list);
    return n;
}

/* Every row is a key the loader reads: a scenario that gives every key
 * (tests/scenarios/schema-good/every-key.json, and a trace with every trace
 * key) has each leaf row's pointer among the values the loader read
 * (SimScenario.given). A row the loader did not read would be a key the
 * tables accept and the run silently ignores. */
static void test_keys_the_loader_reads_every_row(void **state)
{
    (void)state;
    static const char trace_json[] =
        "{\"host\": {\"memory\": \"16GiB\"}, \"vms\": [{\"name\": \"a\", \"memory\": \"4GiB\","
        " \"workload\": {\"trace\": {\"file\": \"%s\", \"format\": \"bitbrains\", \"vm\": \"x\","
        " \"start\": \"1h\", \"repeat\": true, \"scale\": 0.5, \"memory_window\": \"2h\"}}}]}";
    g_autofree char *trace =
        g_strconcat(RECLAIMSIM_SOURCE_DIR, "/scenarios/data/bitbrains/rnd-2013-7/1.csv.gz", NULL);
    g_autofree char *text = g_strdup_printf(trace_json, trace);
    GError *error = NULL;
    g_autoptr(SimScenario) all =
        sim_scenario_load(RECLAIMSIM_TESTS_DIR "/scenarios/schema-good/every-key.json", &error);
    g_assert_no_error(error);
    g_autoptr(SimScenario) traced =
        sim_scenario_load_text("trace.json", text, strlen(text), &error);
    g_assert_no_error(error);
    g_autoptr(GHashTable) leaves = g_hash_table_new(NULL, NULL);
    g_autoptr(GHashTable) read = g_hash_table_new(NULL, NULL);
    match_rows(sim_keys_top(), "", all->given, leaves, read);
    match_rows(sim_keys_top(), "", traced->given, leaves, read);
    GHashTableIter it;
    gpointer k = NULL;
    g_hash_table_iter_init(&it, leaves);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        if (!g_hash_table_contains(read, k)) {
            fail_msg("key \"%s\" is in the tables but the loader never read it",
                     ((const SimKey *)k)->name);
        }
    }
    /* the leaves are the value keys `keys --json` lists outside templates
     * (templates use the VM rows), and workload.trace and host.policy,
     * objects that may be given as a name */
    assert_int_equal(g_hash_table_size(leaves), listed_value_keys() + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_every_default_parses_as_its_type),
        cmocka_unit_test(test_keys_loader_takes_defaults_from_the_rows),
        cmocka_unit_test(test_keys_loader_takes_ranges_from_the_rows),
        cmocka_unit_test(test_keys_unknown_key_hint_names_a_row),
        cmocka_unit_test(test_keys_enum_rows_are_the_model_enums_in_order),
        cmocka_unit_test(test_keys_trace_window_default_is_the_readers),
        cmocka_unit_test(test_keys_range_text_of_each_kind),
        cmocka_unit_test(test_keys_json_lists_every_key_once),
        cmocka_unit_test(test_keys_the_loader_reads_every_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
