/*
 * Transparent page sharing (docs/design.md "Page sharing"; Waldspurger OSDI 2002,
 * section 4): each VM's pages are scanned in random order at
 * min(size / ShareScanTime, ShareRateMax), within the host's ShareScanGHz
 * budget; a scanned page whose contents match a page already seen in its
 * sharing domain maps the same frame, and its own frame is freed.
 * Salting (Mem.ShareForceSalting) decides the domains: 2 = each VM alone
 * (the default since 2015), 1 = VMs with the same `salt`, 0 = all VMs.
 */
#include "host/host-private.h"

#include <math.h>
#include <string.h>

/* Salting groups VMs into domains; O(VMs^2) for salt groups, once. */
static guint domain_of(const Host *host, guint i)
{
    const SimScenario *sc = host->scenario;
    const SimVmConfig *cfg = &g_array_index(sc->vms, SimVmConfig, i);
    if (sc->host.sharing.salting == 0) {
        return 0;
    }
    if (sc->host.sharing.salting == 1 && cfg->salt != NULL) {
        for (guint j = 0; j < i; j++) {
            const char *salt = g_array_index(sc->vms, SimVmConfig, j).salt;
            if (salt != NULL && strcmp(salt, cfg->salt) == 0) {
                return host->vms[j].domain;
            }
        }
    }
    return i;
}

/* The frame table is keyed by (space, content key): a key names the same
 * contents only among VMs of one image (image keys) or inside one VM
 * (duplicate keys), so spaces split each domain further. Zero pages use
 * the domain itself (0 .. n-1), duplicates the VM's own space (n + i), and
 * image contents one space per (domain, image) pair (2n + pair); a VM
 * without an image keeps its image contents in its own space. So every
 * space is below 3n (at most n pairs), which the frame table is told. */
static void assign_image_spaces(Host *host)
{
    const SimScenario *sc = host->scenario;
    g_autoptr(GHashTable) pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < host->n_vms; i++) {
        const char *image = g_array_index(sc->vms, SimVmConfig, i).guest.image;
        HostVm *v = &host->vms[i];
        if (image == NULL) {
            v->image_space = host->n_vms + i;
            continue;
        }
        char *pair = g_strdup_printf("%u/%s", v->domain, image);
        gpointer index = NULL;
        if (!g_hash_table_lookup_extended(pairs, pair, NULL, &index)) {
            index = GUINT_TO_POINTER(g_hash_table_size(pairs));
            g_hash_table_insert(pairs, g_strdup(pair), index);
        }
        g_free(pair);
        v->image_space = 2 * host->n_vms + GPOINTER_TO_UINT(index);
        g_assert(v->image_space < 3 * host->n_vms);
    }
}

void host_share_init(Host *host)
{
    host->shared = host_sharetab_new(3 * host->n_vms);
    host->domains = g_new0(HostShareDomain, MAX(host->n_vms, 1));
    for (guint i = 0; i < host->n_vms; i++) {
        host->vms[i].domain = domain_of(host, i);
        host->vms[i].share = &host->domains[host->vms[i].domain];
    }
    assign_image_spaces(host);
}

/* Where contents `key` of VM `vm` live in the frame table. */
static uint32_t space_of(const Host *host, guint vm, uint32_t key)
{
    const HostVm *v = &host->vms[vm];
    if (key == 0) {
        return v->domain;
    }
    return host_key_is_image(key) ? v->image_space : host->n_vms + vm;
}

size_t host_share_table_bytes(const Host *host)
{
    return host_sharetab_bytes(host->shared);
}

size_t host_share_table_peak_bytes(const Host *host)
{
    return host_sharetab_peak_bytes(host->shared);
}

uint64_t host_shared_frames(const Host *host)
{
    return host_sharetab_size(host->shared);
}

uint64_t host_shared_singles(const Host *host)
{
    uint64_t singles = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        singles += host->domains[i].singles;
    }
    return singles;
}

