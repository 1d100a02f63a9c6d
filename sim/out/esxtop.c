/*
 * The writer of esxtop.csv (docs/design.md section 5): a run's samples as
 * esxtop batch mode writes them (PDH-CSV 4.0). The spelling, order and number
 * formats follow the real `esxtop -b` captures of rach-sharp/esxtopd on
 * GitHub (ESXi 6.x): host MBytes counters as integers, rates and per-group
 * MBytes with two decimals, percentages and flags as integers. The reader of
 * real captures is sim/load/esxtop.c.
 */
#include "sim/out/esxtop.h"

#include <math.h>
#include <stddef.h>

#include "sim/load/esxtop.h"
#include "sim/out/format.h"
#include "sim/out/outfile.h"
#include "sim/time.h"
#include "sim/units.h"

/* GIDs are drawn from [GID_BASE, GID_BASE + GID_RANGE): 7 digits like real ones. */
#define GID_BASE 1000000u
#define GID_RANGE 9000000u

/* Host counters, in the order of a real capture's Memory object (columns 2-4 and 14-34 of
 * rach-sharp small; the columns between belong to other objects). */
typedef enum {
    HC_OVERCOMMIT_1,
    HC_OVERCOMMIT_5,
    HC_OVERCOMMIT_15,
    HC_MACHINE,
    HC_KERNEL,
    HC_NONKERNEL,
    HC_FREE,
    HC_MANAGED,
    HC_MINFREE,
    HC_RESERVED,
    HC_UNRESERVED,
    HC_STATE,
    HC_PSHARE_SHARED,
    HC_PSHARE_COMMON,
    HC_PSHARE_SAVINGS,
    HC_SWAP_USED,
    HC_SWAP_TARGET,
    HC_SWAP_READ,
    HC_SWAP_WRITE,
    HC_ZIP,
    HC_ZIP_SAVED,
    HC_MEMCTL,
    HC_MEMCTL_TARGET,
    HC_MEMCTL_MAX,
    HC_MAX
} HostCounter;

static const struct {
    const char *name;
    int decimals;
} host_counters[HC_MAX] = {
    [HC_OVERCOMMIT_1] = {"Memory Overcommit (1 Minute Avg)", 2},
    [HC_OVERCOMMIT_5] = {"Memory Overcommit (5 Minute Avg)", 2},
    [HC_OVERCOMMIT_15] = {"Memory Overcommit (15 Minute Avg)", 2},
    [HC_MACHINE] = {"Machine MBytes", 0},
    [HC_KERNEL] = {"Kernel MBytes", 0},
    [HC_NONKERNEL] = {"NonKernel MBytes", 0},
    [HC_FREE] = {"Free MBytes", 0},
    [HC_MANAGED] = {"Kernel Managed MBytes", 0},
    [HC_MINFREE] = {"Kernel MinFree MBytes", 0},
    [HC_RESERVED] = {"Kernel Reserved MBytes", 0},
    [HC_UNRESERVED] = {"Kernel Unreserved MBytes", 0},
    [HC_STATE] = {"Kernel State", 0},
    [HC_PSHARE_SHARED] = {"PShare Shared MBytes", 0},
    [HC_PSHARE_COMMON] = {"PShare Common MBytes", 0},
    [HC_PSHARE_SAVINGS] = {"PShare Savings MBytes", 0},
    [HC_SWAP_USED] = {"Swap Used MBytes", 0},
    [HC_SWAP_TARGET] = {"Swap Target MBytes", 0},
    [HC_SWAP_READ] = {"Swap MBytes Read/sec", 2},
    [HC_SWAP_WRITE] = {"Swap MBytes Write/sec", 2},
    [HC_ZIP] = {"Total Compressed MBytes", 0},
    [HC_ZIP_SAVED] = {"Total Saved By Compression MBytes", 0},
    [HC_MEMCTL] = {"Memctl Current MBytes", 0},
    [HC_MEMCTL_TARGET] = {"Memctl Target MBytes", 0},
    [HC_MEMCTL_MAX] = {"Memctl Max MBytes", 0},
};

/* The time constants of the three overcommit averages, s (esxtop's MEMOVERCOMMIT avg). */
static const double overcommit_tau_s[3] = {60.0, 300.0, 900.0};

