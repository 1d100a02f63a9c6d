/*
 * The scenario key tables (sim/load/keys.h): one per key group, each row a
 * key with its type, default, range, unit and one-line description. A
 * default written here is the only one: the loader parses it with the
 * parsers it uses for the scenario's own text. The sources of the defaults
 * are in docs/model.md (component tables and "Scenario keys").
 */
#include "sim/load/keys.h"

#include <string.h>

#define KEY(n, t) .name = (n), .type = SIM_KEY_##t
#define END                                                                                        \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static const char *const no_words[] = {NULL};
static const char *const auto_word[] = {"auto", NULL};
static const char *const unlimited_word[] = {"unlimited", NULL};
static const char *const share_levels[] = {"low", "normal", "high", NULL};

static const SimKey cache_keys[] = {
    {KEY("size", SIZE), .def = "0", .doc = "Size of the host cache; 0 = none."},
    /* "100us", "1GiB/s": assumption (an SSD) */
    {KEY("latency", DURATION), .def = "100us",
     .doc = "Latency of one swap-in from the host cache."},
    {KEY("bandwidth", BYTE_RATE), .flags = SIM_KEY_NONZERO, .def = "1GiB/s",
     .doc = "Bandwidth of the host cache (> 0)."},
    END,
};

static const SimKey swap_keys[] = {
    /* "5ms", "200MiB/s": assumption (a disk) */
    {KEY("latency", DURATION), .def = "5ms", .doc = "Latency of one swap-in from the device."},
    {KEY("bandwidth", BYTE_RATE), .flags = SIM_KEY_NONZERO, .def = "200MiB/s",
     .doc = "Bandwidth of the swap device (> 0)."},
    {KEY("cache", OBJECT), .members = cache_keys,
     .doc = "Host cache (SSD) tier in front of the swap device."},
    END,
};

static const SimKey sharing_keys[] = {
    {KEY("enabled", BOOL), .def = "true", .doc = "Whether the host shares identical pages."},
    {KEY("salting", INT), .def = "2", .min = 0, .max = 2,
     .doc = "Mem.ShareForceSalting: 0 = share between VMs, 1 = within a salt group, 2 = within "
            "a VM only."},
    {KEY("scan_time", DURATION), .flags = SIM_KEY_NONZERO, .def = "60m",
     .doc = "Time to scan a whole VM once (Mem.ShareScanTime)."},
    {KEY("rate_max", RATE), .def = "1024/s", .unit = "4 KiB pages per second per VM",
     .doc = "Most 4 KiB pages scanned per second per VM (Mem.ShareRateMax), at any page size."},
    {KEY("scan_ghz", BYTE_RATE), .def = "4MiB/s", .unit = "per GHz",
     .doc = "Host-wide scan budget per GHz of cpu_ghz (Mem.ShareScanGHz)."},
    {KEY("large_pages", BOOL), .def = "true",
     .doc = "Whether guest memory is backed by 2 MiB large pages, which are not shared or "
            "swapped until broken."},
    END,
};

static const SimKey compression_keys[] = {
    {KEY("enabled", BOOL), .def = "true",
     .doc = "Whether pages chosen for swap-out are compressed first."},
    {KEY("max_pct", PERCENT), .def = "10%", .max = 1.0, .unit = "of the VM's memory",
     .doc = "Largest compression cache as a percentage of the VM's memory (Mem.MemZipMaxPct)."},
    /* "20us": assumption (decompressing 4 KiB, "much faster than swap") */
    {KEY("latency", DURATION), .def = "20us",
     .doc = "Time to decompress one 4 KiB page when the guest touches it (>= 0); the touching "
            "vCPU stalls for it."},
    END,
};

static const char *const state_readings[] = {"band", "below", NULL};
static const char *const idle_tax_types[] = {"variable", "flat", NULL}; /* SimIdleTaxType */

