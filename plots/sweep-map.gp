# sweep: a heat map over the first two varied keys for one policy (and one
# combination of the other keys' values): each cell a value of the cell's
# points, coloured and written in it.
# reclaimsim sets: datafile (one line per cell, x fastest, a blank line
# after each row: ix iy value "label" text_rgb seeds_ok failed), subtitle,
# x_label, y_label, n_xtics, xtic_pos[], xtic_lab[], xtic_rotate,
# n_ytics, ytic_pos[], ytic_lab[], nx, ny, cb_lo, cb_hi, cb_label,
# show_labels, vector (cells as rectangles, not one image).
load plotsdir.'/common.gp'

set title title_text."\n".subtitle font ',13'
set xrange [-0.5:nx - 0.5]
set yrange [-0.5:ny - 0.5]
set xtics () norotate
set ytics ()
do for [t=1:n_xtics] { set xtics add (xtic_lab[t] xtic_pos[t]) }
do for [t=1:n_ytics] { set ytics add (ytic_lab[t] ytic_pos[t]) }
if (xtic_rotate) { set xtics rotate by 35 right }
unset mxtics
unset grid
set border 15
set tics out nomirror
set xlabel x_label
set ylabel y_label
set cbrange [cb_lo:cb_hi]
set cblabel cb_label
set cbtics out
# Low values dark, high light: Paul Tol's colour-blind-safe YlOrBr
# sequential scheme (as the state bands of common.gp), reversed.
set palette defined (0 '#662506', 0.125 '#993404', 0.25 '#CC4C02', 0.375 '#EC7014', \
    0.5 '#FB9A29', 0.625 '#FEC44F', 0.75 '#FEE391', 0.875 '#FFF7BC', 1 '#FFFFE5')
# cells without a value (failed, not run) show this grey
set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#D9D9D9' \
    fillstyle solid 1.0 noborder
unset key

cells = vector ? 'with image pixels' : 'with image'
if (show_labels) {
    plot datafile using 1:2:3 @cells, datafile using 1:2:4:5 with labels tc rgb variable
} else {
    plot datafile using 1:2:3 @cells
}
