/* guest/power.c: a guest boots and powers off. Power on is driven on a
 * fresh host and guest built from the scenario, so that nothing but the
 * boot has touched them; power off is driven on a run that has settled with
 * pages in every backing (private, shared, compressed, swapped). The
 * figures expected are read from the scenario and the model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest-private.h"
#include "support/model.h"

/* 2 GiB Linux VM with a 128 MiB kernel. */
static const char *linux_vm = "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\"},"
                              " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
                              "  \"guest\": {\"kernel\": \"128MiB\"},"
                              "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\"}}]}";

/* The same VM running Windows. */
static const char *windows_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\"},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
    "  \"guest\": {\"os\": \"windows\", \"kernel\": \"128MiB\"},"
    "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\"}}]}";

/* A VM held at a 1 GiB limit with the balloon off and contents that share:
 * after a while its pages are private, shared, compressed and swapped. */
static const char *busy_vm =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\","
    "  \"sharing\": {\"large_pages\": false}},"
    " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\", \"limit\": \"1GiB\","
    "  \"guest\": {\"balloon_driver\": false},"
    "  \"workload\": {\"memory\": \"1536MiB\", \"active\": \"256MiB\", \"write_share\": 0,"
    "   \"content\": {\"zero\": 0.2, \"image_shared\": 0, \"duplicate\": 0.5}}}]}";

/* A host and VM 0's guest, built from the scenario and not powered on. */
typedef struct Machine {
    TestModel *m; /* holds the scenario */
    Host *host;
    Guest *g;
    HostPages *pages;
} Machine;

static Machine *machine_new(const char *json)
{
    Machine *mc = g_new0(Machine, 1);
    mc->m = test_model_new(json);
    const SimScenario *sc = mc->m->scenario;
    g_autoptr(GError) error = NULL;
    mc->host = host_new(sc, NULL, &error);
    assert_non_null(mc->host);
    mc->g = guest_new(&g_array_index(sc->vms, SimVmConfig, 0), 0, &sc->host, sc->seed);
    mc->pages = guest_pages(mc->g);
    host_attach(mc->host, 0, mc->pages);
    return mc;
}

static void machine_free(Machine *mc)
{
    guest_free(mc->g);
    host_free(mc->host);
    test_model_free(mc->m);
    g_free(mc);
}

static void assert_host_conserved(const Host *host)
{
    g_autoptr(GString) why = g_string_new(NULL);
    if (!host_check_conservation(host, why)) {
        fail_msg("conservation broken: %s", why->str);
    }
}

static uint64_t kernel_pages_of(const Machine *mc)
{
    const SimScenario *sc = mc->m->scenario;
    return g_array_index(sc->vms, SimVmConfig, 0).guest.kernel / sc->host.page_size;
}

/* A Linux guest backs its kernel at boot and nothing else; the host
 * charges the VM's overhead. */
static void test_power_on_backs_the_kernel_pages_only(void **state)
{
    (void)state;
    Machine *mc = machine_new(linux_vm);
    uint64_t overhead = host_overhead_pages(mc->host);
    guest_power_on(mc->g, mc->host, 0);
    uint64_t kernel = kernel_pages_of(mc);
    assert_true(kernel > 0);
    assert_true(guest_powered_on(mc->g));
    assert_true(host_vm_const(mc->host, 0)->powered_on);
    assert_int_equal(host_pages_count_use(mc->pages, HOST_USE_KERNEL), kernel);
    assert_int_equal(host_pages_count(mc->pages, HOST_USE_KERNEL, HOST_BACK_PRIVATE), kernel);
    assert_int_equal(host_frames_used(mc->host), kernel);
    assert_int_equal(host_pages_count_backing(mc->pages, HOST_BACK_NONE), mc->pages->n - kernel);
    assert_int_equal(host_overhead_pages(mc->host),
                     overhead + host_vm_const(mc->host, 0)->overhead);
    assert_host_conserved(mc->host);
    machine_free(mc);
}

/* A Windows guest zeroes all its memory at boot: every page is backed, and
 * all but the kernel's hold the zero page. */
static void test_power_on_of_windows_backs_every_page_with_zeroes(void **state)
{
    (void)state;
    Machine *mc = machine_new(windows_vm);
    guest_power_on(mc->g, mc->host, 0);
    uint64_t kernel = kernel_pages_of(mc);
    assert_int_equal(host_frames_used(mc->host), mc->pages->n);
    assert_int_equal(host_pages_count_backing(mc->pages, HOST_BACK_PRIVATE), mc->pages->n);
    assert_int_equal(host_pages_count_use(mc->pages, HOST_USE_KERNEL), kernel);
    uint32_t zero = 0;
    for (uint32_t p = 0; p < mc->pages->n; p++) {
        zero += host_pages_use(mc->pages, p) == HOST_USE_FREE && host_pages_key(mc->pages, p) == 0;
    }
    assert_int_equal(zero, mc->pages->n - kernel);
    assert_host_conserved(mc->host);
    machine_free(mc);
}