/* host.policy as an object; the other members are the policy's settings (SIM_KEY_POLICY). */
static const SimKey policy_keys[] = {
    {KEY("name", STRING), .flags = SIM_KEY_REQUIRED,
     .doc = "The policy of host.policy as an object: a built-in name or a plug-in's path, as "
            "host.policy itself takes. Required."},
    END,
};

static const SimKey host_keys[] = {
    {KEY("memory", SIZE), .flags = SIM_KEY_REQUIRED | SIM_KEY_NONZERO,
     .doc = "Machine memory of the host (at least one page; rounded down to whole pages). "
            "Required."},
    {KEY("page_size", SIZE), .flags = SIM_KEY_NONZERO, .def = "4KiB",
     .doc = "Page size of the model: \"4KiB\" (default) or \"2MiB\" for very large hosts; "
            "only a speed knob (every rate counts bytes or 4 KiB pages)."},
    {KEY("cpu_ghz", NUMBER), .flags = SIM_KEY_OPEN_MIN, .def = "40", .min = 0,
     .max = SIM_KEY_UNBOUNDED, .unit = "GHz",
     .doc = "Total CPU of the host in GHz (> 0); caps the page-sharing scan rate."},
    /* "1GiB", "20MiB", 1.2%: assumptions (VMkernel and services; per-VM overhead) */
    {KEY("overhead", SIZE), .def = "1GiB",
     .doc = "Memory the host itself uses (VMkernel, services); smaller than host memory."},
    {KEY("vm_overhead_base", SIZE), .def = "20MiB", .unit = "per powered-on VM",
     .doc = "Fixed overhead memory per powered-on VM."},
    {KEY("vm_overhead_pct", PERCENT), .def = "1.2%", .max = 1.0, .unit = "of the VM's memory",
     .doc = "Overhead memory per powered-on VM as a percentage of its configured memory."},
    {KEY("min_free", SIZE), .flags = SIM_KEY_NONZERO, .def = "auto", .words = auto_word,
     .doc = "minFree: \"auto\" (6% of the first 4 GiB, 4% of the next 8, 2% of the next 16, "
            "1% of the rest) or a fixed size in (0, host memory)."},
    {KEY("policy", OBJECT), .flags = SIM_KEY_POLICY, .def = SIM_POLICY_DEFAULT,
     .members = policy_keys,
     .doc = "Reclamation policy: a built-in name (reclaimsim policies) or the path of a policy "
            "plug-in, a .so file, relative to the scenario file (docs/plugins.md); or an object "
            "with that name and the policy's settings ({\"name\": \"kvm-mom\", ...}: the "
            "host.policy.* keys of each built-in, a plug-in's own); --policy overrides it."},
    /* "esxi-host": assumption (a neutral name; docs/model.md, "esxtop.csv") */
    {KEY("name", STRING), .def = "esxi-host",
     .doc = "Host name in esxtop.csv's counter paths (\\\\NAME\\Memory\\...): letters, digits, "
            "'-', '.' and '_' only."},
    {KEY("state_reading", ENUM), .def = "band", .words = state_readings,
     .doc = "How free memory maps to a state: \"band\" (state X while free is in [T_X, "
            "T_higher), as esxtop shows) or \"below\" (state X once free < T_X)."},
    /* 5%: assumption (unpublished) */
    {KEY("state_hysteresis", PERCENT), .def = "5%", .max = 1.0, .unit = "of minFree",
     .doc = "Margin above a boundary, as a percentage of minFree, that free memory needs to "
            "leave a state towards a less severe one (assumption)."},
    /* 99%: the tax's factor k = 1 / (1 - tax) must stay finite */
    {KEY("idle_tax", PERCENT), .def = "75%", .max = 0.99,
     .doc = "Idle memory tax (Mem.IdleTax), 0 to 99%."},
    {KEY("idle_tax_type", ENUM), .def = "variable", .words = idle_tax_types,
     .doc = "Mem.IdleTaxType: \"variable\" (ESXi's default: the rate a VM's idle pages pay rises "
            "with its share of idle memory, up to idle_tax) or \"flat\" (every idle page pays "
            "idle_tax, as in ESX 2002)."},
    {KEY("balance_period", DURATION), .flags = SIM_KEY_NONZERO | SIM_KEY_PERIOD, .def = "15s",
     .doc = "Period of the memory scheduler (BalancePeriod), 1ms to 36500d."},
    {KEY("sample_period", DURATION), .flags = SIM_KEY_NONZERO | SIM_KEY_PERIOD, .def = "60s",
     .doc = "Period of active-memory sampling (SamplePeriod), 1ms to 36500d."},
    {KEY("sample_pages", INT), .def = "100", .min = 1, .max = 100000,
     .unit = "4 KiB pages per VM per period",
     .doc = "4 KiB pages sampled per VM per sample period, 1 to 100000."},
    {KEY("ctl_max_pct", PERCENT), .def = "65%", .max = 1.0, .unit = "of the VM's memory",
     .doc = "Largest balloon as a percentage of the VM's memory (Mem.CtlMaxPercent)."},
    {KEY("sharing", OBJECT), .members = sharing_keys, .doc = "Transparent page sharing."},
    {KEY("compression", OBJECT), .members = compression_keys,
     .doc = "The per-VM compression cache."},
    {KEY("swap", OBJECT), .members = swap_keys,
     .doc = "The host swap device and its optional cache tier."},
    END,
};

