/*
 * VM entries: templates, names, sizes, the guest and its balloon driver,
 * count expansion and the checks over all entries (reservations, page state).
 */
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/units.h"

/* Where the values a cross check needs came from; NULL = the default. */
typedef struct VmAt {
    const char *name;
    const char *memory;
    const char *reservation;
    const char *kernel;
    const char *swap;
} VmAt;

void sim_load_vm_clear(gpointer data)
{
    SimVmConfig *vm = data;
    g_clear_pointer(&vm->name, g_free);
    g_clear_pointer(&vm->pointer, g_free);
    g_clear_pointer(&vm->salt, g_free);
    g_clear_pointer(&vm->guest.image, g_free);
    g_clear_pointer(&vm->workload.phases, g_array_unref);
    g_clear_pointer(&vm->workload.trace, g_free);
}

/*
 * Names end up in CSV cells and esxtop headers: control characters (C0,
 * DEL, C1), '"' and '\\' would break those lines or their quoting. A name
 * of only spaces is accepted with a warning: it is legal but hard to read.
 */
static bool check_vm_name(Loader *ld, const char *name, const char *ptr)
{
    if (name[0] == '\0') {
        return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "name must not be empty");
    }
    bool blank = true;
    for (const char *c = name; *c != '\0'; c = g_utf8_next_char(c)) {
        gunichar u = g_utf8_get_char(c);
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == '"' || u == '\\') {
            return sim_load_fail(
                ld, SIM_ERROR_VALUE, ptr,
                "VM name \"%s\" contains %s (U+%04X); names must not hold control "
                "characters, '\"' or '\\' (they would corrupt the CSV and esxtop outputs)",
                sim_load_quote(ld, name),
                u == '"' || u == '\\' ? "a quote or backslash" : "a control character",
                (unsigned)u);
        }
        blank = blank && g_unichar_isspace(u);
    }
    if (blank) {
        sim_load_warn_at(ld, ptr, "VM name \"%s\" is only spaces", name);
    }
    return true;
}

/* The page model indexes a VM's pages with 32 bits (SIM_SCENARIO_MAX_VM_PAGES). */
static bool check_vm_pages(Loader *ld, const SimVmConfig *vm, const char *ptr)
{
    uint64_t pages = vm->memory / ld->page_size;
    if (pages <= SIM_SCENARIO_MAX_VM_PAGES) {
        return true;
    }
    return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                         "memory (%s) is %" G_GUINT64_FORMAT
                         " pages of %s; the page model holds at most "
                         "%" G_GUINT64_FORMAT " pages (2^32 - 4096) per VM",
                         sim_load_fmt_bytes(ld, vm->memory), pages,
                         sim_load_fmt_bytes(ld, ld->page_size), SIM_SCENARIO_MAX_VM_PAGES);
}

/* A time, or null: off until an event; after the end of the run it warns. */
static bool load_power_on(Loader *ld, const Scope *s, SimVmConfig *vm)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, sim_load_row_of(s, "power_on"), &ptr, &given);
    if (json_is_null(v)) {
        vm->power_on = SIM_TIME_NEVER;
        return true;
    }
    if (!sim_load_get_duration(ld, s, "power_on", &vm->power_on)) {
        return false;
    }
    if (vm->power_on > ld->duration) {
        sim_load_warn_at(ld, ptr,
                         "VM \"%s\" powers on at %s, after the end of the run (%s): it stays off",
                         sim_load_quote(ld, vm->name),
                         sim_load_keep(ld, sim_units_format_duration(vm->power_on)),
                         sim_load_keep(ld, sim_units_format_duration(ld->duration)));
    }
    return true;
}

