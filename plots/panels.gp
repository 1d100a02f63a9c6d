# Small multiples shared by the per-VM figures: one panel per entry of
# names[], rows x cols, then one legend for all panels across the bottom.
# reclaimsim sets: n_panels, rows, cols, names[], subtitle and, in screen
# fractions, m_left, m_right, m_bottom, m_top (the panel area), s_x, s_y
# (gaps between panels), key_y (legend centre). The figure sets
# ylabel_text (and y2label_text for a right axis) and panel_plot, a plot
# command for panel i, then loads this file.
# Panels are placed by explicit margins rather than `multiplot layout` so
# that the legend can span the whole width below them.
set multiplot title title_text."\n".subtitle font ',13'
pw = (m_right - m_left - (cols - 1) * s_x) / cols
ph = (m_top - m_bottom - (rows - 1) * s_y) / rows
unset key
do for [i=1:n_panels] {
    c = (i - 1) % cols
    r = (i - 1) / cols
    set lmargin at screen m_left + c * (pw + s_x)
    set rmargin at screen m_left + c * (pw + s_x) + pw
    set tmargin at screen m_top - r * (ph + s_y)
    set bmargin at screen m_top - r * (ph + s_y) - ph
    set title names[i] font ',11' offset 0,-0.4
    if (i > n_panels - cols) { set xlabel time_label } else { unset xlabel }
    if (c == 0) { set ylabel ylabel_text } else { unset ylabel }
    if (exists('y2label_text')) {
        if (c == cols - 1 || i == n_panels) { set y2label y2label_text } else { unset y2label }
    }
    @panel_plot
}

# The legend: the last panel's curves again over empty ranges (times are
# never negative), with only the key drawn. Filled curves would still fill
# the strip, so figures blank their filled data when legend_pass is set.
i = n_panels
legend_pass = 1
set lmargin at screen 0.02
set rmargin at screen 0.98
set bmargin at screen key_y - 0.5 * key_h
set tmargin at screen key_y + 0.5 * key_h
unset border; unset xtics; unset ytics; unset y2tics; unset mxtics; unset grid
unset title; unset xlabel; unset ylabel; unset y2label
set xrange [-2:-1]; set yrange [-2:-1]; set y2range [-2:-1]
set key center center horizontal maxrows 1 width 1 samplen 3
@panel_plot
unset multiplot