/* Power off gives every page back, whatever holds it: no frame, shared
 * reference, compressed byte or swap slot of the VM is left, the host's
 * overhead is its own again, and conservation holds. */
static void test_power_off_releases_everything(void **state)
{
    (void)state;
    TestModel *m = test_model_new(busy_vm);
    sim_run_until(m->run, 20 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    Guest *g = sim_run_guest(m->run, 0);
    HostPages *pages = guest_pages(g);
    const HostVm *v = host_vm_const(host, 0);
    for (HostBacking b = HOST_BACK_PRIVATE; b <= HOST_BACK_SWAP; b++) {
        assert_true(host_pages_count_backing(pages, b) > 0); /* something to give back */
    }
    uint64_t others = host_overhead_pages(host) - v->overhead;
    guest_power_off(g, host);
    assert_false(guest_powered_on(g));
    assert_false(v->powered_on);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_NONE), pages->n);
    assert_int_equal(host_pages_count_use(pages, HOST_USE_FREE), pages->n);
    assert_int_equal(host_frames_used(host), 0);
    assert_int_equal(host_shared_refs(host), 0);
    assert_int_equal(v->zip_bytes, 0);
    assert_int_equal(guest_swap_used(g), 0);
    assert_int_equal(host_overhead_pages(host), others);
    g_autoptr(GString) why = g_string_new(NULL);
    if (!sim_run_check(m->run, why)) {
        fail_msg("conservation broken: %s", why->str);
    }
    test_model_free(m);
}

/* Two VMs of one image; b is powered off at 10 min and on again at 11. */
static const char *sibling_vms =
    "{\"duration\": \"1h\", \"host\": {\"memory\": \"16GiB\"},"
    " \"templates\": {\"t\": {\"memory\": \"1GiB\","
    "   \"guest\": {\"image\": \"img\", \"kernel\": \"64MiB\", \"cache_fill\": \"0MiB/s\"},"
    "   \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\","
    "    \"content\": {\"zero\": 0, \"image_shared\": 0.5, \"duplicate\": 0}}}},"
    " \"vms\": [{\"name\": \"a\", \"template\": \"t\"}, {\"name\": \"b\", \"template\": \"t\"}],"
    " \"events\": [{\"at\": \"10m\", \"action\": \"power_off\", \"vm\": \"b\"},"
    "            {\"at\": \"11m\", \"action\": \"power_on\", \"vm\": \"b\"}]}";

/* Share of VM `of`'s image pages whose contents VM `in` also holds. */
static double image_overlap(TestModel *m, guint of, guint in)
{
    HostPages *a = guest_pages(sim_run_guest(m->run, in));
    HostPages *b = guest_pages(sim_run_guest(m->run, of));
    g_autoptr(GHashTable) held = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t p = 0; p < a->n; p++) {
        if (host_key_is_image(host_pages_key(a, p)) && host_pages_use(a, p) != HOST_USE_FREE) {
            g_hash_table_add(held, GUINT_TO_POINTER(host_pages_key(a, p)));
        }
    }
    uint32_t image = 0, found = 0;
    for (uint32_t p = 0; p < b->n; p++) {
        if (host_key_is_image(host_pages_key(b, p)) && host_pages_use(b, p) != HOST_USE_FREE) {
            image++;
            found += g_hash_table_contains(held, GUINT_TO_POINTER(host_pages_key(b, p))) ? 1 : 0;
        }
    }
    assert_true(image > 1000);
    return (double)found / image;
}

/* A rebooted guest reads its image from the start: its image pages get the
 * keys its sibling's have, so they share again. Before the counter was
 * reset at power off, the rebooted VM's keys went on from where its first
 * life stopped and 22% of them matched its sibling's. */
static void test_rebooted_vm_image_pages_match_its_siblings(void **state)
{
    (void)state;
    TestModel *m = test_model_new(sibling_vms);
    sim_run_until(m->run, 9 * SIM_MIN);
    double before = image_overlap(m, 1, 0);
    sim_run_until(m->run, 20 * SIM_MIN);
    double after = image_overlap(m, 1, 0);
    print_message("b's image pages held by a: %.3f before the reboot, %.3f after\n", before,
                  after);
    assert_true(before > 0.95);
    assert_true(after > 0.95);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_on_backs_the_kernel_pages_only),
        cmocka_unit_test(test_power_on_of_windows_backs_every_page_with_zeroes),
        cmocka_unit_test(test_power_off_releases_everything),
        cmocka_unit_test(test_rebooted_vm_image_pages_match_its_siblings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