/* memory, reservation, limit, shares, max_balloon, power_on, salt. */
static bool load_vm_basics(Loader *ld, const Scope *s, SimVmConfig *vm, VmAt *at)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = NULL;
    if (!sim_load_get_string(ld, s, "name", &vm->name, &at->name)) {
        return false;
    }
    if (vm->name == NULL || sim_load_scope_get(ld, s, "memory", &ptr) == NULL) {
        return sim_load_missing(ld, s->ptr[0], vm->name == NULL ? "name" : "memory");
    }
    if (!check_vm_name(ld, vm->name, at->name) ||
        !sim_load_get_size(ld, s, "memory", &vm->memory, &at->memory) ||
        !check_vm_pages(ld, vm, at->memory) ||
        !sim_load_get_size(ld, s, "reservation", &vm->reservation, &at->reservation)) {
        return false;
    }
    if (vm->reservation > vm->memory) {
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, at->reservation, "reservation (%s) exceeds the VM's memory (%s)",
            sim_load_fmt_bytes(ld, vm->reservation), sim_load_fmt_bytes(ld, vm->memory));
    }
    const SimKey *row = sim_load_row_of(s, "limit");
    v = sim_load_value_of(ld, s, row, &ptr, &given);
    if (!sim_load_parse_limit(ld, row, v, ptr, vm->memory, &vm->limit)) {
        return false;
    }
    if (vm->limit < vm->reservation) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "limit (%s) is below the reservation (%s)",
                             sim_load_fmt_bytes(ld, vm->limit),
                             sim_load_fmt_bytes(ld, vm->reservation));
    }
    row = sim_load_row_of(s, "shares");
    v = sim_load_value_of(ld, s, row, &ptr, &given);
    if (!sim_load_parse_shares(ld, row, v, ptr, vm->memory, &vm->shares)) {
        return false;
    }
    return load_power_on(ld, s, vm) &&
           sim_load_get_percent(ld, s, "max_balloon", &vm->max_balloon) &&
           sim_load_get_string(ld, s, "salt", &vm->salt, NULL);
}

static bool load_balloon(Loader *ld, const Scope *guest, SimBalloonConfig *b)
{
    Scope s;
    const char *ptr = NULL;
    bool ok = sim_load_scope_child(ld, guest, "balloon", &s) &&
              sim_load_get_duration(ld, &s, "poll", &b->poll) &&
              sim_load_get_u32(ld, &s, "rate_fast", &b->rate_fast) &&
              sim_load_get_u32(ld, &s, "rate_slow_max", &b->rate_slow_max) &&
              sim_load_get_u32(ld, &s, "rate_slow_min", &b->rate_slow_min) &&
              sim_load_get_u32(ld, &s, "rate_slow_inc", &b->rate_slow_inc) &&
              sim_load_get_u32(ld, &s, "deflate_fast", &b->deflate_fast) &&
              sim_load_get_u32(ld, &s, "deflate_slow", &b->deflate_slow);
    if (ok && b->rate_slow_min > b->rate_slow_max) {
        if (sim_load_scope_get(ld, &s, "rate_slow_min", &ptr) == NULL) {
            sim_load_scope_get(ld, &s, "rate_slow_max", &ptr);
        }
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                             "rate_slow_min (%u) exceeds rate_slow_max (%u)", b->rate_slow_min,
                             b->rate_slow_max);
    }
    return ok;
}

/* Guest defaults that scale with the VM (docs/model.md "Guest defaults"),
 * for the keys the scenario does not give. The kernel: a fixed part (64 MiB,
 * or 1/8 of a VM below 512 MiB but at least 4 MiB, so the 40 MB VMs of the
 * 2002 paper fit) and
 * its per-page structures, sized by configured memory (Linux: a 64-byte
 * struct page per 4 KiB page), which is why a ballooned VM has a little
 * less usable memory than one configured at the ballooned size. Swap: the
 * VM's memory (the usual size for a few GiB of memory), at most 4 GiB. */
#define GUEST_KERNEL_BASE (UINT64_C(64) << 20)
#define GUEST_KERNEL_BASE_DIVISOR 8 /* the fixed part of a small VM: 1/8 of it */
#define GUEST_KERNEL_BASE_MIN (UINT64_C(4) << 20) /* but never below a few MB */
#define GUEST_KERNEL_PER_PAGE_DIVISOR 64 /* 64 B per 4096 B */
#define GUEST_SWAP_MAX (UINT64_C(4) << 30)
/* Windows (docs/model.md "Windows guest"): the PFN database holds one
 * 48-byte MMPFN per 4 KiB page of x64 Windows (a little over 1% of memory);
 * the fixed part (kernel, HAL, drivers, non-paged pool) is an assumption:
 * Linux's form with a 128 MiB cap. */