/* Per-VM counters: a vms.csv field, or a value derived from the sample and the scenario. */
#define VC_ACTIVE_PCT ((size_t)-1)  /* % Active Estimate = active / memsz */
#define VC_MEMCTL_ON ((size_t)-2)   /* Memctl? = the guest runs a balloon driver */
#define VC_TOUCHED_W ((size_t)-3)   /* Touched Write = hot pages written in a sampling period */
#define VC_OVERHEAD ((size_t)-4)    /* Overhead = the VM's overhead while powered on */
#define VC_OVERHEAD_MAX ((size_t)-5) /* Overhead Max = the same (the model's overhead is fixed) */
#define VC_OVERHEAD_UW ((size_t)-6) /* Overhead UW = 0, as every group of a real 6.x capture reads */

/* In the order of a real capture's Group Memory counters (rach-sharp), those the model has. */
static const struct {
    const char *name;
    size_t offset; /* of the double in SimVmSample, or VC_* */
    int decimals;
} vm_counters[] = {
    {"Memory Size MBytes", offsetof(SimVmSample, memsz_mb), 2},
    {"Memory Granted Size MBytes", offsetof(SimVmSample, grant_mb), 2},
    {"Memory Consumed Size MBytes", offsetof(SimVmSample, consumed_mb), 2},
    {"Target Size MBytes", offsetof(SimVmSample, sztgt_mb), 2},
    {"Touched MBytes", offsetof(SimVmSample, active_mb), 2},
    {"Touched Write MBytes", VC_TOUCHED_W, 2},
    {"% Active Estimate", VC_ACTIVE_PCT, 0},
    {"Memctl?", VC_MEMCTL_ON, 0},
    {"Memctl MBytes", offsetof(SimVmSample, mctlsz_mb), 2},
    {"Memctl Target MBytes", offsetof(SimVmSample, mctltgt_mb), 2},
    {"Memctl Max MBytes", offsetof(SimVmSample, mctlmax_mb), 2},
    {"Swapped MBytes", offsetof(SimVmSample, swcur_mb), 2},
    {"Swap Target MBytes", offsetof(SimVmSample, swtgt_mb), 2},
    {"Swap Read MBytes/sec", offsetof(SimVmSample, swr_mbps), 2},
    {"Swap Written MBytes/sec", offsetof(SimVmSample, sww_mbps), 2},
    {"Zero MBytes", offsetof(SimVmSample, zero_mb), 2},
    {"Shared MBytes", offsetof(SimVmSample, shrd_mb), 2},
    {"Shared Saved MBytes", offsetof(SimVmSample, shrdsvd_mb), 2},
    {"Overhead UW MBytes", VC_OVERHEAD_UW, 2},
    {"Overhead MBytes", VC_OVERHEAD, 2},
    {"Overhead Max MBytes", VC_OVERHEAD_MAX, 2},
    {"Compressed Memory MBytes", offsetof(SimVmSample, zip_mb), 2},
};

/* The overcommit averages as the rows stream: each row's average from the last. */
typedef struct {
    double avg[3];       /* 1, 5 and 15 minute averages */
    double last_value;   /* overcommit of the previous row */
    double last_time_s;  /* time of the previous row */
} Overcommit;

static const SimVmConfig *vm_config(const SimScenario *sc, guint vm)
{
    return &g_array_index(sc->vms, SimVmConfig, vm);
}

/* FNV-1a: a VM keeps its GID when other VMs are added to or removed from the scenario. */
static guint32 name_hash(const char *name)
{
    guint32 h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h;
}

/*
 * The GIDs of all VMs: the hash of the name, probed linearly past the GIDs
 * taken by earlier VMs so every GID in the file is unique. O(VMs), once per
 * file.
 */
static void compute_gids(const SimScenario *sc, guint32 *gids)
{
    g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        guint32 gid = GID_BASE + name_hash(vm_config(sc, vm)->name) % GID_RANGE;
        while (g_hash_table_contains(used, GUINT_TO_POINTER(gid))) {
            gid = GID_BASE + (gid - GID_BASE + 1) % GID_RANGE;
        }
        g_hash_table_add(used, GUINT_TO_POINTER(gid));
        gids[vm] = gid;
    }
}

guint32 sim_esxtop_gid(const SimScenario *scenario, guint vm)
{
    g_return_val_if_fail(scenario != NULL && vm < scenario->vms->len, 0);
    g_autofree guint32 *gids = g_new(guint32, scenario->vms->len);
    compute_gids(scenario, gids);
    return gids[vm];
}

