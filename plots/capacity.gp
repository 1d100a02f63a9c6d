# capacity: the grown value (a VM count, or host memory) against the worst
# VM's and the mean performance index of each probe, one colour per search
# (policy and seed): the worst solid with points, the mean dashed (both
# explained once in the key); the SLA
# as a grey line. reclaimsim sets: datafile (one block per search: x mean
# worst), title_text, xlabel_text, n_lanes, lnames[], lcolours[], ldashes[],
# xmin, xmax, perf_lo, sla.
load plotsdir.'/common.gp'

set title title_text font ',13'
set xlabel xlabel_text
set ylabel 'performance index (1.0 = no stall)'
set xrange [xmin:xmax]
set xtics autofreq numeric format '%g'
unset mxtics
set yrange [perf_lo:1 + 0.03 * (1 - perf_lo)]
set key outside below center horizontal
set rmargin 4

plot for [k=1:n_lanes] datafile index (k-1) using 1:3 with linespoints lw 2 pt 7 ps 0.8 \
         lc rgb lcolours[k] dt ldashes[k] title lnames[k], \
     for [k=1:n_lanes] datafile index (k-1) using 1:2 with lines lw 1.2 dt 2 \
         lc rgb lcolours[k] notitle, \
     NaN with linespoints lw 2 pt 7 ps 0.8 lc rgb c_line title 'solid: the worst VM', \
     NaN with lines lw 1.2 dt 2 lc rgb c_line title 'dashed: the mean of the VMs', \
     sla with lines lw 1.5 dt 4 lc rgb c_sla title sprintf('SLA: performance index >= %.3g', sla)
