/*
 * --set KEY=VALUE overrides, applied to the JSON before it is loaded; each
 * remembers the pointer it replaced, so errors there name the --set.
 */
#include <stdarg.h>
#include <string.h>

#include "sim/load/loader-private.h"

void sim_load_override_free(gpointer data)
{
    Override *o = data;
    g_free(o->pointer);
    g_free(o->arg);
    g_free(o);
}

G_GNUC_PRINTF(3, 4)
static bool usage_error(GError **error, const char *arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *place = g_strdup_printf("--set %s", arg);
    return sim_error_at(error, SIM_ERROR_USAGE, place, 0, 0, "%s", msg);
}

/* An object the override creates on its way: host.policy, when the scenario
 * does not give it, is the default policy, so its settings are checked
 * against that policy and not refused for a missing name. */
static json_t *missing_object(const char *ptr)
{
    if (strcmp(ptr, "/host/policy") == 0) {
        return json_pack("{s:s}", "name", SIM_POLICY_DEFAULT);
    }
    return json_object();
}

/* The container member `part` of `cur` (an object or an array); creates missing objects. */
static json_t *override_step(Loader *ld, json_t *cur, const char *part, bool last, json_t *value,
                             GString *ptr, char **created, const char *arg, GError **error)
{
    if (json_is_object(cur)) {
        g_string_assign(ptr, sim_load_ptr_key(ld, ptr->str, part));
        json_t *child = json_object_get(cur, part);
        if (last || child == NULL) {
            child = last ? json_incref(value) : missing_object(ptr->str);
            json_object_set_new(cur, part, child);
            if (*created == NULL) {
                *created = g_strdup(ptr->str);
            }
        }
        return child;
    }
    guint64 index = 0;
    if (!json_is_array(cur)) {
        usage_error(error, arg, "%s is %s, not an object or array", ptr->str,
                    sim_load_json_kind(cur));
        return NULL;
    }
    if (!g_ascii_string_to_unsigned(part, 10, 0, G_MAXINT32, &index, NULL) ||
        index >= json_array_size(cur)) {
        if (json_array_size(cur) == 0) {
            usage_error(error, arg, "%s is an empty array, it has no element \"%s\"", ptr->str,
                        part);
        } else {
            usage_error(error, arg, "\"%s\" is not an index of %s (0 to %zu)", part, ptr->str,
                        json_array_size(cur) - 1);
        }
        return NULL;
    }
    g_string_assign(ptr, sim_load_ptr_index(ld, ptr->str, (size_t)index));
    if (last) {
        json_array_set(cur, (size_t)index, value);
        if (*created == NULL) {
            *created = g_strdup(ptr->str);
        }
    }
    return json_array_get(cur, (size_t)index);
}

/*
 * host.policy given as a name and a --set of one of its settings
 * (host.policy.KEY=VALUE): the name becomes the object {"name": NAME} that
 * the setting is added to. `cur` is the value at `ptr`, a member of `parent`.
 */
static json_t *policy_as_object(json_t *parent, const char *part, json_t *cur, const char *ptr)
{
    if (!json_is_string(cur) || !json_is_object(parent) || strcmp(ptr, "/host/policy") != 0) {
        return cur;
    }
    json_t *obj = json_pack("{s:O}", "name", cur);
    json_object_set_new(parent, part, obj);
    return obj;
}

/* One "KEY=VALUE": VALUE as JSON, or as a string when it is not JSON. */
bool sim_load_apply_override(Loader *ld, json_t *root, const char *arg, GError **error)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        return usage_error(error, arg, "expected KEY=VALUE, e.g. host.memory=96GiB");
    }
    g_autofree char *key = g_strndup(arg, (gsize)(eq - arg));
    /* jansson refuses (and frees the value of) a member whose key is not UTF-8 */
    if (!g_utf8_validate(key, -1, NULL)) {
        return usage_error(error, arg, "the key is not valid UTF-8");
    }
    g_auto(GStrv) parts = g_strsplit(key, ".", -1);
    json_t *value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (value == NULL && (value = json_string(eq + 1)) == NULL) {
        return usage_error(error, arg, "the value is not valid UTF-8");
    }
    g_autoptr(GString) ptr = g_string_new("");
    char *created = NULL;
    json_t *cur = root;
    json_t *parent = NULL;
    for (guint i = 0; parts[i] != NULL && cur != NULL; i++) {
        if (parts[i][0] == '\0') {
            cur = NULL;
            usage_error(error, arg, "empty part in key \"%s\"", key);
            break;
        }
        if (i > 0) {
            cur = policy_as_object(parent, parts[i - 1], cur, ptr->str);
        }
        parent = cur;
        cur = override_step(ld, cur, parts[i], parts[i + 1] == NULL, value, ptr, &created, arg,
                            error);
    }
    json_decref(value);
    if (cur == NULL) {
        g_free(created);
        return false;
    }
    Override *o = g_new0(Override, 1);
    o->pointer = created;
    o->arg = g_strdup(arg);
    g_ptr_array_add(ld->overrides, o);
    return true;
}