/* One quoted cell and its comma. */
static void append_cell(GString *out, const char *text)
{
    sim_format_csv_quoted(out, text);
    g_string_append_c(out, ',');
}

/* A number cell, in the fixed format of every output (sim/out/format.h);
 * a number holds no quote, so it needs no escaping inside its quotes. */
static void append_number_cell(GString *out, double v, int decimals)
{
    g_string_append_c(out, '"');
    sim_format_number(out, v, decimals);
    g_string_append(out, "\",");
}

static const char *host_name(const SimScenario *sc)
{
    return sc->host.name != NULL ? sc->host.name : SIM_ESXTOP_HOST;
}

static void append_header(GString *out, const SimScenario *sc)
{
    g_autofree guint32 *gids = g_new(guint32, MAX(sc->vms->len, 1u));
    compute_gids(sc, gids);
    append_cell(out, SIM_ESXTOP_FIRST_CELL);
    for (guint c = 0; c < HC_MAX; c++) {
        g_autofree char *cell =
            g_strdup_printf("\\\\%s\\Memory\\%s", host_name(sc), host_counters[c].name);
        append_cell(out, cell);
    }
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        guint32 gid = gids[vm];
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            g_autofree char *cell =
                g_strdup_printf("\\\\%s\\Group Memory(%u:%s)\\%s", host_name(sc), gid,
                                vm_config(sc, vm)->name, vm_counters[c].name);
            append_cell(out, cell);
        }
    }
    g_string_append_c(out, '\n');
}

/* "MM/DD/YYYY HH:MM:SS" of SIM_ESXTOP_EPOCH + time_s; esxtop has whole seconds. */
static void append_timestamp(GString *out, double time_s)
{
    gint64 t = SIM_ESXTOP_EPOCH + (gint64)floor(time_s);
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
    g_autofree char *text = dt != NULL ? g_date_time_format(dt, "%m/%d/%Y %H:%M:%S") : NULL;
    append_cell(out, text != NULL ? text : "");
}

/* The VM's overhead, MiB: rounded down to whole pages as host/host.c charges it. */
static double vm_overhead_mb(const SimScenario *sc, const SimVmConfig *cfg)
{
    const SimHostConfig *h = &sc->host;
    uint64_t bytes = (uint64_t)(h->vm_overhead_base + h->vm_overhead_frac * (double)cfg->memory);
    uint64_t page = MAX(h->page_size, 1u); /* a scenario not from the loader may have none */
    return (double)(bytes - bytes % page) / (double)SIM_MIB;
}

/* A sample has no power flag: a powered-on VM holds memory (granted, swapped or compressed)
 * or has a scheduler target, a powered-off one has released all and has none. */
static bool vm_on(const SimVmSample *s)
{
    return s->grant_mb > 0 || s->swcur_mb > 0 || s->zip_mb > 0 || s->sztgt_mb > 0;
}

/* The workload in force at time_s: its own values, then those of the phases before it. */
static SimWorkload workload_at(const SimVmConfig *cfg, double time_s)
{
    SimWorkload w = cfg->workload;
    const GArray *phases = cfg->workload.phases;
    for (guint p = 0; phases != NULL && p < phases->len; p++) {
        const SimPhase *ph = &g_array_index(phases, SimPhase, p);
        if (sim_time_to_s(ph->at) > time_s) {
            break;
        }
        w.memory = ph->has_memory ? ph->memory : w.memory;
        w.active = ph->has_active ? ph->active : w.active;
        w.page_cache = ph->has_page_cache ? ph->page_cache : w.page_cache;
        w.touch_rate = ph->has_touch_rate ? ph->touch_rate : w.touch_rate;
        w.write_share = ph->has_write_share ? ph->write_share : w.write_share;
    }
    return w;
}

/* The page the sampler and the workload's touches count: 4 KiB. */
#define ESXTOP_PAGE_BYTES 4096.0

/* The share of the touches that falls on the hot set, as guest/workload.c
 * splits them: a tier without pages gives its share to the others. */
