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

/*
 * One VM's part of a scan, in three stages: its picks are drawn and their
 * slots prefetched (scan_begin), then their records (scan_fetch), then the
 * pages are shared and large pages broken (scan_end). Most VMs share a
 * handful of pages a tick (11 on average in bench-64g), so within one VM
 * each stage would wait for the one before; the scan runs them over
 * consecutive VMs at once instead (ScanPipe). A VM's stages touch only its
 * own pages and draw only from its own stream, in the same order as one
 * after the other, and the pages are shared VM after VM as before: the
 * same draws, the same pages, the same frame table.
 */
typedef struct ScanVm {
    guint vm;
    uint64_t n;       /* pages visited */
    uint64_t hits;    /* FRESH pages to share (fewer if FRESH runs out) */
    uint64_t drawn;   /* picks drawn */
    uint64_t fetched; /* picks whose records are prefetched */
    HostPickAhead ahead;
    HostPick ring[SHARE_RING];
} ScanVm;

/* Draws the picks up to 2 x SHARE_AHEAD past pick k, prefetching their
 * slots; no draw once FRESH is empty, as host_pages_pick_res. */
static void draw_ahead(HostVm *v, ScanVm *s, uint64_t k)
{
    for (; s->drawn < s->hits && s->drawn <= k + 2 * SHARE_AHEAD; s->drawn++) {
        HostPick *pick = &s->ring[s->drawn % SHARE_RING];
        if (!host_pages_ahead_draw(&s->ahead, &v->rng, pick)) {
            s->hits = s->drawn;
            return;
        }
        host_pages_prefetch_slot(v->pages, pick);
    }
}

/* Prefetches the records of the drawn picks up to SHARE_AHEAD past pick k. */
static void fetch_ahead(const HostVm *v, ScanVm *s, uint64_t k)
{
    for (; s->fetched < s->drawn && s->fetched <= k + SHARE_AHEAD; s->fetched++) {
        host_pages_prefetch_records(v->pages, &s->ring[s->fetched % SHARE_RING]);
    }
}

/* Scanning n random pages of the VM visits Binomial(n, share of the VM)
 * of its FRESH pages (shareable contents not yet scanned) and of its LARGE
 * ones; every other page would be visited for nothing, so it is not
 * visited at all: the work follows the pages the scan changes, not the
 * VM's size (a page scanned once stays scanned until its contents or its
 * frame change). False when the VM's credit is under one page. */
static bool scan_begin(Host *host, guint vm, double pages, ScanVm *s)
{
    HostVm *v = &host->vms[vm];
    v->scan_credit += pages;
    if (v->scan_credit < 1.0) {
        return false;
    }
    s->vm = vm;
    s->n = (uint64_t)v->scan_credit;
    v->scan_credit -= (double)s->n;
    uint64_t fresh = host_pages_count_res_all(v->pages, HOST_RES_FRESH);
    s->hits = sim_rng_binomial(&v->rng, s->n, (double)fresh / (double)v->configured);
    s->drawn = s->fetched = 0;
    host_pages_ahead_init(&s->ahead, v->pages, HOST_RES_FRESH);
    draw_ahead(v, s, 0);
    return true;
}

static void scan_fetch(Host *host, ScanVm *s)
{
    fetch_ahead(&host->vms[s->vm], s, 0);
}

/* The scanner's hits: `hits` random FRESH pages of the VM share, in the
 * order and with the draws of host_pages_pick_res one by one (share_page
 * moves each out of FRESH and changes no other FRESH class). */
static void share_fresh(Host *host, ScanVm *s)
{
    HostVm *v = &host->vms[s->vm];
    for (uint64_t k = 0;; k++) {
        draw_ahead(v, s, k);
        if (k >= s->hits) {
            return;
        }
        fetch_ahead(v, s, k);
        share_page(host, s->vm, host_pages_pick_taken(v->pages, &s->ring[k % SHARE_RING]));
    }
}

static void scan_end(Host *host, ScanVm *s, bool break_large)
{
    share_fresh(host, s);
    if (!break_large) {
        return;
    }
    /* the n pages visited are n x sub 4 KiB visits, and each one that lands
     * in a large page breaks it: at 2 MiB, one simulated page */
    HostVm *v = &host->vms[s->vm];
    double size = (double)v->configured;
    double sub = (double)MAX(1, host->page_size / HOST_SUBPAGE_BYTES);
    uint64_t large = host_pages_count_res_all(v->pages, HOST_RES_LARGE);
    uint64_t hits = sim_rng_binomial(&v->rng, s->n * (uint64_t)sub, (double)large / size);
    for (uint64_t k = 0; k < hits; k++) {
        uint32_t p = host_pages_pick_res(v->pages, &v->rng, HOST_RES_LARGE);
        if (p == HOST_NO_PAGE) {
            break;
        }
        /* ESXi hashes the sub-pages of large pages as it scans, so once
         * broken they share at once; scanning them costs their count */
        v->scan_credit -= (double)host_break_large(host, s->vm, p, true) - 1.0 / sub;
    }
}

/* VMs in flight: one drawn, one fetched, one sharing. */
#define SCAN_DEPTH 3u

typedef struct ScanPipe {
    ScanVm step[SCAN_DEPTH];
    unsigned head;
    unsigned len;
    bool break_large;
} ScanPipe;

static ScanVm *pipe_at(ScanPipe *pipe, unsigned i)
{
    return &pipe->step[(pipe->head + i) % SCAN_DEPTH];
}

/* VM vm's scan of `pages` pages joins the pipe; the oldest VM in it ends
 * once the pipe is full. */
static void pipe_push(Host *host, ScanPipe *pipe, guint vm, double pages)
{
    if (!scan_begin(host, vm, pages, pipe_at(pipe, pipe->len))) {
        return;
    }
    pipe->len++;
    if (pipe->len >= 2) {
        scan_fetch(host, pipe_at(pipe, pipe->len - 2));
    }
    if (pipe->len == SCAN_DEPTH) {
        scan_end(host, pipe_at(pipe, 0), pipe->break_large);
        pipe->head = (pipe->head + 1) % SCAN_DEPTH;
        pipe->len--;
    }
}

static void pipe_drain(Host *host, ScanPipe *pipe)
{
    for (unsigned i = 0; i < pipe->len; i++) {
        scan_fetch(host, pipe_at(pipe, i));
    }
    for (unsigned i = 0; i < pipe->len; i++) {
        scan_end(host, pipe_at(pipe, i), pipe->break_large);
    }
    pipe->len = 0;
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
    ScanPipe pipe = {.break_large = break_large};
    for (guint i = 0; i < host->n_vms && total > 0; i++) {
        HostVm *v = &host->vms[i];
        if (v->powered_on) {
            pipe_push(host, &pipe, i, pages * (double)v->configured / total);
        }
    }
    pipe_drain(host, &pipe);
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
    ScanPipe pipe = {.break_large = break_large};
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *v = &host->vms[i];
        if (v->powered_on) {
            pipe_push(host, &pipe, i, scan_rate(host, v) * factor * scale * sim_time_to_s(dt));
        }
    }
    pipe_drain(host, &pipe);
}
