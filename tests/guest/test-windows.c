/* guest/windows.c: a Windows guest against a Linux guest under the same
 * squeeze (docs/model.md "Windows guest"): its freed pages are zero pages
 * the host shares, trimmed pages come back by soft fault, its balloon takes
 * zeroed pages, then standby, then makes the memory manager trim, and its
 * PFN database is sized by configured memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest-private.h"
#include "sim/units.h"
#include "support/model.h"

/* A 2 GiB VM whose workload of unique contents (no zero, image or
 * duplicate pages) shrinks from 1 GiB to 256 MiB at 5 min; the Linux guest
 * does not fill free memory with cache, so both keep what they freed on the
 * free list. Small pages and a 5 min scan, so the scanner sees every page
 * a few times. */
static TestModel *shrinking_vm(const char *os)
{
    return test_model_newf(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
        "  \"sharing\": {\"large_pages\": false, \"scan_time\": \"5m\"}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"guest\": {\"os\": \"%s\", \"kernel\": \"128MiB\", \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\","
        "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0},"
        "   \"phases\": [{\"at\": \"5m\", \"memory\": \"256MiB\"}]}}]}",
        os);
}

/* Backed free pages, those whose contents are the zero page, and of them
 * those the host shares. */
static void free_zero_pages(HostPages *pages, uint32_t *backed, uint32_t *zero, uint32_t *shared)
{
    *backed = *zero = *shared = 0;
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_use(pages, p) != HOST_USE_FREE ||
            host_pages_backing(pages, p) == HOST_BACK_NONE) {
            continue;
        }
        (*backed)++;
        if (host_pages_key(pages, p) == 0) {
            (*zero)++;
            *shared += host_pages_backing(pages, p) == HOST_BACK_SHARED ? 1 : 0;
        }
    }
}

/* After the workload frees 768 MiB, a Windows guest's free list holds zero
 * pages (its zero-page thread wrote them) and the host shares them; a Linux
 * guest's free pages keep their stale contents, which share with nothing. */
static void test_freed_pages_of_windows_are_zero_pages_the_host_shares(void **state)
{
    (void)state;
    uint32_t zero[2], shared[2], free_pages[2];
    const char *os[2] = {"windows", "linux"};
    for (int i = 0; i < 2; i++) {
        TestModel *m = shrinking_vm(os[i]);
        test_model_check_every_event(m);
        sim_run_until(m->run, 30 * SIM_MIN);
        assert_string_equal(m->violation->str, "");
        HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
        free_zero_pages(pages, &free_pages[i], &zero[i], &shared[i]);
        test_model_free(m);
    }
    print_message("backed free pages: windows %u (%u zero, %u shared), linux %u (%u zero, %u "
                  "shared)\n",
                  free_pages[0], zero[0], shared[0], free_pages[1], zero[1], shared[1]);
    assert_true(free_pages[0] > 768 * 256 && free_pages[1] >= 768 * 256);
    assert_int_equal(zero[0], free_pages[0]);
    assert_true(shared[0] > 0.95 * free_pages[0]);
    assert_true(shared[1] < 0.01 * free_pages[1]);
}

/* A 2 GiB VM with a 1 GiB workload whose cold tail gets half the touches,
 * settled for 30 s. */
static TestModel *touchy_vm(const char *os)
{
    TestModel *m = test_model_newf(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"guest\": {\"os\": \"%s\", \"kernel\": \"128MiB\", \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"128MiB\", \"warm\": \"128MiB\","
        "   \"warm_share\": 0.1, \"cold_share\": 0.5, \"touch_rate\": \"100000/s\"}}]}",
        os);
    sim_run_until(m->run, 30 * SIM_S);
    return m;
}

/* Stall share of the VM's next second. */
static double stall_of_next_second(TestModel *m)
{
    Guest *g = sim_run_guest(m->run, 0);
    SimTime stalled0, on0, stalled1, on1;
    guest_totals(g, &stalled0, &on0);
    sim_run_until(m->run, sim_run_now(m->run) + SIM_S);
    guest_totals(g, &stalled1, &on1);
    return (double)(stalled1 - stalled0) / (double)(on1 - on0);
}

/* Trimming moves the oldest pages, the cold tail's, to the standby list with
 * their contents; touched again they come back by soft fault, microseconds
 * each. A Linux guest reclaiming the same pages writes them to swap, and
 * every touch of one is a disk read. */
static void test_trimmed_cold_pages_come_back_by_soft_fault_not_disk_read(void **state)
{
    (void)state;
    const uint64_t n = 16384; /* 64 MiB */
    TestModel *win = touchy_vm("windows");
    Guest *g = sim_run_guest(win->run, 0);
    HostPages *pages = guest_pages(g);
    uint64_t cold = host_pages_count_use(pages, HOST_USE_ANON_INACTIVE);
    uint64_t warm = host_pages_count_use(pages, HOST_USE_ANON_WARM);
    uint64_t anon = guest_anon_pages(g);
    SimTime cost = 0;
    assert_int_equal(guest_windows_trim(g, sim_run_host(win->run), n, sim_run_now(win->run), &cost),
                     n);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_INACTIVE), cold - n);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_ANON_WARM), warm);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_STANDBY), n);
    assert_int_equal(g->standby[GUEST_TIER_COLD], n);
    assert_int_equal(guest_anon_pages(g), anon); /* still the workload's */
    assert_int_equal(guest_swap_used(g), 0);
    double win_stall = stall_of_next_second(win);
    uint64_t back = n - g->standby[GUEST_TIER_COLD];

    TestModel *lin = touchy_vm("linux");
    Guest *l = sim_run_guest(lin->run, 0);
    cost = 0;
    assert_int_equal(guest_reclaim(l, sim_run_host(lin->run), n, sim_run_now(lin->run), &cost), n);
    assert_int_equal(guest_swap_used(l), n);
    double lin_stall = stall_of_next_second(lin);
    print_message("soft-faulted back %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " pages; stall in the next second: windows %.4f, linux %.4f\n",
                  back, n, win_stall, lin_stall);
    assert_true(back > n / 10);
    assert_true(win_stall < 0.05);
    assert_true(lin_stall > 0.5);
    test_model_free(win);
    test_model_free(lin);
}

