/* host/swapout.c: how many pages the host may swap out of a VM, and share
 * before swap (a victim whose contents are zeroes or already in the frame
 * table is shared, not written: VMware KB 1021095). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* A VM's swap file is sized configured - reservation (vSphere creates the
 * .vswp at power-on with that size): the host can swap no more of it, so a
 * fully reserved VM is never swapped. Victims that share (the default
 * content has zero pages) fill no swap, so the call may handle more. */
static void test_swap_file_holds_configured_minus_reservation(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"10m\", \"host\": {\"memory\": \"8GiB\","
        "  \"compression\": {\"enabled\": false}},"
        " \"vms\": [{\"name\": \"part\", \"memory\": \"1GiB\", \"reservation\": \"768MiB\","
        "   \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "   \"workload\": {\"memory\": \"640MiB\", \"active\": \"64MiB\"}},"
        "  {\"name\": \"full\", \"memory\": \"1GiB\", \"reservation\": \"1GiB\","
        "   \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "   \"workload\": {\"memory\": \"640MiB\", \"active\": \"64MiB\"}}]}");
    test_model_check_every_event(m);
    sim_run_until(m->run, 5 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    uint64_t pages_256m = (256u << 20) / host_page_size(host);
    assert_true(host_swap_out(host, 0, 1000000, 5 * SIM_MIN) >= pages_256m);
    assert_int_equal(host_vm_swapped(host_vm(host, 0)), pages_256m);
    assert_false(host_vm_swap_room(host_vm(host, 0)));
    assert_int_equal(host_swap_out(host, 0, 1, 5 * SIM_MIN), 0);
    assert_int_equal(host_swap_out(host, 1, 1000, 5 * SIM_MIN), 0);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    test_model_free(m);
}

/* One 1 GiB Linux VM on a roomy host, run for a minute: `content` is the
 * workload's content mix, `sharing` the host's sharing object. */
static TestModel *one_vm(const char *sharing, const char *content)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"30m\", \"host\": {\"memory\": \"8GiB\", \"sharing\": %s},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"1GiB\", \"guest\": {\"cache_fill\": \"0MiB/s\"},"
        "   \"workload\": {\"memory\": \"512MiB\", \"active\": \"64MiB\", \"content\": %s}}]}",
        sharing, content);
    TestModel *m = test_model_new(json);
    g_free(json);
    sim_run_until(m->run, SIM_MIN);
    return m;
}

#define ALL_ZERO "{\"zero\": 1, \"image_shared\": 0, \"duplicate\": 0}"
#define ALL_UNIQUE "{\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0}"
#define SMALL_PAGES "{\"large_pages\": false}"

/* What a swap-out call changed: pages by backing, frames, device writes. */
typedef struct Counts {
    uint64_t shared, zip, swapped, frames, table, writes, large;
} Counts;

static Counts counts(TestModel *m)
{
    Host *host = sim_run_host(m->run);
    const HostPages *pages = host_vm(host, 0)->pages;
    return (Counts){
        .shared = host_pages_count_backing(pages, HOST_BACK_SHARED),
        .zip = host_pages_count_backing(pages, HOST_BACK_ZIP),
        .swapped = host_vm_swapped(host_vm(host, 0)),
        .frames = host_frames_used(host),
        .table = host_shared_frames(host),
        .writes = host_swap_writes(host),
        .large = host_pages_count_res_all(pages, HOST_RES_LARGE),
    };
}

static void assert_conserved(TestModel *m)
{
    g_autoptr(GString) why = g_string_new(NULL);
    if (!host_check_conservation(sim_run_host(m->run), why)) {
        fail_msg("conservation broken: %s", why->str);
    }
}

/* Zero-page victims map the VM's zero frame: each frees its own frame, and
 * nothing is compressed, swapped or written to a device. */
static void test_swapout_a_zero_page_victim_is_shared_not_written(void **state)
{
    (void)state;
    TestModel *m = one_vm(SMALL_PAGES, ALL_ZERO);
    Host *host = sim_run_host(m->run);
    Counts before = counts(m);
    assert_true(before.table >= 1); /* the scanner made the zero frame */
    assert_int_equal(host_swap_out(host, 0, 100, sim_run_now(m->run)), 100);
    Counts after = counts(m);
    assert_int_equal(after.shared, before.shared + 100);
    assert_int_equal(after.frames, before.frames - 100);
    assert_int_equal(after.table, before.table);
    assert_int_equal(after.zip, before.zip);
    assert_int_equal(after.swapped, before.swapped);
    assert_int_equal(after.writes, before.writes);
    assert_conserved(m);
    test_model_free(m);
}

/* Unique contents match nothing: the victims are compressed or swapped as
 * before, and none is shared. */
static void test_swapout_a_unique_page_victim_is_compressed_or_swapped(void **state)
{
    (void)state;
    TestModel *m = one_vm(SMALL_PAGES, ALL_UNIQUE);
    Host *host = sim_run_host(m->run);
    Counts before = counts(m);
    assert_int_equal(host_swap_out(host, 0, 100, sim_run_now(m->run)), 100);
    Counts after = counts(m);
    assert_int_equal(after.shared, before.shared);
    assert_int_equal(after.zip + after.swapped, before.zip + before.swapped + 100);
    assert_true(after.zip > before.zip);                    /* half compress (default mix) */
    assert_int_equal(after.writes - before.writes, after.swapped - before.swapped);
    assert_true(after.frames < before.frames);
    assert_conserved(m);
    test_model_free(m);
}