#define PAGES_PER_POLL(n, d, text)                                                                 \
    {                                                                                              \
        KEY(n, INT), .def = (d), .min = 1, .max = 4294967295.0, .unit = "4 KiB pages per poll",    \
                     .doc = (text)                                                                 \
    }

/* The balloon driver's rates: Linux drivers/misc/vmw_balloon.c. */
static const SimKey balloon_keys[] = {
    {KEY("poll", DURATION), .flags = SIM_KEY_NONZERO | SIM_KEY_PERIOD, .def = "1s",
     .doc = "How often the driver reads its target, 1ms to 36500d."},
    PAGES_PER_POLL("rate_fast", "16384",
                   "4 KiB pages per poll when inflating from free memory, at any page size."),
    PAGES_PER_POLL("rate_slow_max", "2048", "Pages per poll when the guest must reclaim, at most."),
    PAGES_PER_POLL("rate_slow_min", "512",
                   "Pages per poll when the guest must reclaim, at least (halved on failure "
                   "down to this); at most rate_slow_max."),
    {KEY("rate_slow_inc", INT), .def = "16", .min = 0, .max = 4294967295.0,
     .unit = "4 KiB pages per poll",
     .doc = "4 KiB pages added to the slow rate after a good poll, 0 to 4294967295."},
    PAGES_PER_POLL("deflate_fast", "16384",
                   "Pages per poll when deflating while the guest needs memory."),
    PAGES_PER_POLL("deflate_slow", "1024", "Pages per poll when deflating otherwise."),
    END,
};

static const char *const guest_oses[] = {"linux", "windows", NULL};