uint64_t host_shared_refs(const Host *host)
{
    uint64_t refs = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        refs += host_pages_count_backing(host->vms[i].pages, HOST_BACK_SHARED);
    }
    return refs;
}

void host_share_prefetch(const Host *host, guint vm, uint32_t p)
{
    if (p == HOST_NO_PAGE) {
        return;
    }
    uint32_t key = host_pages_key(host->vms[vm].pages, p);
    if (key != HOST_KEY_UNIQUE) {
        host_sharetab_prefetch(host->shared, space_of(host, vm, key), key);
    }
}

/* Page p (private, resident) maps the domain's frame for its contents; the
 * first page with given contents gives its own frame to the table. */
static void share_page(Host *host, guint vm, uint32_t p)
{
    HostVm *v = &host->vms[vm];
    uint32_t key = host_pages_key(v->pages, p);
    g_assert(key != HOST_KEY_UNIQUE); /* callers offer shareable contents only */
    HostShareDomain *d = &host->domains[v->domain];
    uint32_t refs = host_sharetab_ref(host->shared, space_of(host, vm, key), key);
    if (refs == 1) {
        d->frames++;
    } else {
        host->frames_used--;
    }
    d->singles = d->singles + (refs == 1) - (refs == 2);
    d->refs++;
    v->shared_zero += key == 0 ? 1 : 0;
    host_pages_set_backing(v->pages, p, HOST_BACK_SHARED);
}

void host_share_drop(Host *host, guint vm, uint32_t p)
{
    HostVm *v = &host->vms[vm];
    uint32_t key = host_pages_key(v->pages, p);
    HostShareDomain *d = &host->domains[v->domain];
    uint32_t left = host_sharetab_unref(host->shared, space_of(host, vm, key), key);
    if (left == 0) {
        d->frames--;
        host->frames_used--;
    }
    d->singles = d->singles + (left == 1) - (left == 0);
    d->refs--;
    v->shared_zero -= key == 0 ? 1 : 0;
}

/* Share before swap (VMware KB 1021095: before host swapping, ESX tries
 * to share pages using their hashes, because breaking a shared page later
 * costs far less than a swap-in): page p (private, resident), chosen for
 * swap-out, maps a shared frame instead when its contents are zeroes or
 * already in the frame table of its domain. A page nothing matches yet is
 * left to be written: as a hint frame it would stay resident and the
 * swap-out would free nothing. */
bool host_share_victim(Host *host, guint vm, uint32_t p)
{
    uint32_t key = host_pages_key(host->vms[vm].pages, p);
    if (!host->scenario->host.sharing.enabled || key == HOST_KEY_UNIQUE) {
        return false;
    }
    if (key != 0 && host_sharetab_get(host->shared, space_of(host, vm, key), key) == 0) {
        return false;
    }
    share_page(host, vm, p);
    return true;
}

/* Sub-pages ahead whose frame-table slot a break prefetches (for the
 * scanner's shares or swap-out's offers to host_share_victim). */
#define BREAK_AHEAD 8u

/* O(512): the sub-pages of one large page, each then a page moved. The
 * scanner (`scanned`) has hashed them all, so every shareable one shares;
 * a break for swap-out offers each to host_share_victim (KB 1021095). */
uint32_t host_break_large(Host *host, guint vm, uint32_t p, bool scanned)
{
    HostVm *v = &host->vms[vm];
    uint32_t per_large = (uint32_t)MAX(1, HOST_LARGE_PAGE_BYTES / host->page_size);
    uint32_t first = p - p % per_large;
    uint32_t end = MIN(first + per_large, v->pages->n);
    uint32_t broken = 0;
    bool sharing = host->scenario->host.sharing.enabled;
    for (uint32_t q = first; q < end; q++) {
        if (sharing && q + BREAK_AHEAD < end) {
            /* the records are read in order, the frames at random */
            host_share_prefetch(host, vm, q + BREAK_AHEAD);
        }
        if (!host_pages_large(v->pages, q)) {
            continue;
        }
        broken++;
        /* a sub-page that shares goes from the large page straight to the
         * shared frame: the lists end as they would through a small private
         * page, which it would leave at once, in one move instead of two */
        if (scanned && host_pages_key(v->pages, q) != HOST_KEY_UNIQUE) {
            share_page(host, vm, q);
        } else if (scanned || !host_share_victim(host, vm, q)) {
            host_pages_set_large(v->pages, q, false);
        }
    }
    return broken;
}