#define WINDOWS_KERNEL_BASE (UINT64_C(128) << 20)
#define WINDOWS_MMPFN_BYTES 48
#define WINDOWS_PAGE_BYTES 4096

/* The guest kernel's default: a fixed part that scales down for small VMs
 * and the per-page structures of the configured memory. */
static uint64_t kernel_default(SimGuestOs os, uint64_t memory)
{
    uint64_t cap = os == SIM_OS_WINDOWS ? WINDOWS_KERNEL_BASE : GUEST_KERNEL_BASE;
    uint64_t base = MIN(cap, MAX(GUEST_KERNEL_BASE_MIN, memory / GUEST_KERNEL_BASE_DIVISOR));
    if (os == SIM_OS_WINDOWS) {
        return base + memory / WINDOWS_PAGE_BYTES * WINDOWS_MMPFN_BYTES;
    }
    return base + memory / GUEST_KERNEL_PER_PAGE_DIVISOR;
}

static void guest_defaults(SimVmConfig *vm, const VmAt *at)
{
    if (at->kernel == NULL) {
        vm->guest.kernel = kernel_default(vm->guest.os, vm->memory);
    }
    if (at->swap == NULL) {
        vm->guest.swap = MIN(vm->memory, GUEST_SWAP_MAX);
    }
}

static bool load_guest(Loader *ld, const Scope *vm_scope, SimVmConfig *vm, VmAt *at)
{
    SimGuestConfig *g = &vm->guest;
    Scope s;
    int os = 0;
    bool ok = sim_load_scope_child(ld, vm_scope, "guest", &s) &&
              sim_load_get_enum(ld, &s, "os", &os) &&
              sim_load_get_string(ld, &s, "image", &g->image, NULL) &&
              sim_load_get_size(ld, &s, "swap", &g->swap, &at->swap) &&
              sim_load_get_bool(ld, &s, "balloon_driver", &g->balloon_driver) &&
              sim_load_get_size(ld, &s, "kernel", &g->kernel, &at->kernel) &&
              sim_load_get_byte_rate(ld, &s, "cache_fill", &g->cache_fill_rate) &&
              sim_load_get_duration(ld, &s, "disk_latency", &g->disk_latency) &&
              sim_load_get_byte_rate(ld, &s, "disk_bandwidth", &g->disk_bandwidth) &&
              load_balloon(ld, &s, &g->balloon);
    g->os = (SimGuestOs)os;
    if (ok) {
        guest_defaults(vm, at);
    }
    if (!ok || g->kernel < vm->memory) {
        return ok;
    }
    if (at->kernel != NULL) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, at->kernel,
                             "guest kernel (%s) must be smaller than the VM's memory (%s)",
                             sim_load_fmt_bytes(ld, g->kernel), sim_load_fmt_bytes(ld, vm->memory));
    }
    return sim_load_fail(ld, SIM_ERROR_RANGE, at->memory,
                         "memory (%s) must be larger than the guest kernel (%s by default)",
                         sim_load_fmt_bytes(ld, vm->memory), sim_load_fmt_bytes(ld, g->kernel));
}