static double hot_touch_share(const SimWorkload *w)
{
    uint64_t active = MIN(w->active, w->memory);
    uint64_t warm = MIN(w->has_warm ? w->warm : w->memory / 4, w->memory - active);
    double hot = MAX(0.0, 1.0 - w->warm_share - w->cold_share);
    double sum = hot + (warm > 0 ? w->warm_share : 0.0) +
                 (w->memory > active + warm ? w->cold_share : 0.0);
    return sum > 0.0 ? hot / sum : 0.0;
}

/* Touched Write (esxtop TCHD_W): the 4 KiB pages written in one sampling
 * period, estimated as the sampler estimates Touched (the pages a sample
 * finds touched in the period, at the rate the unstalled workload makes).
 * Writes are the workload's write share of the touches of the hot set (the
 * warm set and the cold tail are only read, guest/workload.c): with W
 * writes over H hot 4 KiB pages (kernel, hot anon, file working set), a
 * page is written with probability 1 - exp(-W / H). Never more than the
 * Touched estimate of the same row (a written page is touched) nor than
 * the granted memory (a page written is backed). */
static double touched_write_mb(const SimScenario *sc, const SimVmConfig *cfg,
                               const SimVmSample *s, double time_s)
{
    SimWorkload w = workload_at(cfg, time_s);
    double hot = (double)(cfg->guest.kernel + MIN(w.active, w.memory) + w.page_cache) /
                 ESXTOP_PAGE_BYTES;
    double writes = w.touch_rate * hot_touch_share(&w) * w.write_share *
                    sim_time_to_s(sc->host.sample_period);
    if (hot <= 0.0 || writes <= 0.0) {
        return 0.0;
    }
    double written_mb = hot * -expm1(-writes / hot) * ESXTOP_PAGE_BYTES / (double)SIM_MIB;
    return MIN(written_mb, MIN(s->active_mb, s->grant_mb));
}

/*
 * Requested memory (configured memory, or the limit when lower, plus the
 * overhead of each powered-on VM, plus the host's own) over managed memory,
 * minus 1, floored at 0: esxtop's MEMOVERCOMMIT (docs/model.md, "esxtop.csv").
 * Limits and reservations are the scenario's, not those events set later.
 */
static double overcommit_now(const SimScenario *sc, const SimRecorder *r, guint i, double *rsvd)
{
    double requested = (double)sc->host.overhead / (double)SIM_MIB;
    *rsvd = requested;
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        const SimVmConfig *cfg = vm_config(sc, vm);
        if (vm_on(sim_recorder_vm_sample(r, i, vm))) {
            double ovhd = vm_overhead_mb(sc, cfg);
            requested += (double)MIN(cfg->memory, cfg->limit) / (double)SIM_MIB + ovhd;
            *rsvd += (double)MIN(cfg->reservation, cfg->memory) / (double)SIM_MIB + ovhd;
        }
    }
    double managed = (double)sc->host.memory / (double)SIM_MIB;
    return MAX(0.0, requested / managed - 1.0);
}

/* Exponentially weighted averages as uptime's load averages: the value of the
 * previous row held over the interval since it, so a step seen at a row has
 * raised the 1-minute average by 1 - 1/e of itself 60 s later. */
static void overcommit_step(Overcommit *oc, double time_s, double value, double v[HC_MAX])
{
    double dt = MAX(0.0, time_s - oc->last_time_s);
    for (guint k = 0; k < 3; k++) {
        double keep = exp(-dt / overcommit_tau_s[k]);
        oc->avg[k] = oc->avg[k] * keep + oc->last_value * (1.0 - keep);
        v[HC_OVERCOMMIT_1 + k] = oc->avg[k];
    }
    oc->last_value = value;
    oc->last_time_s = time_s;
}

/* The VM sums of sample i: swap and balloon targets, balloon maxima, compression savings. */
static void vm_sums(const SimScenario *sc, const SimRecorder *r, guint i, double v[HC_MAX])
{
    double swtgt = 0, zsaved = 0, mctltgt = 0, mctlmax = 0;
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        const SimVmSample *s = sim_recorder_vm_sample(r, i, vm);
        swtgt += s->swtgt_mb;
        zsaved += s->zsaved_mb;
        mctltgt += s->mctltgt_mb;
        mctlmax += s->mctlmax_mb;
    }
    v[HC_SWAP_TARGET] = swtgt;
    v[HC_ZIP_SAVED] = zsaved;
    v[HC_MEMCTL_TARGET] = mctltgt;
    v[HC_MEMCTL_MAX] = mctlmax;
}