/* A 4 KiB host picks swap-out victims one by one among the private pages,
 * and each victim in a large page breaks it. A simulated page of s
 * sub-pages stands for s such victims: beyond its own large page, its other
 * s - 1 sub-pages break Binomial(s - 1, large / private) more (a large page
 * is one simulated page at 2 MiB), so swapping a given amount of memory
 * breaks as much of it as at 4 KiB. */
void host_break_for_swap(Host *host, guint vm, uint32_t p)
{
    HostVm *v = &host->vms[vm];
    if (host_pages_large(v->pages, p)) {
        host_break_large(host, vm, p, false);
    }
    uint64_t sub = MAX(1, host->page_size / HOST_SUBPAGE_BYTES);
    uint64_t large = host_pages_count_res_all(v->pages, HOST_RES_LARGE);
    if (sub == 1 || large == 0) {
        return;
    }
    uint64_t resident = large + host_pages_count_res_all(v->pages, HOST_RES_IN) +
                        host_pages_count_res_all(v->pages, HOST_RES_FRESH);
    uint64_t k = sim_rng_binomial(&v->rng, sub - 1, (double)large / (double)resident);
    for (uint64_t i = 0; i < k; i++) {
        uint32_t q = host_pages_pick_res(v->pages, &v->rng, HOST_RES_LARGE);
        if (q == HOST_NO_PAGE) {
            return;
        }
        host_break_large(host, vm, q, false);
    }
}

/* Scan rate of one VM in simulated pages per second. Mem.ShareRateMax
 * counts 4 KiB pages, so it is the same number of bytes at any page size. */
static double scan_rate(const Host *host, const HostVm *vm)
{
    const SimSharingConfig *sh = &host->scenario->host.sharing;
    double full = (double)vm->configured / sim_time_to_s(sh->scan_time);
    return MIN(full, sh->rate_max * HOST_SUBPAGE_BYTES / (double)host->page_size);
}

/* Picks drawn this far ahead of the page being shared: a pick's slot is
 * prefetched 2 steps before it is taken, its record and its class's last
 * member's 1 step before; a step is SHARE_AHEAD pages. Each is a cache miss
 * (and at scale a TLB miss) on a random address, so overlapping them is
 * most of the speed of the scan. Its frame-table slot is not prefetched:
 * measured (at 1 TiB too, 0.8% slower), the key's decoding and hashing
 * cost more than the miss saved. */
#define SHARE_AHEAD 8u
#define SHARE_RING 32u /* > 2 x SHARE_AHEAD, a power of two */

/* The scanner's hits: `hits` random FRESH pages of the VM share, in the
 * order and with the draws of host_pages_pick_res one by one (share_page
 * moves each out of FRESH and changes no other FRESH class). */
static void share_fresh(Host *host, guint vm, uint64_t hits)
{
    HostVm *v = &host->vms[vm];
    HostPages *pages = v->pages;
    HostPickAhead ahead;
    host_pages_ahead_init(&ahead, pages, HOST_RES_FRESH);
    HostPick ring[SHARE_RING];
    uint64_t drawn = 0;
    uint64_t fetched = 0; /* picks whose records are prefetched */
    for (uint64_t k = 0; k < hits; k++) {
        for (; drawn < hits && drawn <= k + 2 * SHARE_AHEAD; drawn++) {
            HostPick *pick = &ring[drawn % SHARE_RING];
            if (!host_pages_ahead_draw(&ahead, &v->rng, pick)) {
                hits = drawn; /* as pick_res: no draw once FRESH is empty */
                break;
            }
            host_pages_prefetch_slot(pages, pick);
        }
        if (k >= hits) {
            break;
        }
        /* at the start, the first SHARE_AHEAD picks' records at once: most
         * scans share a handful of pages (11 a call on average in
         * bench-64g), so a pipeline that filled one pick a step would
         * leave their misses one after the other */
        for (; fetched < drawn && fetched <= k + SHARE_AHEAD; fetched++) {
            host_pages_prefetch_records(pages, &ring[fetched % SHARE_RING]);
        }
        share_page(host, vm, host_pages_pick_taken(pages, &ring[k % SHARE_RING]));
    }
}

