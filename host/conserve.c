/* Conservation (docs/design.md section 2), checked by the tests after every event
 * and by the run loop at every sample: every page and every frame is
 * counted once, by two independent books. O(VMs). */
#include "host/host-private.h"

#include <math.h>

static bool fail(GString *why, const char *what, uint64_t a, uint64_t b)
{
    g_string_append_printf(why, "%s: %" G_GUINT64_FORMAT " != %" G_GUINT64_FORMAT, what, a, b);
    return false;
}

/* Frames by kind, from the VMs' page states and caches. */
static bool check_frames(const Host *host, GString *why)
{
    uint64_t private = 0, zip = 0, shared_pages = 0, cached = 0, domain_frames = 0,
             domain_refs = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        const HostVm *v = &host->vms[i];
        private += host_pages_count_backing(v->pages, HOST_BACK_PRIVATE);
        shared_pages += host_pages_count_backing(v->pages, HOST_BACK_SHARED);
        cached += host_pages_count_backing(v->pages, HOST_BACK_CACHE_SWAP);
        zip += v->zip_frames;
        if (v->zip_frames != (v->zip_bytes + host->page_size - 1) / host->page_size) {
            return fail(why, "compression cache frames vs bytes", v->zip_frames, v->zip_bytes);
        }
        domain_frames += host->domains[i].frames;
        domain_refs += host->domains[i].refs;
        if (host->domains[i].singles > host->domains[i].frames) {
            return fail(why, "single-reference frames vs frames", host->domains[i].singles,
                        host->domains[i].frames);
        }
    }
    if (domain_frames != host_sharetab_size(host->shared)) {
        return fail(why, "shared frames by domain vs table", domain_frames,
                    host_sharetab_size(host->shared));
    }
    if (domain_refs != shared_pages) {
        return fail(why, "shared references vs shared pages", domain_refs, shared_pages);
    }
    if (cached != host->cache_used) {
        return fail(why, "host cache pages vs its use", cached, host->cache_used);
    }
    if (private + domain_frames + zip != host->frames_used) {
        return fail(why, "private + shared + compression frames vs frames used",
                    private + domain_frames + zip, host->frames_used);
    }
    return true;
}

bool host_check_conservation(const Host *host, GString *why)
{
    double consumed = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        const HostVm *v = &host->vms[i];
        if (!host_pages_check(v->pages, why)) {
            g_string_append_printf(why, " (VM %s)", v->name);
            return false;
        }
        consumed += host_vm_consumed_exact(v);
    }
    if (!check_frames(host, why)) {
        return false;
    }
    double total = (double)host_free_pages(host) + (double)host_overhead_pages(host) + consumed;
    if (fabs(total - (double)host->n_pages) > 1e-6 * (double)host->n_pages + 1e-3) {
        g_string_append_printf(why, "free + overhead + consumed = %.3f != host pages %" G_GUINT64_FORMAT,
                               total, host->n_pages);
        return false;
    }
    return true;
}