/* The VM's scope: its own object, then the template it names. */
static bool vm_scope(Loader *ld, json_t *el, const char *ptr, Scope *s)
{
    const char *tptr = NULL;
    *s = sim_load_scope_one(el, ptr, sim_load_group(sim_keys_top(), "vms"));
    json_t *name = sim_load_scope_get(ld, s, "template", &tptr);
    if (name == NULL) {
        return true;
    }
    if (!json_is_string(name)) {
        return sim_load_type_error(ld, tptr, name, "a template name");
    }
    json_t *tpl =
        ld->templates != NULL ? json_object_get(ld->templates, json_string_value(name)) : NULL;
    if (tpl == NULL) {
        const char *names[256];
        guint n = 0;
        const char *key = NULL;
        json_t *v = NULL;
        json_object_foreach(ld->templates, key, v)
        {
            if (n < G_N_ELEMENTS(names)) {
                names[n++] = key;
            }
        }
        return sim_load_fail(ld, SIM_ERROR_VALUE, tptr, "unknown template \"%s\"%s",
                             sim_load_quote(ld, json_string_value(name)),
                             sim_load_hint(ld, json_string_value(name), names, n));
    }
    s->obj[1] = tpl;
    s->ptr[1] = sim_load_ptr_key(ld, "/templates", json_string_value(name));
    return true;
}

/* A VM copy with its own strings and phases, for count expansion. */
static void vm_copy(SimVmConfig *dst, const SimVmConfig *src, char *name)
{
    *dst = *src;
    dst->name = name;
    dst->pointer = g_strdup(src->pointer);
    dst->salt = g_strdup(src->salt);
    dst->guest.image = g_strdup(src->guest.image);
    dst->workload.phases = g_array_copy(src->workload.phases);
    dst->workload.trace = g_strdup(src->workload.trace);
}

/* Adds the entry's `count` VMs (NAME-1..NAME-N when count > 1), names unique. */
static bool expand_vm(Loader *ld, const SimVmConfig *vm, int64_t count, const char *name_at,
                      const char *ptr, GHashTable *names, GArray *out)
{
    for (int64_t k = 1; k <= count; k++) {
        char *name =
            count > 1 ? g_strdup_printf("%s-%" G_GINT64_FORMAT, vm->name, k) : g_strdup(vm->name);
        const char *first = g_hash_table_lookup(names, name);
        if (first != NULL) {
            sim_load_fail(ld, SIM_ERROR_VALUE, name_at,
                          "duplicate VM name \"%s\", already used by %s", sim_load_quote(ld, name),
                          first);
            g_free(name);
            return false;
        }
        g_hash_table_insert(names, g_strdup(name), (gpointer)ptr); /* ptr lives in ld->pool */
        g_array_set_size(out, out->len + 1);
        vm_copy(&g_array_index(out, SimVmConfig, out->len - 1), vm, name);
    }
    return true;
}

/* All reservations must fit in host memory; `*reserved` is the sum so far. */
static bool check_reservations(Loader *ld, const SimHostConfig *h, const SimVmConfig *vm,
                               int64_t count, const VmAt *at, uint64_t *reserved)
{
    uint64_t room = h->memory - MIN(*reserved, h->memory);
    if (vm->reservation != 0 && (uint64_t)count > room / vm->reservation) {
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, at->reservation,
            "reservations exceed host memory (%s): earlier VMs reserve %s and this "
            "entry adds %" G_GINT64_FORMAT " x %s",
            sim_load_fmt_bytes(ld, h->memory), sim_load_fmt_bytes(ld, *reserved), count,
            sim_load_fmt_bytes(ld, vm->reservation));
    }
    *reserved += vm->reservation * (uint64_t)count;
    return true;
}

/*
 * Before the entry is copied `count` times: the page state and phases of the
 * VMs so far stay within the bounds (the whole run is estimated at the end).
 */