static const SimKey guest_keys[] = {
    {KEY("os", ENUM), .def = "linux", .words = guest_oses,
     .doc = "Guest OS: linux (touches memory lazily, fills free memory with page cache) or "
            "windows (zeroes all memory at boot and every page it frees, keeps trimmed pages "
            "on a standby list)."},
    {KEY("image", STRING), .flags = SIM_KEY_NULLABLE, .def = "null",
     .doc = "Guest image name; VMs with the same image share its pages. null = none."},
    /* no .def: scaled with the VM (sim/load/vms.c guest_defaults) */
    {KEY("swap", SIZE),
     .doc = "Size of the guest's own swap device. Default: the VM's memory, at most 4 GiB."},
    {KEY("balloon_driver", BOOL), .def = "true",
     .doc = "Whether the balloon driver runs (false = no balloon for this VM)."},
    {KEY("kernel", SIZE),
     .doc = "Kernel memory of the guest, always in use; smaller than the VM's memory. Default: "
            "min(64 MiB, max(4 MiB, 1/8 of the VM's memory)) + 1/64 of it (the per-page "
            "structures, Linux's 64-byte struct page per 4 KiB); Windows: min(128 MiB, max(4 "
            "MiB, 1/8)) + 48/4096 of it (a 48-byte MMPFN per 4 KiB)."},
    /* "8MiB/s", "5ms", "100MiB/s": assumptions (a guest's page cache growth, its disk) */
    {KEY("cache_fill", BYTE_RATE), .def = "8MiB/s",
     .doc = "Rate at which a Linux guest turns free memory into page cache."},
    {KEY("disk_latency", DURATION), .def = "5ms",
     .doc = "Latency of one guest disk read (guest swap-in, page-cache refault)."},
    {KEY("disk_bandwidth", BYTE_RATE), .flags = SIM_KEY_NONZERO, .def = "100MiB/s",
     .doc = "Bandwidth of the guest disk (> 0)."},
    {KEY("balloon", OBJECT), .members = balloon_keys,
     .doc = "Balloon driver rates, after Linux vmw_balloon."},
    END,
};

/* The content mix: assumption (docs/model.md, "Page sharing"). */
static const SimKey content_keys[] = {
    {KEY("zero", NUMBER), .def = "0.05", .min = 0, .max = 1, .unit = "fraction of pages",
     .doc = "Fraction of zero pages."},
    {KEY("image_shared", NUMBER), .def = "0.1", .min = 0, .max = 1, .unit = "fraction of pages",
     .doc = "Fraction of pages identical to other VMs of the same guest image."},
    {KEY("duplicate", NUMBER), .def = "0.05", .min = 0, .max = 1, .unit = "fraction of pages",
     .doc = "Fraction of pages duplicated inside the VM."},
    {KEY("compressible", NUMBER), .def = "0.5", .min = 0, .max = 1, .unit = "fraction of pages",
     .doc = "Fraction of pages that compress to 2 KiB or less."},
    END,
};

/* A phase changes what it names: its keys have no defaults. */
static const SimKey phase_keys[] = {
    {KEY("at", DURATION), .flags = SIM_KEY_REQUIRED, .doc = "When the phase starts. Required."},
    {KEY("memory", SIZE), .doc = "New workload memory."},
    {KEY("active", SIZE), .doc = "New hot set."},
    {KEY("page_cache", SIZE), .doc = "New file working set."},
    {KEY("touch_rate", RATE), .unit = "4 KiB page touches per second", .doc = "New touch rate."},
    {KEY("write_share", NUMBER), .min = 0, .max = 1, .unit = "fraction of touches",
     .doc = "New share of writes."},
    END,
};

static const char *const trace_formats[] = {"auto", "csv", "esxtop", "bitbrains", NULL};

static const SimKey trace_keys[] = {
    {KEY("file", STRING), .flags = SIM_KEY_REQUIRED,
     .doc = "The trace file, relative to the scenario file's folder. Required."},
    {KEY("format", ENUM), .def = "auto", .words = trace_formats,
     .doc = "auto (from the first line), csv, esxtop or bitbrains."},
    {KEY("vm", STRING),
     .doc = "The VM's name in a csv or esxtop trace. Default: the VM entry's name (before "
            "count expansion); ignored by Bitbrains."},
    {KEY("start", DURATION), .def = "0s", .doc = "Trace time at run time 0."},
    {KEY("repeat", BOOL), .def = "false",
     .doc = "Loop the trace until the run ends (else the last sample holds)."},
    {KEY("scale", NUMBER), .flags = SIM_KEY_OPEN_MIN, .def = "1", .min = 0,
     .max = SIM_KEY_UNBOUNDED, .doc = "Multiplies memory and active (> 0)."},
    {KEY("memory_window", DURATION), .flags = SIM_KEY_NONZERO, .def = "1d",
     .doc = "Bitbrains: anonymous memory = peak active over this trailing window."},
    END,
};

