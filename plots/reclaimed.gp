# Host-wide memory held by each reclamation mechanism, stacked.
# reclaimsim sets: datafile (time_s and running sums of balloon, sharing,
# compression, swap in `unit`), title_text, unit, ymax_data.
load plotsdir.'/common.gp'

set title title_text font ',13'
set xlabel time_label
set ylabel sprintf('memory reclaimed (%s)', unit)
set yrange [0:(ymax_data > 0 ? ymax_data * 1.08 : 1)]
set key outside below center horizontal maxrows 1
set rmargin 4

plot datafile using 1:(0):2  with filledcurves lc rgb c_balloon    title 'balloon (mctlsz)', \
     ''       using 1:2:3    with filledcurves lc rgb c_shared     title 'sharing saved (shrdsvd)', \
     ''       using 1:3:4    with filledcurves lc rgb c_compressed title 'compressed (zip)', \
     ''       using 1:4:5    with filledcurves lc rgb c_swapped    title 'host-swapped (swcur)', \
     ''       using 1:5      with lines lw 1.5 lc rgb c_line       title 'total'