/* Inflates the balloon 8 MiB a poll and checks, poll by poll, the order the
 * Windows driver takes memory in: zeroed pages while there are any (standby
 * and working sets untouched), then standby, and working sets are trimmed
 * only after that, once available memory is at the low-memory condition. */
static void test_windows_balloon_takes_zeroed_then_standby_then_trims(void **state)
{
    (void)state;
    TestModel *m = touchy_vm("windows");
    Guest *g = sim_run_guest(m->run, 0);
    Host *host = sim_run_host(m->run);
    HostPages *pages = guest_pages(g);
    SimTime cost = 0;
    guest_windows_trim(g, host, 8192, sim_run_now(m->run), &cost); /* 32 MiB on standby */
    uint64_t standby0 = host_pages_count_use(pages, HOST_USE_STANDBY);
    uint64_t cold0 = host_pages_count_use(pages, HOST_USE_ANON_INACTIVE);
    uint64_t target = guest_balloon_max(g);
    bool standby_used = false, trimmed = false;
    for (int poll = 0; poll < 600 && guest_balloon_size(g) < target; poll++) {
        uint64_t step = MIN(target, guest_balloon_size(g) + 2048);
        guest_balloon_poll(g, host, step, sim_run_now(m->run) + poll * SIM_S);
        uint64_t free_now = guest_free_pages(g);
        uint64_t standby = host_pages_count_use(pages, HOST_USE_STANDBY);
        uint64_t cold = host_pages_count_use(pages, HOST_USE_ANON_INACTIVE);
        if (free_now > 0) {
            assert_int_equal(standby, standby0);
            assert_int_equal(cold, cold0);
        }
        standby_used = standby_used || standby < standby0;
        if (cold < cold0 && !trimmed) {
            trimmed = true;
            assert_true(standby_used);
            assert_true(guest_available(g) <= g->wmark.high);
        }
    }
    assert_int_equal(guest_balloon_size(g), target);
    assert_true(standby_used && trimmed);
    /* what was trimmed and then taken is in the pagefile now */
    assert_true(guest_swap_used(g) > 0);
    assert_int_equal(g->standby[0] + g->standby[1] + g->standby[2] + g->standby_file,
                     host_pages_count_use(pages, HOST_USE_STANDBY));
    test_model_free(m);
}

/* Pages a VM can use: configured, less its kernel and its balloon. */
static int64_t usable_pages(TestModel *m, guint vm)
{
    Guest *g = sim_run_guest(m->run, vm);
    HostPages *pages = guest_pages(g);
    return (int64_t)pages->n - host_pages_count_use(pages, HOST_USE_KERNEL) -
           (int64_t)guest_balloon_size(g);
}

/* Waldspurger 2002 (Figure 2): a 256 MB VM ballooned to 192 MB against one
 * configured with 192 MB. The ballooned VM keeps the kernel of a 256 MB VM,
 * its PFN database included: one 48-byte MMPFN per 4 KiB of configured
 * memory, 768 KiB more than the smaller VM's, on top of the larger fixed
 * part (1/8 of the VM in both). */
static void test_ballooned_256_mb_windows_vm_has_less_usable_memory_than_one_of_192(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"2GiB\", \"overhead\": \"256MiB\"},"
        " \"templates\": {\"w\": {\"guest\": {\"os\": \"windows\"},"
        "   \"workload\": {\"memory\": \"64MiB\", \"active\": \"32MiB\"}}},"
        " \"vms\": [{\"name\": \"ballooned\", \"template\": \"w\", \"memory\": \"256MiB\","
        "   \"limit\": \"192MiB\"},"
        "  {\"name\": \"sized\", \"template\": \"w\", \"memory\": \"192MiB\"}]}");
    sim_run_until(m->run, 10 * SIM_MIN);
    assert_int_equal(guest_balloon_size(sim_run_guest(m->run, 0)), 64 * 256);
    int64_t gap = usable_pages(m, 1) - usable_pages(m, 0);
    print_message("usable: ballooned %" G_GINT64_FORMAT " pages, sized %" G_GINT64_FORMAT
                  " pages\n",
                  usable_pages(m, 0), usable_pages(m, 1));
    /* (256 - 192) MiB / 8 of fixed part + 64 MiB x 48 / 4096 of MMPFNs */
    assert_int_equal(gap, 8 * 256 + 192);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freed_pages_of_windows_are_zero_pages_the_host_shares),
        cmocka_unit_test(test_trimmed_cold_pages_come_back_by_soft_fault_not_disk_read),
        cmocka_unit_test(test_windows_balloon_takes_zeroed_then_standby_then_trims),
        cmocka_unit_test(test_ballooned_256_mb_windows_vm_has_less_usable_memory_than_one_of_192),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
