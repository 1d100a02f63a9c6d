/* The HTML the reports share (see html.h). */
#include "plots/html.h"

#include <math.h>
#include <string.h>

char *plot_html_escape(const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text, -1);
    return g_markup_escape_text(valid, -1);
}

void plot_html_text(GString *html, const char *text)
{
    g_autofree char *escaped = plot_html_escape(text != NULL ? text : "-");
    g_string_append(html, escaped);
}

void plot_html_number(GString *html, double v, int decimals)
{
    if (isfinite(v)) {
        g_string_append_printf(html, "%.*f", decimals, v);
    } else {
        g_string_append(html, "-");
    }
}

/* Inline style only: the report must open without network access. */
static const char *const style =
    "body{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:15px;margin:2em auto;"
    "max-width:1420px;padding:0 1em;color:#111}"
    "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #ccc;padding:.25em .6em}td.n{text-align:right}"
    "th{background:#f2f2f2}tbody tr:nth-child(even){background:#fafafa}"
    ".swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;"
    "vertical-align:middle;border:1px solid #888}"
    ".met{color:#007a5a;font-weight:bold}.missed{color:#b33c00;font-weight:bold}"
    "figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;display:block}"
    "figcaption{color:#333;margin-top:.3em}"
    ".wide{overflow-x:auto}#vms-table{font-size:13px}#vms-table td:first-child{white-space:nowrap}";

void plot_html_head(GString *html, const char *title)
{
    g_autofree char *escaped = plot_html_escape(title);
    g_string_append_printf(html,
                           "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, "
                           "initial-scale=1\">\n"
                           "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<h1>%s</h1>\n",
                           escaped, style, escaped);
}

/* A copy of s with every `from` replaced by `to` (at most `limit`, 0 =
 * all), in one pass; g_string_replace() would need GLib 2.68. */
static GString *replace_all(const GString *s, const char *from, const char *to, guint limit)
{
    GString *out = g_string_sized_new(s->len);
    gsize from_len = strlen(from);
    const char *rest = s->str;
    guint done = 0;
    for (const char *at = strstr(rest, from); at != NULL && (limit == 0 || done < limit);
         at = strstr(rest, from)) {
        g_string_append_len(out, rest, at - rest);
        g_string_append(out, to);
        rest = at + from_len;
        done++;
    }
    g_string_append(out, rest);
    return out;
}

/* gnuplot's ids are the same in every gnuplot SVG (gnuplot_canvas, gpPt0,
 * ...): prefixed, they stay unique in the document. */
void plot_html_svg(GString *html, const char *svg, const char *prefix, const char *title)
{
    const char *start = strstr(svg, "<svg");
    g_autoptr(GString) s = g_string_new(start != NULL ? start : "");
    static const char *const refs[] = {"id=\"", "id='", "href=\"#", "href='#", "url(#"};
    for (guint i = 0; i < G_N_ELEMENTS(refs); i++) {
        g_autofree char *with = g_strconcat(refs[i], prefix, NULL);
        GString *next = replace_all(s, refs[i], with, 0);
        g_string_free(s, TRUE);
        s = next;
    }
    g_autofree char *escaped = plot_html_escape(title);
    g_autofree char *named = g_strdup_printf("<title>%s</title>", escaped);
    GString *next = replace_all(s, "<title>Gnuplot</title>", named, 1);
    g_string_free(s, TRUE);
    s = next;
    g_string_append_len(html, s->str, (gssize)s->len);
}

void plot_html_figure(GString *html, const char *name, const char *svg, const char *title,
                      const char *about)
{
    g_autofree char *prefix = g_strdup_printf("%s-", name);
    g_string_append_printf(html, "<figure id=\"fig-%s\">\n", name);
    plot_html_svg(html, svg, prefix, title);
    g_string_append(html, "\n<figcaption>");
    plot_html_text(html, about);
    g_string_append_printf(html,
                           " (<code>plots/%s.png</code>, <code>plots/%s.svg</code>)</figcaption>\n"
                           "</figure>\n",
                           name, name);
}

void plot_html_foot(GString *html, const char *from)
{
    g_string_append_printf(html,
                           "<footer><p>Written by reclaimsim " RECLAIMSIM_VERSION
                           " %s.</p></footer>\n</body>\n</html>\n",
                           from);
}
