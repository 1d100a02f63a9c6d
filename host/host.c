#include "host/host-private.h"

#include "sim/error.h"

#include <string.h>

static uint64_t bytes_to_pages(uint64_t bytes, uint64_t page_size)
{
    return bytes == SIM_SIZE_UNLIMITED ? UINT64_MAX : bytes / page_size;
}

static void vm_init(Host *host, guint i, const SimVmConfig *cfg)
{
    const SimHostConfig *hc = &host->scenario->host;
    HostVm *vm = &host->vms[i];
    vm->name = cfg->name;
    vm->configured = bytes_to_pages(cfg->memory, host->page_size);
    vm->reservation = bytes_to_pages(cfg->reservation, host->page_size);
    vm->limit = MIN(bytes_to_pages(cfg->limit, host->page_size), vm->configured);
    vm->shares = cfg->shares;
    vm->overhead = bytes_to_pages(
        (uint64_t)(hc->vm_overhead_base + hc->vm_overhead_frac * (double)cfg->memory),
        host->page_size);
    vm->sztgt = vm->limit;
    /* A new VM counts as fully active until sampling says otherwise, so it
     * is not taxed before anything is known (assumption). */
    vm->active_fast = vm->active_slow = 1.0;
    char *stream = g_strdup_printf("host:vm:%s", cfg->name);
    sim_rng_init(&vm->rng, host->scenario->seed, stream);
    g_free(stream);
}

/* minFree and the states of an ESX host; a Linux host's watermarks. */
static void thresholds_init(Host *host, const SimHostConfig *hc, const HostModel *model)
{
    if (model->linux_host) {
        uint64_t min_free = hc->min_free ? hc->min_free : host_linux_min_free(hc->memory, hc->sharing.large_pages);
        host_linux_thresholds(&host->thresholds, host->n_pages, min_free / hc->page_size);
        return;
    }
    uint64_t min_free = hc->min_free ? hc->min_free : host_minfree_for(hc->memory);
    HostStateTable table = host_states_esxi6;
    if (model->state_pct != NULL) {
        memcpy(table.pct, model->state_pct, sizeof(table.pct));
    }
    host_thresholds_init(&host->thresholds, min_free / hc->page_size, &table);
    if (model->pct_of_host) {
        /* 2002: thresholds are % of host memory; there is no minFree, and
         * the free level reclamation defends is the high threshold (6%) */
        host_thresholds_init(&host->thresholds, host->n_pages, &table);
        host->thresholds.min_free = host->thresholds.start[HOST_STATE_HIGH];
    }
}

Host *host_new(const SimScenario *scenario, const HostModel *model_in, GError **error)
{
    static const HostModel esxi6 = {0};
    const HostModel *model = model_in != NULL ? model_in : &esxi6;
    const SimHostConfig *hc = &scenario->host;
    Host *host = g_new0(Host, 1);
    host->scenario = scenario;
    host->page_size = hc->page_size;
    host->n_pages = hc->memory / hc->page_size;
    host->overhead_host = hc->overhead / hc->page_size;
    if (host->overhead_host >= host->n_pages) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
                    "%s: host overhead leaves no memory for VMs", scenario->path);
        g_free(host);
        return NULL;
    }
    host->lru = model->linux_host;
    host->no_swap = model->no_swap;
    thresholds_init(host, hc, model);
    host->hysteresis = (uint64_t)((double)host->thresholds.min_free * hc->state_hysteresis);
    host->swap.latency = hc->swap.latency;
    host->swap.bandwidth = hc->swap.bandwidth;
    host->cache.latency = hc->swap.cache_latency;
    host->cache.bandwidth = hc->swap.cache_bandwidth;
    host->cache_pages = hc->swap.cache_size / hc->page_size;
    host->compression = true;
    host->n_vms = scenario->vms->len;
    host->vms = g_new0(HostVm, host->n_vms);
    for (guint i = 0; i < host->n_vms; i++) {
        vm_init(host, i, &g_array_index(scenario->vms, SimVmConfig, i));
    }
    host_share_init(host);
    host->state = HOST_STATE_HIGH;
    host_update_state(host);
    return host;
}

void host_free(Host *host)
{
    if (host == NULL) {
        return;
    }
    for (guint i = 0; i < host->n_vms; i++) {
        host_zip_free_ring(&host->vms[i]);
    }
    host_sharetab_free(host->shared);
    g_free(host->domains);
    g_free(host->vms);
    g_free(host);
}

void host_attach(Host *host, guint vm, HostPages *pages)
{
    g_assert(pages->n == host->vms[vm].configured);
    host->vms[vm].pages = pages;
}

uint64_t host_forced_swaps(const Host *host)
{
    return host->forced_swaps;
}

guint host_n_vms(const Host *host)
{
    return host->n_vms;
}

HostVm *host_vm(Host *host, guint vm)
{
    return &host->vms[vm];
}

const HostVm *host_vm_const(const Host *host, guint vm)
{
    return &host->vms[vm];
}

uint64_t host_pages(const Host *host)
{
    return host->n_pages;
}

uint64_t host_page_size(const Host *host)
{
    return host->page_size;
}

uint64_t host_overhead_pages(const Host *host)
{
    return host->overhead_host + host->overhead_vms;
}

uint64_t host_free_pages(const Host *host)
{
    uint64_t used = host_overhead_pages(host) + host->frames_used;
    return used < host->n_pages ? host->n_pages - used : 0;
}

uint64_t host_frames_used(const Host *host)
{
    return host->frames_used;
}

const HostThresholds *host_thresholds(const Host *host)
{
    return &host->thresholds;
}

HostState host_state(const Host *host)
{
    return host->state;
}

/* The VM's share of its domain's shared frames: its shared pages times
 * frames per reference. Exact per VM with salting 2 (one VM per domain);
 * an average over the domain's VMs otherwise (assumption: vSphere reports
 * per-VM sharing the same way, by proportion). */
static double shared_frames_of(const HostVm *vm)
{
    uint64_t shrd = host_pages_count_backing(vm->pages, HOST_BACK_SHARED);
    if (shrd == 0 || vm->share->refs == 0) {
        return 0.0;
    }
    return (double)shrd * (double)vm->share->frames / (double)vm->share->refs;
}

double host_vm_consumed_exact(const HostVm *vm)
{
    return (double)host_pages_count_backing(vm->pages, HOST_BACK_PRIVATE) + shared_frames_of(vm) +
           (double)vm->zip_frames;
}

uint64_t host_vm_consumed(const HostVm *vm)
{
    return (uint64_t)(host_vm_consumed_exact(vm) + 0.5);
}

double host_vm_share_saved(const HostVm *vm)
{
    return (double)host_pages_count_backing(vm->pages, HOST_BACK_SHARED) - shared_frames_of(vm);
}

double host_vm_shared_pages(const HostVm *vm)
{
    uint64_t shrd = host_pages_count_backing(vm->pages, HOST_BACK_SHARED);
    if (shrd == 0 || vm->share->refs == 0) {
        return 0.0;
    }
    return (double)shrd * (1.0 - (double)vm->share->singles / (double)vm->share->refs);
}

bool host_admit(const Host *host, guint vm)
{
    uint64_t committed = host->overhead_host;
    for (guint i = 0; i < host->n_vms; i++) {
        const HostVm *v = &host->vms[i];
        if (v->powered_on || i == vm) {
            committed += v->overhead + v->reservation;
        }
    }
    return committed <= host->n_pages;
}

void host_update_state(Host *host)
{
    host->state = host_state_next(&host->thresholds, host->scenario->host.state_reading,
                                  host->state, host_free_pages(host), host->hysteresis);
}
