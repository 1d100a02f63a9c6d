# sweep: the x axis of a line figure, in place of common.gp's time axis:
# the varied key's values at their numbers (in the unit of x_label), or,
# for values that are not numbers, one category per value at 0, 1, ...
# reclaimsim sets: x_label, xmin, xmax, n_xtics (0: gnuplot's own tics)
# with xtic_pos[] and xtic_lab[], xtic_rotate.
set xrange [xmin:xmax]
set xtics autofreq numeric format '% h' norotate
set mxtics default
if (n_xtics > 0) {
    set xtics ()
    do for [t=1:n_xtics] { set xtics add (xtic_lab[t] xtic_pos[t]) }
    unset mxtics
}
if (xtic_rotate) { set xtics rotate by 35 right }
set grid xtics ytics
time_label = x_label