/* Scanning n random pages of the VM visits Binomial(n, share of the VM)
 * of its FRESH pages (shareable contents not yet scanned) and of its LARGE
 * ones; every other page would be visited for nothing, so it is not
 * visited at all: the work follows the pages the scan changes, not the
 * VM's size (a page scanned once stays scanned until its contents or its
 * frame change). */
static void scan_vm(Host *host, guint vm, double pages, bool break_large)
{
    HostVm *v = &host->vms[vm];
    v->scan_credit += pages;
    if (v->scan_credit < 1.0) {
        return;
    }
    uint64_t n = (uint64_t)v->scan_credit;
    v->scan_credit -= (double)n;
    double size = (double)v->configured;
    uint64_t fresh = host_pages_count_res_all(v->pages, HOST_RES_FRESH);
    share_fresh(host, vm, sim_rng_binomial(&v->rng, n, (double)fresh / size));
    if (!break_large) {
        return;
    }
    /* the n pages visited are n x sub 4 KiB visits, and each one that lands
     * in a large page breaks it: at 2 MiB, one simulated page */
    double sub = (double)MAX(1, host->page_size / HOST_SUBPAGE_BYTES);
    uint64_t large = host_pages_count_res_all(v->pages, HOST_RES_LARGE);
    uint64_t hits = sim_rng_binomial(&v->rng, n * (uint64_t)sub, (double)large / size);
    for (uint64_t k = 0; k < hits; k++) {
        uint32_t p = host_pages_pick_res(v->pages, &v->rng, HOST_RES_LARGE);
        if (p == HOST_NO_PAGE) {
            break;
        }
        /* ESXi hashes the sub-pages of large pages as it scans, so once
         * broken they share at once; scanning them costs their count */
        v->scan_credit -= (double)host_break_large(host, vm, p, true) - 1.0 / sub;
    }
}

/* KSM's one scanner: `rate` 4 KiB pages a second over all VMs, each VM's
 * part by its size (ksmd walks every mergeable area in turn). */
static void scan_host_wide(Host *host, SimTime dt, double rate, bool break_large)
{
    double total = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        total += host->vms[i].powered_on ? (double)host->vms[i].configured : 0.0;
    }
    double pages = rate * HOST_SUBPAGE_BYTES / (double)host->page_size * sim_time_to_s(dt);
    for (guint i = 0; i < host->n_vms && total > 0; i++) {
        HostVm *v = &host->vms[i];
        if (v->powered_on) {
            scan_vm(host, i, pages * (double)v->configured / total, break_large);
        }
    }
}

void host_share_scan(Host *host, SimTime dt, double factor, double host_rate, bool break_large)
{
    const SimHostConfig *hc = &host->scenario->host;
    if (!hc->sharing.enabled || factor <= 0.0) {
        return;
    }
    if (host_rate > 0.0) {
        scan_host_wide(host, dt, host_rate * factor, break_large);
        return;
    }
    double wanted = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        wanted += host->vms[i].powered_on ? scan_rate(host, &host->vms[i]) * factor : 0.0;
    }
    double cap = hc->sharing.scan_ghz * hc->cpu_ghz / (double)host->page_size;
    double scale = wanted > cap ? cap / wanted : 1.0;
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *v = &host->vms[i];
        if (v->powered_on) {
            scan_vm(host, i, scan_rate(host, v) * factor * scale * sim_time_to_s(dt), break_large);
        }
    }
}