/* The host counters of sample i. */
static void host_values(const SimScenario *sc, const SimRecorder *r, guint i, Overcommit *oc,
                        double v[HC_MAX])
{
    const SimHostSample *h = sim_recorder_host_sample(r, i);
    double rsvd = 0;
    overcommit_step(oc, h->time_s, overcommit_now(sc, r, i, &rsvd), v);
    vm_sums(sc, r, i, v);
    v[HC_MACHINE] = (double)sc->host.memory / (double)SIM_MIB;
    v[HC_KERNEL] = (double)sc->host.overhead / (double)SIM_MIB;
    v[HC_NONKERNEL] = v[HC_MACHINE] - v[HC_KERNEL] - h->free_mb;
    v[HC_FREE] = h->free_mb;
    v[HC_MANAGED] = v[HC_MACHINE];
    v[HC_MINFREE] = h->min_free_mb;
    v[HC_RESERVED] = MIN(rsvd, v[HC_MANAGED]);
    v[HC_UNRESERVED] = v[HC_MANAGED] - v[HC_RESERVED];
    v[HC_STATE] = (double)h->state; /* 0 high, 1 clear, 2 soft, 3 hard, 4 low */
    v[HC_PSHARE_SHARED] = h->shared_mb;
    v[HC_PSHARE_COMMON] = h->shared_mb - h->shrdsvd_mb;
    v[HC_PSHARE_SAVINGS] = h->shrdsvd_mb;
    v[HC_SWAP_USED] = h->swcur_mb;
    v[HC_SWAP_READ] = h->swr_mbps;
    v[HC_SWAP_WRITE] = h->sww_mbps;
    v[HC_ZIP] = h->zip_mb;
    v[HC_MEMCTL] = h->mctlsz_mb;
}

static double vm_value(const SimScenario *sc, const SimVmConfig *cfg, const SimVmSample *s,
                       double time_s, guint c)
{
    size_t off = vm_counters[c].offset;
    switch (off) {
    case VC_ACTIVE_PCT:
        return s->memsz_mb > 0 ? 100.0 * s->active_mb / s->memsz_mb : 0.0;
    case VC_MEMCTL_ON:
        return cfg->guest.balloon_driver ? 1.0 : 0.0;
    case VC_TOUCHED_W:
        return touched_write_mb(sc, cfg, s, time_s);
    case VC_OVERHEAD:
    case VC_OVERHEAD_MAX:
        return vm_on(s) ? vm_overhead_mb(sc, cfg) : 0.0;
    case VC_OVERHEAD_UW:
        return 0.0;
    default:
        return G_STRUCT_MEMBER(double, s, off);
    }
}

static void append_row(GString *out, const SimScenario *sc, const SimRecorder *r, guint i,
                       Overcommit *oc)
{
    double hv[HC_MAX];
    double time_s = sim_recorder_host_sample(r, i)->time_s;
    host_values(sc, r, i, oc, hv);
    append_timestamp(out, time_s);
    for (guint c = 0; c < HC_MAX; c++) {
        append_number_cell(out, hv[c], host_counters[c].decimals);
    }
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        const SimVmSample *s = sim_recorder_vm_sample(r, i, vm);
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            append_number_cell(out, vm_value(sc, vm_config(sc, vm), s, time_s, c),
                               vm_counters[c].decimals);
        }
    }
    g_string_append_c(out, '\n');
}

/* Streams row by row through sim/out/outfile.h, so a long run's file never
 * sits in memory as a whole; after a failed write no more rows are built. */
bool sim_esxtop_write(const SimScenario *scenario, const SimRecorder *recorder, const char *path,
                      const char *shown, GError **error)
{
    g_return_val_if_fail(scenario != NULL && recorder != NULL && path != NULL, false);
    SimOutfile *f = sim_outfile_open(path, shown, error);
    if (f == NULL) {
        return false;
    }
    append_header(sim_outfile_line(f), scenario);
    sim_outfile_flush_line(f);
    Overcommit oc = {.last_time_s = 0.0};
    for (guint i = 0; i < sim_recorder_n_samples(recorder) && !sim_outfile_failed(f); i++) {
        append_row(sim_outfile_line(f), scenario, recorder, i, &oc);
        sim_outfile_flush_line(f);
    }
    return sim_outfile_close(f, error);
}