/* SimWorkloadKind, in its order */
static const char *const workload_kinds[] = {
    "generic", "database", "web", "desktop", "file-server", "compile", "batch", "idle", NULL};

static const SimKey workload_keys[] = {
    {KEY("memory", SIZE), .def = "0",
     .doc = "Anonymous memory the workload allocates; at most the VM's memory minus the guest "
            "kernel."},
    {KEY("active", SIZE),
     .doc = "Hot set of the anonymous memory; at most workload memory. Default: a quarter of "
            "it."},
    {KEY("page_cache", SIZE), .def = "0", .doc = "File working set, read in as active page cache."},
    /* "10000/s", 0.3, "256MiB/s": assumptions (a typical touch rate, read/write mix, allocator) */
    {KEY("touch_rate", RATE), .def = "10000/s", .unit = "4 KiB page touches per second",
     .doc = "4 KiB page touches per second over the workload's pages, split over the hot set, "
            "the warm set and the cold tail by their shares."},
    {KEY("write_share", NUMBER), .def = "0.3", .min = 0, .max = 1, .unit = "fraction of touches",
     .doc = "Share of the hot set's touches that are writes, a plain number from 0 to 1 (not a "
            "percentage); writes to shared pages break the sharing (copy-on-write). The warm "
            "set and the cold tail are only read."},
    /* the popularity curve: assumptions of the order of measured skew (docs/model.md
       "Workload: access skew") */
    {KEY("warm", SIZE),
     .doc = "Warm set: anonymous memory beyond the hot set that is touched now and then; at "
            "most workload memory minus active. The rest is the cold tail. Default: a quarter "
            "of workload memory, at most what the hot set leaves."},
    {KEY("warm_share", NUMBER), .def = "0.02", .min = 0, .max = 1, .unit = "fraction of touches",
     .doc = "Share of the touches that go to the warm set."},
    {KEY("cold_share", NUMBER), .def = "0.001", .min = 0, .max = 1, .unit = "fraction of touches",
     .doc = "Share of the touches that go to the cold tail; the hot set gets 1 - warm_share - "
            "cold_share."},
    {KEY("alloc_rate", BYTE_RATE), .flags = SIM_KEY_NONZERO, .def = "256MiB/s",
     .doc = "How fast the workload grows to its memory (> 0)."},
    {KEY("content", OBJECT), .members = content_keys,
     .doc = "What the pages hold, as fractions of the VM's pages; zero + image_shared + "
            "duplicate <= 1."},
    {KEY("phases", ARRAY), .def = "[]", .members = phase_keys,
     .doc = "Changes of the workload at given times."},
    {KEY("trace", OBJECT), .flags = SIM_KEY_NULLABLE | SIM_KEY_OR_NAME, .def = "null",
     .members = trace_keys,
     .doc = "A trace that drives memory and active over time: a file name relative to the "
            "scenario file (CSV time_s,vm,memory_mb,active_mb, an esxtop batch capture or a "
            "Bitbrains GWA-T-12 file), or an object with file and options; null = none. With a "
            "trace, memory and active are not given (nor changed by phases)."},
    /* the kinds' defaults: sim/load/workload.c, sources in docs/model.md "Workload kinds" */
    {KEY("kind", ENUM), .def = "generic", .words = workload_kinds,
     .doc = "A preset of the keys above for a kind of workload: generic (each key's own "
            "default), database, web, desktop (VDI), file-server (dbench-like), compile "
            "(kernbench-like), batch (MapReduce-like) or idle; sizes scale with the VM. A key "
            "given explicitly always wins."},
    /* the file set's popularity curve: assumption (docs/model.md "Workload: access skew") */
    {KEY("cache_hot", NUMBER), .def = "0.25", .min = 0, .max = 1, .unit = "fraction of page_cache",
     .doc = "Share of the file working set (page_cache) in the hot set, a plain number from 0 "
            "to 1; the rest is warm: read with the warm set's share of the touches, dropped "
            "before the cold tail and read back from the guest disk. A Windows guest keeps its "
            "whole file set hot."},
    {KEY("sequential", NUMBER), .def = "0", .min = 0, .max = 1, .unit = "fraction of file reads",
     .doc = "Share of the file reads that are sequential, a plain number from 0 to 1: the guest "
            "reads those dropped file pages back with readahead, one disk latency per 128 KiB "
            "window, at the disk's bandwidth; the others cost a latency per 4 KiB page. Host "
            "swap-ins are always one latency per 4 KiB page."},
    END,
};