/* With sharing disabled the old behaviour: zero pages are compressed (they
 * compress to 1 KiB) like any other victim. */
static void test_swapout_without_sharing_compresses_zero_pages(void **state)
{
    (void)state;
    TestModel *m = one_vm("{\"enabled\": false, \"large_pages\": false}", ALL_ZERO);
    Host *host = sim_run_host(m->run);
    Counts before = counts(m);
    assert_int_equal(host_swap_out(host, 0, 100, sim_run_now(m->run)), 100);
    Counts after = counts(m);
    assert_int_equal(after.shared, 0);
    assert_int_equal(after.zip, before.zip + 100);
    assert_true(after.frames < before.frames);
    assert_conserved(m);
    test_model_free(m);
}

/* The table decides: with the scanner stopped (no rate) nothing is in it,
 * so duplicated contents are written; once the scanner has hashed the VM
 * for a while, victims whose contents it saw are shared instead. */
static void test_swapout_shares_only_contents_already_in_the_table(void **state)
{
    (void)state;
    const char *dups = "{\"zero\": 0, \"image_shared\": 0, \"duplicate\": 1}";
    TestModel *off = one_vm("{\"large_pages\": false, \"rate_max\": \"0/s\"}", dups);
    Counts before = counts(off);
    assert_int_equal(before.table, 0);
    assert_int_equal(host_swap_out(sim_run_host(off->run), 0, 1000, sim_run_now(off->run)), 1000);
    Counts after = counts(off);
    assert_int_equal(after.shared, 0);
    assert_int_equal(after.zip + after.swapped, before.zip + before.swapped + 1000);
    assert_conserved(off);
    test_model_free(off);

    TestModel *on = one_vm(SMALL_PAGES, dups);
    sim_run_until(on->run, 30 * SIM_MIN);
    before = counts(on);
    assert_int_equal(host_swap_out(sim_run_host(on->run), 0, 1000, sim_run_now(on->run)), 1000);
    after = counts(on);
    print_message("after a 30 min scan: %" G_GUINT64_FORMAT " of 1000 victims shared\n",
                  after.shared - before.shared);
    assert_true(after.shared - before.shared > 100);
    assert_int_equal(after.shared - before.shared + after.zip + after.swapped,
                     1000 + before.zip + before.swapped);
    assert_conserved(on);
    test_model_free(on);
}

/* A victim in an unbroken 2 MiB page: the page is broken and its zero
 * sub-pages share (ESX shares the small pages of a large page it breaks
 * for swapping, KB 1021095); the first gives its frame to the table. */
static void test_swapout_a_broken_large_page_shares_its_zero_sub_pages(void **state)
{
    (void)state;
    TestModel *m = one_vm("{\"large_pages\": true}", ALL_ZERO);
    Host *host = sim_run_host(m->run);
    Counts before = counts(m);
    assert_int_equal(before.table, 0); /* in high the scanner breaks no large page */
    assert_int_equal(host_swap_out(host, 0, 1, sim_run_now(m->run)), 1);
    Counts after = counts(m);
    uint64_t broken = before.large - after.large;
    assert_true(broken > 1 && broken <= 512);
    assert_int_equal(after.shared, before.shared + broken);
    assert_int_equal(after.table, 1);
    assert_int_equal(after.frames, before.frames - (broken - 1));
    assert_int_equal(after.writes, before.writes);
    assert_conserved(m);
    test_model_free(m);
}

/* Work per call is bounded: asked for more victims than the VM has, a VM
 * whose pages all share hands each over once and the call ends when no
 * private page is left. */
static void test_swapout_ends_when_every_victim_shared(void **state)
{
    (void)state;
    TestModel *m = one_vm(SMALL_PAGES, ALL_ZERO);
    Host *host = sim_run_host(m->run);
    const HostPages *pages = host_vm(host, 0)->pages;
    uint64_t private = host_pages_count_backing(pages, HOST_BACK_PRIVATE);
    assert_true(private > 1000);
    assert_int_equal(host_swap_out(host, 0, UINT64_MAX, sim_run_now(m->run)), private);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_PRIVATE), 0);
    assert_int_equal(host_swap_out(host, 0, UINT64_MAX, sim_run_now(m->run)), 0);
    assert_int_equal(host_vm_reclaimed_out(host_vm(host, 0)), 0);
    assert_conserved(m);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_file_holds_configured_minus_reservation),
        cmocka_unit_test(test_swapout_a_zero_page_victim_is_shared_not_written),
        cmocka_unit_test(test_swapout_a_unique_page_victim_is_compressed_or_swapped),
        cmocka_unit_test(test_swapout_without_sharing_compresses_zero_pages),
        cmocka_unit_test(test_swapout_shares_only_contents_already_in_the_table),
        cmocka_unit_test(test_swapout_a_broken_large_page_shares_its_zero_sub_pages),
        cmocka_unit_test(test_swapout_ends_when_every_victim_shared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
