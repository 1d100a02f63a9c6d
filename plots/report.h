/* `reclaimsim report DIR`: one self-contained DIR/report.html (no network
 * access: styles inline, plots as inline SVG) from the run's files and
 * DIR/plots/, which is rendered first when it is missing. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Writes DIR/report.html atomically. Errors as plot_render(). */
bool plot_report_write(const char *dir, GError **error);

/* Text escaped for HTML element content and attribute values: & < > " ' (as
 * &amp; &lt; &gt; &quot; &apos;, all HTML5 named references).
 * Invalid UTF-8 becomes U+FFFD so the page always decodes. Caller frees. */
char *plot_report_escape(const char *text);

/* The report's inline style sheet (no network access), for other pages. */
const char *plot_report_style(void);

/* gnuplot's SVG appended to `html` as an element of the page: without the
 * XML prolog, its ids prefixed with `prefix` so that several figures stay
 * unique in one document, its <title> `title`. */
void plot_report_inline_svg(GString *html, const char *svg, const char *prefix, const char *title);