/* A VM entry; a template is the same without its first two rows (name, template). */
static const SimKey vm_keys[] = {
    {KEY("name", STRING), .flags = SIM_KEY_REQUIRED,
     .doc = "VM name (non-empty; unique after count expansion; no control characters, '\"' or "
            "'\\', which would corrupt the CSV and esxtop outputs; only spaces gets a warning). "
            "Required."},
    {KEY("template", STRING),
     .doc = "A key of templates whose values this VM takes unless it sets them."},
    {KEY("count", INT), .def = "1", .min = 1, .max = 100000,
     .doc = "Number of identical VMs this entry makes, 1 to 100000 (named NAME-1 .. NAME-N when "
            "> 1)."},
    {KEY("memory", SIZE), .flags = SIM_KEY_NONZERO,
     .doc = "Configured memory of the VM (> 0; at most 2^32 - 4096 pages of host.page_size). "
            "Required, here or in the template."},
    {KEY("reservation", SIZE), .def = "0",
     .doc = "Memory the VM is guaranteed; at most its memory, and all reservations fit in host "
            "memory."},
    {KEY("limit", SIZE), .flags = SIM_KEY_NONZERO, .def = "unlimited", .words = unlimited_word,
     .doc = "A hard cap on the memory the host gives the VM: \"unlimited\" or a size > 0 and >= "
            "the reservation; a limit above the VM's memory means unlimited."},
    {KEY("shares", INT), .def = "normal", .min = 1, .max = SIM_KEY_UNBOUNDED, .words = share_levels,
     .doc = "Memory shares: low, normal or high (5, 10 or 20 per configured MiB, as vSphere) or "
            "an integer > 0."},
    {KEY("max_balloon", PERCENT), .def = "100%", .max = 1.0, .unit = "of the VM's memory",
     .doc = "Largest balloon of this VM as a percentage of its memory (also capped by "
            "host.ctl_max_pct and memory - reservation)."},
    {KEY("power_on", DURATION), .flags = SIM_KEY_NULLABLE, .def = "0s",
     .doc = "When the VM powers on; null = off until a power_on event."},
    {KEY("salt", STRING), .flags = SIM_KEY_NULLABLE, .def = "null",
     .doc = "Salt group for page sharing with salting 1; null = none."},
    {KEY("guest", OBJECT), .members = guest_keys,
     .doc = "The guest OS: kernel, swap, disk and balloon driver."},
    {KEY("workload", OBJECT), .members = workload_keys,
     .doc = "What runs in the guest: anonymous memory, its hot set, page cache, touches and "
            "content."},
    END,
};

static const char *const event_actions[] = {"power_on", "power_off", "set", NULL};