static bool check_entry(Loader *ld, const Scope *s, const SimVmConfig *vm, const VmAt *at)
{
    double pages = (double)(vm->memory / ld->page_size) * (double)ld->count;
    ld->pages += pages;
    ld->phases += (double)vm->workload.phases->len * (double)ld->count;
    ld->vms += (double)ld->count;
    /* per-VM structures count with the pages: both grow with memory x count */
    double page_bytes = ld->pages * EST_PAGE_BYTES + ld->vms * EST_VM_BYTES;
    double phase_bytes = ld->phases * EST_PHASE_BYTES;
    double max = (double)SIM_SCENARIO_MAX_RUN_BYTES;
    const char *ptr = at->memory;
    if (page_bytes + phase_bytes <= max && ld->phases <= SIM_SCENARIO_MAX_EVENTS) {
        return true;
    }
    if (page_bytes >= phase_bytes) {
        if (ld->count > 1) {
            sim_load_scope_get(ld, s, "count", &ptr);
        }
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, ptr,
            "the %s VM%s up to this one hold%s %s pages (%s of page state at 14 B a "
            "page and 8 KiB a VM; at most %s); lower memory or count",
            sim_load_fmt_count(ld, ld->vms), ld->vms == 1 ? "" : "s", ld->vms == 1 ? "s" : "",
            sim_load_fmt_count(ld, ld->pages), sim_load_fmt_approx_bytes(ld, page_bytes),
            sim_load_fmt_approx_bytes(ld, max));
    }
    return sim_load_fail(
        ld, SIM_ERROR_RANGE, sim_load_ptr_key(ld, vm->pointer, "workload"),
        "the VMs up to this one have %s workload phases (%s of memory; at most %s phases "
        "and %s); use fewer phases or a lower count",
        sim_load_fmt_count(ld, ld->phases), sim_load_fmt_approx_bytes(ld, phase_bytes),
        sim_load_fmt_count(ld, SIM_SCENARIO_MAX_EVENTS), sim_load_fmt_approx_bytes(ld, max));
}

static bool load_vm_entry(Loader *ld, json_t *el, const char *ptr, SimScenario *sc,
                          GHashTable *names, uint64_t *reserved)
{
    Scope s;
    SimVmConfig vm = {0};
    VmAt at = {0};
    if (!json_is_object(el)) {
        return sim_load_type_error(ld, ptr, el, "an object (a VM)");
    }
    vm.pointer = g_strdup(ptr);
    /* count before the workload: a trace's phases are bounded for all copies */
    bool ok = vm_scope(ld, el, ptr, &s) && load_vm_basics(ld, &s, &vm, &at) &&
              load_guest(ld, &s, &vm, &at) && sim_load_get_int(ld, &s, "count", &ld->count) &&
              sim_load_workload(ld, &s, sc, &vm) &&
              check_reservations(ld, &sc->host, &vm, ld->count, &at, reserved) &&
              check_entry(ld, &s, &vm, &at) &&
              expand_vm(ld, &vm, ld->count, at.name, ptr, names, sc->vms);
    sim_load_vm_clear(&vm);
    return ok;
}

bool sim_load_vms(Loader *ld, json_t *root, SimScenario *sc)
{
    json_t *vms = json_object_get(root, "vms");
    json_t *el = NULL;
    size_t i = 0;
    uint64_t reserved = 0;
    if (vms == NULL) {
        return sim_load_missing(ld, "", "vms");
    }
    if (!json_is_array(vms)) {
        return sim_load_type_error(ld, "/vms", vms, "an array of VMs");
    }
    if (json_array_size(vms) == 0) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, "/vms", "vms must not be empty");
    }
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    json_array_foreach(vms, i, el)
    {
        if (!load_vm_entry(ld, el, sim_load_ptr_index(ld, "/vms", i), sc, names, &reserved)) {
            return false;
        }
    }
    for (guint k = 0; k < sc->vms->len; k++) {
        g_hash_table_insert(ld->vm_index, g_array_index(sc->vms, SimVmConfig, k).name,
                            GUINT_TO_POINTER(k + 1));
    }
    return true;
}

bool sim_load_templates(Loader *ld, json_t *root)
{
    const char *key = NULL;
    json_t *v = NULL;
    ld->templates = json_object_get(root, "templates");
    if (ld->templates != NULL && !json_is_object(ld->templates)) {
        return sim_load_type_error(ld, "/templates", ld->templates, "an object of templates");
    }
    json_object_foreach(ld->templates, key, v)
    {
        if (!json_is_object(v)) {
            return sim_load_type_error(ld, sim_load_ptr_key(ld, "/templates", key), v,
                                       "an object (a partial VM)");
        }
    }
    return true;
}
