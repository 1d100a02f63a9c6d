/*
 * The HTML both reports are made of: report.html of a run (plots/report.c)
 * and of a comparison (plots/comparereport.c). One self-contained page each
 * (no network access: the style inline, the plots as inline SVG), so they
 * share the head with its style sheet, escaping, numbers, the figures and
 * the footer; each report keeps its own sections.
 */
#pragma once

#include <glib.h>

/* Text escaped for HTML element content and attribute values: & < > " ' (as
 * &amp; &lt; &gt; &quot; &apos;, all HTML5 named references).
 * Invalid UTF-8 becomes U+FFFD so the page always decodes. Caller frees. */
char *plot_html_escape(const char *text);

/* Appends `text` escaped (plot_html_escape); NULL as "-". */
void plot_html_text(GString *html, const char *text);

/* Appends v with `decimals` decimals, or "-" when it is NaN or infinite (no value). */
void plot_html_number(GString *html, double v, int decimals);

/* The page up to its <h1>: doctype, <head> with `title` (escaped here) and
 * the inline style sheet, <body> and <h1>TITLE</h1>. */
void plot_html_head(GString *html, const char *title);

/* gnuplot's SVG appended to `html` as an element of the page: without the
 * XML prolog, its ids prefixed with `prefix` so that several figures stay
 * unique in one document, its <title> `title`. */
void plot_html_svg(GString *html, const char *svg, const char *prefix, const char *title);

/* One figure of plots/NAME.svg: <figure id="fig-NAME"> with the SVG inline
 * (ids prefixed "NAME-", titled `title`) and a caption of `about` naming
 * plots/NAME.png and plots/NAME.svg. */
void plot_html_figure(GString *html, const char *name, const char *svg, const char *title,
                      const char *about);

/* The end of the page: "Written by reclaimsim VERSION FROM." and the closing tags. */
void plot_html_foot(GString *html, const char *from);