static const SimKey event_keys[] = {
    {KEY("at", DURATION), .flags = SIM_KEY_REQUIRED, .doc = "When the event happens. Required."},
    {KEY("action", ENUM), .flags = SIM_KEY_REQUIRED, .words = event_actions,
     .doc = "What happens. Required."},
    {KEY("vm", STRING), .flags = SIM_KEY_REQUIRED,
     .doc = "The VM, by its name after count expansion (NAME-1 ..). Required."},
    {KEY("limit", SIZE), .flags = SIM_KEY_NONZERO, .words = unlimited_word,
     .doc = "New limit (action \"set\" only)."},
    {KEY("reservation", SIZE), .doc = "New reservation (action \"set\" only)."},
    {KEY("shares", INT), .min = 1, .max = SIM_KEY_UNBOUNDED, .words = share_levels,
     .doc = "New shares (action \"set\" only)."},
    END,
};

static const SimKey sla_keys[] = {
    {KEY("perf_index", NUMBER), .flags = SIM_KEY_OPEN_MIN, .min = 0, .max = 1,
     .doc = "Lowest acceptable mean performance index of every VM, in (0, 1]. No SLA when "
            "absent."},
    END,
};

static const SimKey top_keys[] = {
    {KEY("$schema", STRING), .doc = "Where editors find this schema; ignored by reclaimsim."},
    {KEY("name", STRING),
     .doc = "Scenario name, used for the default output directory out/NAME/. Default: the file "
            "name without .json."},
    {KEY("description", STRING), .def = "", .doc = "One line about the scenario."},
    {KEY("seed", INT), .def = "1", .min = 0, .max = SIM_KEY_INT64_MAX,
     .doc = "Seed of every random stream; the same scenario and seed give byte-identical "
            "outputs."},
    {KEY("duration", DURATION), .flags = SIM_KEY_NONZERO, .def = "1h",
     .doc = "Simulated time of the run (> 0, at most 36500d; the run must also fit the bounds "
            "on memory and events of docs/model.md, \"Run size bounds\")."},
    {KEY("sample_interval", DURATION), .flags = SIM_KEY_NONZERO | SIM_KEY_PERIOD, .def = "20s",
     .doc = "Interval between the rows of host.csv and vms.csv (1ms to 36500d)."},
    {KEY("host", OBJECT), .flags = SIM_KEY_REQUIRED, .members = host_keys,
     .doc = "The host: machine memory, thresholds, memory scheduler, page sharing, compression "
            "and swap."},
    {KEY("templates", MAP), .def = "{}", .members = vm_keys + 2,
     .doc = "Named partial VMs (any key of a VM entry but name and template); a VM that names "
            "one takes every key it does not set itself from it (objects merge member by "
            "member)."},
    {KEY("vms", ARRAY), .flags = SIM_KEY_REQUIRED, .members = vm_keys,
     .doc = "The VMs, in order (at least one). An entry with count N > 1 makes VMs NAME-1 .. "
            "NAME-N."},
    {KEY("events", ARRAY), .def = "[]", .members = event_keys,
     .doc = "One-off events at given simulated times: power on, power off, or change a VM's "
            "limit, reservation or shares."},
    {KEY("sla", OBJECT), .members = sla_keys,
     .doc = "Service level the run is judged against in summary.json and the summary."},
    END,
};

const SimKey *sim_keys_top(void)
{
    return top_keys;
}

const SimKey *sim_key_find(const SimKey *members, const char *name)
{
    for (const SimKey *k = members; k != NULL && k->name != NULL; k++) {
        if (strcmp(k->name, name) == 0) {
            return k;
        }
    }
    return NULL;
}

guint sim_key_n_words(const SimKey *key)
{
    guint n = 0;
    for (const char *const *w = key->words != NULL ? key->words : no_words; *w != NULL; w++) {
        n++;
    }
    return n;
}

const char *sim_key_type_to_string(SimKeyType type)
{
    static const char *const names[] = {"size",   "duration", "rate", "byte_rate", "percent",
                                        "number", "integer",  "bool", "string",    "enum",
                                        "object", "array",    "map"};
    return (unsigned)type < SIM_KEY_TYPE_MAX ? names[type] : "?";
}
